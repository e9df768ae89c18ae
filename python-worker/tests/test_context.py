"""current() and CallContext."""

from __future__ import annotations

import asyncio
import contextvars
import time

import pytest

from braid_worker import CallContext, current
from braid_worker._context import _CURRENT


def test_current_outside_a_call_raises_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match=r"current\(\) called outside a Braid call"):
        current()


async def test_current_inside_a_task_and_its_copied_context() -> None:
    ctx = CallContext(7, "m:f", attempt=2)

    async def body() -> CallContext:
        _CURRENT.set(ctx)
        copied = contextvars.copy_context()
        assert await asyncio.to_thread(copied.run, current) is ctx
        return current()

    assert await asyncio.create_task(body()) is ctx
    with pytest.raises(RuntimeError):  # the task's context did not leak out
        current()


def test_deadline_counts_as_cancellation() -> None:
    live = CallContext(1, "m:f", deadline=time.monotonic() + 60)
    assert (live.cancelled, live.reason) == (False, None)
    assert 59 < (live.remaining() or 0) <= 60
    past = CallContext(2, "m:f", deadline=time.monotonic() - 1)
    assert (past.cancelled, past.reason, past.remaining()) == (True, "deadline_exceeded", 0.0)
    no_deadline = CallContext(3, "m:f")
    assert (no_deadline.deadline, no_deadline.remaining()) == (None, None)


def test_first_reason_wins() -> None:
    ctx = CallContext(1, "m:f")
    assert ctx._record_cancel("race_lost")
    assert not ctx._record_cancel("cancelled")
    assert (ctx.cancelled, ctx.reason) == (True, "race_lost")
    late = CallContext(2, "m:f", deadline=time.monotonic() - 1)
    late._record_cancel("cancelled")  # the deadline passed first
    assert late.reason == "deadline_exceeded"


def test_heartbeat_arms_once_and_keeps_the_latest_details() -> None:
    armed: list[CallContext] = []
    ctx = CallContext(1, "m:f", heartbeats=armed.append)
    for i in range(5):
        ctx.heartbeat({"i": i})
    assert armed == [ctx]
    assert ctx._hb_details == {"i": 4}
    ctx._done = True
    ctx._hb_armed = False
    ctx.heartbeat("late")
    assert armed == [ctx]  # no-op after the call ended


def test_secret_returns_a_given_secret_and_names_the_given_ones_otherwise() -> None:
    ctx = CallContext(1, "m:f", secrets={"API_TOKEN": "t0k", "OTHER": "o"})
    assert ctx.secret("API_TOKEN") == "t0k"
    with pytest.raises(
        KeyError, match=r"secret 'NOPE' was not given to this call.*API_TOKEN, OTHER"
    ):
        ctx.secret("NOPE")


def test_secret_values_stay_out_of_the_context_repr() -> None:
    ctx = CallContext(1, "m:f", secrets={"API_TOKEN": "t0k-value"})
    assert "t0k-value" not in repr(ctx)
    assert CallContext(2, "m:f").secret.__doc__ is not None
    with pytest.raises(KeyError, match=r"given here: none"):
        CallContext(2, "m:f").secret("API_TOKEN")
