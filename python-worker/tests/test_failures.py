"""Failure records: type names, codes, cause chains, BraidError."""

from __future__ import annotations

import asyncio
import json

import pytest

from braid_worker import BraidError
from braid_worker import _failures as F
from braid_worker._proto import worker_pb2 as pb


class OutOfStock(BraidError):
    pass


def caught(fn: object) -> BaseException:
    try:
        fn()  # type: ignore[operator]
    except BaseException as e:
        return e
    raise AssertionError("expected an exception")


def test_builtin_types_are_bare_others_are_qualified() -> None:
    assert F.type_name(ValueError("x")) == "ValueError"
    assert F.type_name(TimeoutError()) == "TimeoutError"
    assert F.type_name(json.JSONDecodeError("m", "d", 0)) == "json.decoder.JSONDecodeError"
    assert F.type_name(asyncio.CancelledError()) == "asyncio.exceptions.CancelledError"
    assert F.type_name(OutOfStock("x")) == f"{__name__}.OutOfStock"


def test_plain_exception_record() -> None:
    def boom() -> None:
        raise ValueError("bad value")

    rec = F.from_exception(caught(boom))
    assert (rec.code, rec.type, rec.message, rec.language) == (
        pb.APPLICATION,
        "ValueError",
        "bad value",
        "python",
    )
    assert "in boom" in rec.stack
    assert rec.stack.rstrip().endswith("ValueError: bad value")
    assert not rec.retryable
    assert not rec.HasField("cause")
    assert not rec.HasField("details")


def test_explicit_cause_is_chained_with_its_own_stack() -> None:
    def boom() -> None:
        try:
            raise KeyError("k")
        except KeyError as e:
            raise RuntimeError("outer") from e

    rec = F.from_exception(caught(boom))
    assert (rec.type, rec.cause.type, rec.cause.message) == ("RuntimeError", "KeyError", "'k'")
    assert "KeyError" in rec.cause.stack
    # Each record holds its own traceback only: the chain lives in `cause`.
    assert "direct cause" not in rec.stack


def test_implicit_context_is_chained() -> None:
    def boom() -> None:
        try:
            raise KeyError("k")
        except KeyError:
            raise RuntimeError("while handling")  # noqa: B904 - the implicit chain is the point

    rec = F.from_exception(caught(boom))
    assert rec.cause.type == "KeyError"


def test_suppressed_context_is_not_chained() -> None:
    def boom() -> None:
        try:
            raise KeyError("k")
        except KeyError:
            raise RuntimeError("clean") from None

    assert not F.from_exception(caught(boom)).HasField("cause")


def test_cause_chain_is_bounded() -> None:
    err: BaseException = ValueError("0")
    for i in range(1, 40):
        new = ValueError(str(i))
        new.__cause__ = err
        err = new
    depth, rec = 0, F.from_exception(err)
    while rec.HasField("cause"):
        depth, rec = depth + 1, rec.cause
    assert depth + 1 == F.MAX_CAUSE_DEPTH


def test_cyclic_context_terminates() -> None:
    a, b = ValueError("a"), ValueError("b")
    a.__context__, b.__context__ = b, a
    assert F.from_exception(a).cause.cause.message == "a"


def test_braid_error_fields() -> None:
    rec = F.from_exception(
        BraidError("nope", code="UNAVAILABLE", type="shop.Down", details={"retry_in": 5})
    )
    assert (rec.code, rec.type, rec.message) == (pb.UNAVAILABLE, "shop.Down", "nope")
    assert rec.retryable  # UNAVAILABLE defaults to retryable
    assert rec.details.encoding == "json"
    assert json.loads(rec.details.data) == {"retry_in": 5}


def test_braid_error_defaults() -> None:
    err = BraidError("plain")
    rec = F.from_exception(err)
    assert (rec.code, rec.type, rec.retryable) == (pb.APPLICATION, "braid_worker.BraidError", False)
    assert F.from_exception(OutOfStock("x")).type == f"{__name__}.OutOfStock"
    assert BraidError("d", code="DEADLINE_EXCEEDED").retryable
    assert not BraidError("d", code="DEADLINE_EXCEEDED", retryable=False).retryable
    assert BraidError("a", retryable=True).retryable


def test_braid_error_rejects_unknown_code() -> None:
    with pytest.raises(ValueError, match="unknown failure code: 'NOPE'"):
        BraidError("x", code="NOPE")


def test_unserializable_details_are_described_not_lost() -> None:
    rec = F.from_exception(BraidError("x", details={1, 2}))
    assert json.loads(rec.details.data) == {"unserializable": "{1, 2}"}


def test_exception_may_declare_itself_retryable() -> None:
    class Flaky(Exception):
        retryable = True

    assert F.from_exception(Flaky("x")).retryable


def test_overrides_win() -> None:
    rec = F.from_exception(
        TypeError("inner"),
        code=pb.INVALID_ARGUMENT,
        type="TypeError",
        message="outer text",
        reason="r",
    )
    assert (rec.code, rec.message, rec.reason) == (pb.INVALID_ARGUMENT, "outer text", "r")


def test_hostile_str_still_gives_a_record() -> None:
    class Hostile(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    rec = F.from_exception(Hostile())
    assert rec.type.endswith("Hostile")
    assert "str() of Hostile failed" in rec.message


def test_failure_without_exception() -> None:
    rec = F.failure(pb.UNAVAILABLE, "Unavailable", "worker shutting down")
    assert (rec.code, rec.language, rec.retryable, rec.stack) == (
        pb.UNAVAILABLE,
        "python",
        True,
        "",
    )
