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


def test_encode_rejects_unsupported_types() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        _json.encode({"x": {1}})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [float("-inf")]])
def test_encode_rejects_nan_and_infinity(value: Any) -> None:
    with pytest.raises(ValueError, match="Out of range float values"):
        _json.encode(value)


def test_encode_rejects_cycles() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(RecursionError):
        _json.encode(cycle)
    # The failure left no state behind.
    assert _json.encode([1, [2]]) == b"[1,[2]]"


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
