"""The worker-protocol case table (proto/braid/worker/v1/conformance/), run by name.

The Node and Java suites run the same files; case_table.py is this worker's runner.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from case_table import CASES, Runner, case_names, load
from fake_gateway import FakeGateway


def test_the_table_is_found_and_every_case_is_run() -> None:
    files = sorted(p.stem for p in CASES.iterdir() if p.suffix == ".json")
    assert len(files) >= 25, CASES
    assert case_names() == files


@pytest.mark.parametrize("name", case_names())
async def test_case(name: str, gateway: FakeGateway, short_tmp: Path) -> None:
    await Runner(load(name), gateway, short_tmp).run()


def test_every_case_names_only_known_fixtures() -> None:
    fixtures = Path(__file__).parent / "fixtures" / "conformance.py"
    source = fixtures.read_text()
    for name in case_names():
        for fixture in load(name)["fixtures"]:
            assert f"def {fixture}(" in source, (name, fixture)
