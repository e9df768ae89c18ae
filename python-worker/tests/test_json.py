"""The JSON payload codec."""

from __future__ import annotations

import json
from typing import Any

import pytest

from braid_worker import _json


def test_encode_is_compact_utf8() -> None:
    assert (
        _json.encode({"a": [1, 2.5, None, True], "é": "ü"})
        == '{"a":[1,2.5,null,true],"é":"ü"}'.encode()
    )


@pytest.mark.parametrize("value", ["x", 1, 1.5, None, [], {}, [{"a": "b"}], 10**30])
def test_encode_round_trips(value: Any) -> None:
    assert json.loads(_json.encode(value)) == value


# What encode refuses, and how it names it: test_json_rule.py.


@pytest.mark.parametrize(
    ("data", "value"),
    [(b"[1,2]", [1, 2]), (b' {"a": "\xc3\xa9"} ', {"a": "é"}), (b"null", None), (b"3", 3)],
)
def test_decode(data: bytes, value: Any) -> None:
    assert _json.decode(data) == value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Expecting value"),
        (b"[1,", "Expecting value"),
        (b"[1] x", "Extra data"),
        (b"{'a': 1}", "Expecting property name"),
        (b"\xff", "can't decode byte 0xff"),
    ],
)
def test_decode_rejects_malformed(data: bytes, message: str) -> None:
    # JSONDecodeError and UnicodeDecodeError are both ValueErrors.
    with pytest.raises(ValueError, match=message):
        _json.decode(data)
