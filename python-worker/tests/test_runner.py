"""CallRunner in-process: outcomes for the subtle endings (threads, streams, cancels).

The calls run in this process with a real BatchWriter whose batches are collected, so each
test sees exactly the frames the gateway would.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from braid_worker import BraidError, CallContext, current
from braid_worker._nested import NestedCalls
from braid_worker._proto import worker_pb2 as pb
from braid_worker._resolve import Resolver
from braid_worker._runner import CallRunner
from braid_worker._writer import BatchWriter

EVENTS: list[str] = []
RELEASE = threading.Event()


@pytest.fixture(autouse=True)
def reset() -> Iterator[None]:
    EVENTS.clear()
    RELEASE.clear()
    yield
    RELEASE.set()  # never leave a pool thread blocked


# -- functions under test (referenced as "test_runner:<name>") ---------------------------


def blocking_until_released() -> str:
    RELEASE.wait(10)
    ctx = current()
    return f"finished cancelled={ctx.cancelled} reason={ctx.reason}"


def sync_gen_slow_steps() -> Iterator[int]:
    try:
        for i in range(100):
            if i == 1:
                RELEASE.wait(10)
            yield i
    finally:
        EVENTS.append("sync gen closed")


async def agen_forever() -> AsyncIterator[int]:
    try:
        i = 0
        while True:
            yield i
            i += 1
    finally:
        EVENTS.append("agen closed")


async def agen_bad_item() -> AsyncIterator[Any]:
    try:
        yield 1
        yield object()
        yield 3
    finally:
        EVENTS.append("agen closed")


async def agen_growing() -> AsyncIterator[str]:
    try:
        yield "x"
        yield "x" * 50
    finally:
        EVENTS.append("agen closed")


async def returns_bad(kind: str) -> Any:
    bad: Any = {"nan": float("nan"), "inf": float("inf"), "set": {1}, "bytes": b"x"}.get(kind)
    root: dict[str, Any] = {"items": [{"price": 1}, {"price": bad}]}
    if kind == "cycle":
        root["items"][1]["price"] = root
    elif kind == "deep":
        deep: Any = 0
        for _ in range(1001):
            deep = [deep]
        root["items"][1]["price"] = deep
    return root


async def own_timeout() -> None:
    raise TimeoutError("my own timeout")


async def exits() -> None:
    raise SystemExit(3)


async def body_runs() -> str:
    EVENTS.append("body ran")
    return "ran"


async def coded() -> None:
    raise BraidError("bad input", code="INVALID_ARGUMENT")


# -- harness ------------------------------------------------------------------------------


class Harness:
    def __init__(self) -> None:
        self.batches: list[pb.WorkerBatch] = []
        self.writer = BatchWriter(self._write)
        self.pool = ThreadPoolExecutor(4, thread_name_prefix="test-sync")
        self.calls: dict[int, CallContext] = {}
        self.runner = CallRunner(self.writer, Resolver(), self.pool, self.calls)
        self._writer_task = asyncio.create_task(self.writer.run())
        self._ids = 0

    async def _write(self, batch: pb.WorkerBatch) -> None:
        self.batches.append(batch)

    def start(self, name: str, *args: Any, credit: int = 0, remaining_ms: int = 0) -> CallContext:
        self._ids += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + remaining_ms / 1000 if remaining_ms else None
        ctx = CallContext(self._ids, f"{__name__}:{name}", 1, deadline)
        inv = pb.Invoke(
            call_id=self._ids,
            function=ctx.function,
            args=pb.Payload(encoding="json", data=json.dumps(list(args)).encode()),
            initial_credit=credit,
            remaining_ms=remaining_ms,
        )
        self.calls[ctx.call_id] = ctx
        ctx._task = asyncio.create_task(self.runner.run(ctx, inv))
        return ctx

    @staticmethod
    def cancel(ctx: CallContext, reason: str) -> None:
        """What the worker does on a Cancel frame."""
        if ctx._record_cancel(reason) and ctx._started and ctx._task is not None:
            ctx._task.cancel(msg=reason)

    async def finish(self, ctx: CallContext) -> pb.Outcome:
        assert ctx._task is not None
        async with asyncio.timeout(10):
            await ctx._task
            while not (found := self.frames("outcome", ctx.call_id)):
                await asyncio.sleep(0)
        assert len(found) == 1
        assert ctx.call_id not in self.calls
        return found[0]

    def frames(self, kind: str, call_id: int) -> list[Any]:
        return [
            getattr(f, kind)
            for b in self.batches
            for f in b.frames
            if f.WhichOneof("kind") == kind and getattr(f, kind).call_id == call_id
        ]

    async def close(self) -> None:
        self.writer.close()
        await self._writer_task
        self.pool.shutdown(wait=False, cancel_futures=True)


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    harness = Harness()
    yield harness
    await harness.close()


async def wait_until(predicate: Any) -> None:
    async with asyncio.timeout(10):
        while not predicate():
            await asyncio.sleep(0.005)


# -- tests --------------------------------------------------------------------------------


async def test_cancel_before_the_first_step_still_sends_one_outcome(h: Harness) -> None:
    ctx = h.start("body_runs")
    h.cancel(ctx, "race_lost")  # same loop turn: the task has not started
    out = await h.finish(ctx)
    assert (out.failure.code, out.failure.reason) == (pb.CANCELLED, "race_lost")
    assert EVENTS == []


async def test_sync_function_past_its_deadline_still_reports_its_value(h: Harness) -> None:
    ctx = h.start("blocking_until_released", remaining_ms=50)
    await asyncio.sleep(0.2)  # the deadline passes while the thread is blocked
    assert not ctx._task.done()  # type: ignore[union-attr]  # still waiting for the thread
    RELEASE.set()
    out = await h.finish(ctx)
    assert json.loads(out.value.data) == "finished cancelled=True reason=deadline_exceeded"


async def test_cancelled_sync_function_reports_what_it_returns(h: Harness) -> None:
    ctx = h.start("blocking_until_released")
    await asyncio.sleep(0.05)
    h.cancel(ctx, "cancelled")
    await asyncio.sleep(0.05)
    assert not ctx._task.done()  # type: ignore[union-attr]
    RELEASE.set()
    out = await h.finish(ctx)
    assert json.loads(out.value.data) == "finished cancelled=True reason=cancelled"


async def test_sync_generator_cancelled_mid_step_stops_after_the_step(h: Harness) -> None:
    ctx = h.start("sync_gen_slow_steps", credit=10)
    await wait_until(lambda: h.frames("item", ctx.call_id))  # item 0 sent, step 1 blocks
    h.cancel(ctx, "cancelled")
    RELEASE.set()
    out = await h.finish(ctx)
    assert (out.failure.code, out.failure.reason, out.items) == (pb.CANCELLED, "cancelled", 1)
    assert EVENTS == ["sync gen closed"]


async def test_async_generator_waiting_for_credit_is_closed_on_cancel(h: Harness) -> None:
    ctx = h.start("agen_forever", credit=3)
    await wait_until(lambda: len(h.frames("item", ctx.call_id)) == 3)
    await asyncio.sleep(0.05)
    assert len(h.frames("item", ctx.call_id)) == 3  # blocked on credit
    h.cancel(ctx, "parent_cancelled")
    out = await h.finish(ctx)
    assert (out.failure.code, out.failure.reason, out.items) == (
        pb.CANCELLED,
        "parent_cancelled",
        3,
    )
    assert EVENTS == ["agen closed"]


async def test_unserializable_item_ends_the_stream(h: Harness) -> None:
    ctx = h.start("agen_bad_item", credit=10)
    out = await h.finish(ctx)
    assert (out.failure.code, out.failure.type, out.failure.message) == (
        pb.INVALID_ARGUMENT,
        "NotSerializable",
        f"cannot send the stream item of {__name__}:agen_bad_item as JSON: "
        "$ has no JSON form (object)",
    )
    assert out.items == 1
    assert EVENTS == ["agen closed"]


async def test_an_oversized_item_ends_the_stream(h: Harness) -> None:
    h.runner.max_payload_bytes = 10
    ctx = h.start("agen_growing", credit=10)
    out = await h.finish(ctx)
    assert (out.failure.code, out.failure.type, out.items) == (
        pb.RESOURCE_EXHAUSTED,
        "PayloadTooLarge",
        1,
    )
    assert out.failure.message == (
        f"cannot send the stream item of {__name__}:agen_growing: 52 bytes, "
        "more than max_payload_bytes 10"
    )
    assert EVENTS == ["agen closed"]


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("nan", "$.items[1].price is NaN"),
        ("inf", "$.items[1].price is Infinity"),
        ("set", "$.items[1].price has no JSON form (set)"),
        ("bytes", "$.items[1].price has no JSON form (bytes)"),
        ("cycle", "$.items[1].price refers back to $ (a cycle)"),
        (
            "deep",
            "$.items[1].price" + "[0]" * 13 + "... is nested deeper than 512 levels",
        ),
    ],
)
async def test_a_result_that_breaks_the_json_rule_is_not_serializable(
    h: Harness, kind: str, problem: str
) -> None:
    out = await h.finish(h.start("returns_bad", kind))
    assert (out.failure.code, out.failure.type, out.failure.message) == (
        pb.INVALID_ARGUMENT,
        "NotSerializable",
        f"cannot send the result of {__name__}:returns_bad as JSON: {problem}",
    )


async def test_nested_call_arguments_follow_the_json_rule(h: Harness) -> None:
    nested = NestedCalls(h.writer)
    ctx = CallContext(99, f"{__name__}:caller", 1, None)
    with pytest.raises(BraidError) as e:
        await nested.call(ctx, "node:x.mjs#f", [{"a": [float("nan")]}], None, None)
    assert (e.value.code, e.value.type, e.value.message) == (
        "INVALID_ARGUMENT",
        "NotSerializable",
        "cannot send the arguments of node:x.mjs#f as JSON: $[0].a[0] is NaN",
    )
    assert h.frames("nested_call", 1) == []  # nothing was sent


async def test_nested_call_arguments_over_the_payload_limit_are_not_sent(h: Harness) -> None:
    nested = NestedCalls(h.writer)
    nested.max_payload_bytes = 10
    ctx = CallContext(99, f"{__name__}:caller", 1, None)
    with pytest.raises(BraidError) as e:
        await nested.call(ctx, "node:x.mjs#f", ["x" * 20], None, None)
    assert (e.value.code, e.value.type, e.value.message) == (
        "RESOURCE_EXHAUSTED",
        "PayloadTooLarge",
        "cannot send the arguments of node:x.mjs#f: 24 bytes, more than max_payload_bytes 10",
    )
    assert h.frames("nested_call", 1) == []


async def test_own_timeout_error_is_an_application_failure(h: Harness) -> None:
    out = await h.finish(h.start("own_timeout", remaining_ms=10_000))
    assert (out.failure.code, out.failure.type, out.failure.message) == (
        pb.APPLICATION,
        "TimeoutError",
        "my own timeout",
    )


async def test_system_exit_from_a_function_is_just_a_failure(h: Harness) -> None:
    out = await h.finish(h.start("exits"))
    assert (out.failure.code, out.failure.type, out.failure.message) == (
        pb.APPLICATION,
        "SystemExit",
        "3",
    )
    assert json.loads((await h.finish(h.start("body_runs"))).value.data) == "ran"


async def test_braid_error_code_is_used(h: Harness) -> None:
    out = await h.finish(h.start("coded"))
    assert (out.failure.code, out.failure.type) == (pb.INVALID_ARGUMENT, "braid_worker.BraidError")


async def test_an_abandoned_call_gets_no_second_outcome(h: Harness) -> None:
    ctx = h.start("blocking_until_released")
    await asyncio.sleep(0.02)
    ctx._done = True  # what shutdown does after answering for it
    h.calls.pop(ctx.call_id)
    RELEASE.set()
    async with asyncio.timeout(10):
        await ctx._task  # type: ignore[misc]
    await asyncio.sleep(0.01)
    assert h.frames("outcome", ctx.call_id) == []


def test_time_is_monotonic_for_deadlines() -> None:
    # The worker computes deadlines with loop.time() and documents them as time.monotonic():
    # asyncio's default loop uses exactly that clock.
    loop = asyncio.new_event_loop()
    try:
        assert abs(loop.time() - time.monotonic()) < 0.01
    finally:
        loop.close()
