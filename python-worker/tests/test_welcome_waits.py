"""The shutdown waits come from the gateway's Welcome (0 = the worker's own fallback).

Each test sends a wait far longer than the fallback and shows the worker still honours it
after the fallback would have run out: the difference is what the call or the stream ends
with, never how fast. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from conftest import StartWorker
from fake_gateway import FakeGateway, Session, value_of

from braid_worker._proto import worker_pb2 as pb

LONG_MS = 30_000


def welcome(**waits: int) -> pb.Welcome:
    return pb.Welcome(max_payload_bytes=1 << 20, grace_ms=2000, **waits)


async def started(session: Session, call_id: int) -> None:
    beat = await session.expect("heartbeat", call_id)
    assert json.loads(beat.details.data) == "started"


async def test_cancel_grace_from_welcome_lets_a_call_outlive_the_fallback(
    start_worker: StartWorker,
) -> None:
    proc, session, _ = await start_worker(welcome(cancel_grace_ms=LONG_MS))
    # ignores cancellation for 2 s: past the 1 s fallback it would be abandoned at shutdown
    call_id = await session.invoke("samples:sync_sleep", 2)
    await started(session, call_id)
    await session.send(pb.GatewayFrame(shutdown=pb.Shutdown(grace_ms=100, reason="shutdown")))
    assert value_of(await session.expect("outcome", call_id)) == "slept"
    assert await proc.wait() == 0


async def test_lost_grace_from_welcome_gives_cleanup_its_time(
    gateway: FakeGateway, start_worker: StartWorker, tmp_path: Path
) -> None:
    proc, session, _ = await start_worker(welcome(lost_grace_ms=LONG_MS))
    marker = tmp_path / "marker"
    # cleans up for 2.5 s after the cancel: past the 0.5 s fallback the worker has exited
    call_id = await session.invoke("samples:slow_cleanup", str(marker), 2.5)
    await started(session, call_id)
    await gateway.stop()
    assert await proc.wait(timeout=15) == 1
    assert marker.read_text() == "cleaned up after worker_lost"


async def test_close_wait_from_welcome_keeps_waiting_for_the_gateway_to_end_the_stream(
    start_worker: StartWorker,
) -> None:
    proc, session, _ = await start_worker(welcome(close_wait_ms=LONG_MS))
    session.hold_open = True
    await session.send(pb.GatewayFrame(shutdown=pb.Shutdown(grace_ms=100, reason="shutdown")))
    async with asyncio.timeout(10):
        await session.half_closed.wait()
    # the 1 s fallback would have given up on the gateway by now
    await asyncio.sleep(2)
    assert proc.proc.poll() is None, proc.log()
    session.end()
    assert await proc.wait() == 0
