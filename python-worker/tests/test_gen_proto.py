"""The committed protobuf stubs match what scripts/gen_proto.py generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

WORKER_DIR = Path(__file__).resolve().parent.parent
COMMITTED = WORKER_DIR / "src" / "braid_worker" / "_proto"


def _load_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_proto", WORKER_DIR / "scripts" / "gen_proto.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_are_up_to_date(tmp_path: Path) -> None:
    gen = _load_script()
    written = gen.generate(tmp_path)  # type: ignore[attr-defined]
    assert {p.name for p in written} == {"worker_pb2.py", "worker_pb2.pyi"}
    stale = [p.name for p in written if p.read_bytes() != (COMMITTED / p.name).read_bytes()]
    if stale:
        pytest.fail(
            f"generated stubs are out of date: {', '.join(stale)}; "
            "run `python python-worker/scripts/gen_proto.py` and commit the result"
        )
