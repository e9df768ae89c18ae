"""The JSON rule (docs/architecture.md): what cannot be sent, and the path that names it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from braid_worker import _json


def _problem(value: Any) -> str:
    with pytest.raises(_json.NotSerializable) as e:
        _json.encode(value)
    return e.value.problem


def _priced(bad: Any) -> dict[str, Any]:
    return {"items": [{"price": 1}, {"price": bad}]}


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (float("nan"), "is NaN"),
        (float("inf"), "is Infinity"),
        (float("-inf"), "is -Infinity"),
        ({1, 2}, "has no JSON form (set)"),
        (frozenset(), "has no JSON form (frozenset)"),
        (b"\x00", "has no JSON form (bytes)"),
        (bytearray(b"x"), "has no JSON form (bytearray)"),
        (object(), "has no JSON form (object)"),
    ],
)
def test_a_bad_value_is_named_by_its_path(bad: Any, words: str) -> None:
    assert _problem(_priced(bad)) == f"$.items[1].price {words}"


def test_a_bad_value_at_the_top_is_dollar() -> None:
    assert _problem(float("nan")) == "$ is NaN"


def test_keys_that_are_not_names_are_quoted() -> None:
    assert _problem({"a b": [float("inf")]}) == '$["a b"][0] is Infinity'


def test_a_dict_key_with_no_json_form_is_named() -> None:
    assert _problem({"m": {(1, 2): "x"}}) == "$.m has a key with no JSON form (tuple)"


def test_json_module_key_conversions_are_kept() -> None:
    assert json.loads(_json.encode({2: "a", True: "b", None: "c"})) == {
        "2": "a",
        "true": "b",
        "null": "c",
    }


def test_tuples_are_arrays() -> None:
    assert _json.encode((1, (2,))) == b"[1,[2]]"


def test_a_cycle_names_where_it_closes() -> None:
    root: dict[str, Any] = {"items": [{"price": 1}, {}]}
    root["items"][1]["price"] = root
    assert _problem(root) == "$.items[1].price refers back to $ (a cycle)"
    # The failure left no state behind.
    assert _json.encode([1, [2]]) == b"[1,[2]]"


def test_a_shared_value_is_not_a_cycle() -> None:
    shared = [1]
    assert _json.encode([shared, shared]) == b"[[1],[1]]"


def _nested(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


def test_the_depth_limit_is_512_containers() -> None:
    assert json.loads(_json.encode(_nested(_json.MAX_DEPTH))) == _nested(_json.MAX_DEPTH)
    assert _problem(_nested(_json.MAX_DEPTH + 1)) == (
        "$" + "[0]" * 16 + "... is nested deeper than 512 levels"
    )


def test_far_too_deep_is_refused_not_a_crash() -> None:
    assert _problem(_nested(100_000)).endswith("is nested deeper than 512 levels")


def test_many_containers_that_are_not_deep_are_fine() -> None:
    value = [[i] for i in range(2000)]
    assert json.loads(_json.encode(value)) == value
