"""Heartbeat coalescing and throttling."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from braid_worker import CallContext
from braid_worker._heartbeat import HeartbeatPump

INTERVAL = 0.05


def pump_and_log() -> tuple[HeartbeatPump, list[tuple[int, Any, float]]]:
    loop = asyncio.get_running_loop()
    sent: list[tuple[int, Any, float]] = []
    pump = HeartbeatPump(loop, lambda ctx, d: sent.append((ctx.call_id, d, loop.time())), INTERVAL)
    return pump, sent


async def until(predicate: Any) -> None:
    async with asyncio.timeout(5):
        while not predicate():
            await asyncio.sleep(0.005)


async def test_burst_is_one_frame_with_the_latest_details() -> None:
    pump, sent = pump_and_log()
    ctx = CallContext(1, "m:f", heartbeats=pump)
    for i in range(100):
        ctx.heartbeat(i)
    await until(lambda: sent)
    assert [(c, d) for c, d, _ in sent] == [(1, 99)]


async def test_sends_are_throttled_per_call() -> None:
    pump, sent = pump_and_log()
    ctx = CallContext(1, "m:f", heartbeats=pump)
    other = CallContext(2, "m:f", heartbeats=pump)
    ctx.heartbeat("a")
    other.heartbeat("x")
    await until(lambda: len(sent) == 2)
    ctx.heartbeat("b")
    ctx.heartbeat("c")  # within the interval: replaces "b"
    await until(lambda: len(sent) == 3)
    assert [(c, d) for c, d, _ in sent] == [(1, "a"), (2, "x"), (1, "c")]
    first, third = sent[0][2], sent[2][2]
    assert third - first >= INTERVAL * 0.9  # the second send waited for the interval


async def test_heartbeat_from_a_thread_reaches_the_loop() -> None:
    pump, sent = pump_and_log()
    ctx = CallContext(3, "m:f", heartbeats=pump)
    thread = threading.Thread(target=ctx.heartbeat, args=({"from": "thread"},))
    thread.start()
    thread.join()
    await until(lambda: sent)
    assert sent[0][:2] == (3, {"from": "thread"})


async def test_nothing_is_sent_after_the_call_ended() -> None:
    pump, sent = pump_and_log()
    ctx = CallContext(4, "m:f", heartbeats=pump)
    ctx.heartbeat("first")
    await until(lambda: sent)
    ctx.heartbeat("pending")  # armed, waits for the interval...
    ctx._done = True  # ...but the call ends first
    await asyncio.sleep(INTERVAL * 3)
    assert [d for _, d, _ in sent] == ["first"]
