"""The batching writer: coalescing, batch size cap, close and errors."""

from __future__ import annotations

import asyncio

import pytest

from braid_worker._proto import worker_pb2 as pb
from braid_worker._writer import BatchWriter, WriterClosed


class Sink:
    """A write function that records batches and can be held to simulate a slow link."""

    def __init__(self) -> None:
        self.batches: list[pb.WorkerBatch] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.writing = asyncio.Event()

    async def write(self, batch: pb.WorkerBatch) -> None:
        self.writing.set()
        await self.gate.wait()
        self.batches.append(batch)

    def ids(self) -> list[list[int]]:
        return [[f.pong.seq for f in b.frames] for b in self.batches]


def pong(writer: BatchWriter, seq: int, size: int = 0) -> None:
    writer.frame(size).pong.seq = seq


async def drain(writer: BatchWriter, task: asyncio.Task[None]) -> None:
    writer.close()
    async with asyncio.timeout(5):
        await task


async def test_frames_of_one_loop_turn_go_in_one_batch() -> None:
    sink = Sink()
    writer = BatchWriter(sink.write)
    task = asyncio.create_task(writer.run())
    for seq in range(1, 6):
        pong(writer, seq)
    await drain(writer, task)
    assert sink.ids() == [[1, 2, 3, 4, 5]]
    assert (writer.batches_written, writer.frames_written) == (1, 5)


async def test_frames_pile_up_while_a_write_is_in_flight() -> None:
    sink = Sink()
    writer = BatchWriter(sink.write)
    task = asyncio.create_task(writer.run())
    sink.gate.clear()
    pong(writer, 1)
    async with asyncio.timeout(5):
        await sink.writing.wait()  # batch [1] is being written and held
    for seq in range(2, 10):
        pong(writer, seq)
        await asyncio.sleep(0)  # separate loop turns, still one batch
    assert writer.pending == 8
    sink.gate.set()
    await drain(writer, task)
    assert sink.ids() == [[1], list(range(2, 10))]


async def test_idle_writer_sends_each_frame_without_waiting() -> None:
    sink = Sink()
    writer = BatchWriter(sink.write)
    task = asyncio.create_task(writer.run())
    for seq in (1, 2):
        pong(writer, seq)
        async with asyncio.timeout(5):
            while len(sink.batches) < seq:
                await asyncio.sleep(0)
    await drain(writer, task)
    assert sink.ids() == [[1], [2]]


async def test_batches_are_cut_at_the_cap_and_big_frames_travel_alone() -> None:
    sink = Sink()
    writer = BatchWriter(sink.write, max_batch_bytes=1000)
    task = asyncio.create_task(writer.run())
    pong(writer, 1, size=400)
    pong(writer, 2, size=400)
    pong(writer, 3, size=400)  # would pass 1000: next batch
    pong(writer, 4, size=5000)  # oversized: alone
    pong(writer, 5, size=10)
    await drain(writer, task)
    assert sink.ids() == [[1, 2], [3], [4], [5]]


async def test_close_drains_then_refuses_frames() -> None:
    sink = Sink()
    writer = BatchWriter(sink.write)
    task = asyncio.create_task(writer.run())
    pong(writer, 1)
    await drain(writer, task)
    assert sink.ids() == [[1]]
    with pytest.raises(WriterClosed):
        writer.frame()


async def test_write_errors_propagate_from_run() -> None:
    async def broken(batch: pb.WorkerBatch) -> None:
        raise ConnectionError("stream gone")

    writer = BatchWriter(broken)
    task = asyncio.create_task(writer.run())
    pong(writer, 1)
    with pytest.raises(ConnectionError, match="stream gone"):
        async with asyncio.timeout(5):
            await task


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_batch_bytes < 1: 0"):
        BatchWriter(Sink().write, max_batch_bytes=0)
