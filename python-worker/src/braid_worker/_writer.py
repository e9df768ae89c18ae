"""The batching writer: every outgoing frame goes through one buffer and one writer task.

Frames are appended to the batch being filled; the writer task wakes when there is
something, takes the oldest batch and writes it as ONE ``WorkerBatch``. While that write is
in flight, new frames pile up in the next batch, so a busy link amortises the per-message
cost and an idle one sends each frame at once: there are no timers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from ._proto import worker_pb2 as pb

MAX_BATCH_BYTES = 4 * 1024 * 1024
# Estimated bytes of a frame's envelope (tags, lengths, call id, encoding tag).
FRAME_OVERHEAD = 32


class WriterClosed(RuntimeError):
    """A frame was requested after ``close()``."""


class BatchWriter:
    """Coalesces frames into batches; ``run()`` writes them one message at a time.

    Loop-thread only: ``frame()`` and ``close()`` must be called from the event loop that
    runs ``run()``. The frame returned by ``frame()`` must be filled in before the caller
    yields to the loop (it is serialized on the writer's next turn).
    """

    def __init__(
        self,
        write: Callable[[pb.WorkerBatch], Awaitable[object]],
        *,
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        if max_batch_bytes < 1:
            raise ValueError(f"max_batch_bytes < 1: {max_batch_bytes}")
        self._write = write
        self._max = max_batch_bytes
        self._batches: deque[pb.WorkerBatch] = deque()
        self._tail_bytes = 0  # estimated size of self._batches[-1]
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.batches_written = 0
        self.frames_written = 0

    def frame(self, size_hint: int = 0) -> pb.WorkerFrame:
        """Return a new empty frame appended to the pending batch; the caller fills it.

        ``size_hint`` is the payload size in bytes: a batch is cut before it would grow past
        ~4 MiB, and a frame larger than that travels alone. Raises WriterClosed after close.
        """
        if self._closed:
            raise WriterClosed("the writer is closed")
        size = size_hint + FRAME_OVERHEAD
        if not self._batches or (self._tail_bytes and self._tail_bytes + size > self._max):
            self._batches.append(pb.WorkerBatch())
            self._tail_bytes = 0
        self._tail_bytes += size
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        return self._batches[-1].frames.add()

    @property
    def pending(self) -> int:
        """Number of frames waiting to be written."""
        return sum(len(b.frames) for b in self._batches)

    def close(self) -> None:
        """Accept no more frames; ``run()`` returns once everything pending is written."""
        self._closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(None)

    async def run(self) -> None:
        """Write batches until closed and drained. Propagates the first write error."""
        loop = asyncio.get_running_loop()
        batches = self._batches
        while True:
            if batches:
                batch = batches.popleft()
                if not batches:
                    self._tail_bytes = 0  # the next frame starts a new batch
                self.batches_written += 1
                self.frames_written += len(batch.frames)
                await self._write(batch)
            elif self._closed:
                return
            else:
                self._waiter = loop.create_future()
                await self._waiter
