"""Functions the benchmark calls through Braid (``python:braid_bench:<name>``).

Cancellation latency needs a clock both sides read: ``sleep_until_cancelled`` stamps the
moment its ``CancelledError`` is raised with ``time.monotonic_ns()`` (CLOCK_MONOTONIC, the
clock behind Java's ``System.nanoTime()`` on Linux), and the bench fetches the stamps
afterwards with ``take_cancel_stamps``. The stamps live in this worker process, so the bench
must run with one worker.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

_cancel_stamps: dict[int, int] = {}


async def echo(x: Any) -> Any:
    """The trivial async function every figure is about."""
    return x


async def sleep_until_cancelled(seq: int, seconds: float) -> str:
    """Sleep; on cancel, record when ``CancelledError`` reached this coroutine, re-raise."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        _cancel_stamps[seq] = time.monotonic_ns()
        raise
    return "not cancelled"


async def take_cancel_stamps() -> dict[str, int]:
    """Return ``{seq: monotonic_ns}`` of every cancel recorded so far, and forget them."""
    stamps = {str(k): v for k, v in _cancel_stamps.items()}
    _cancel_stamps.clear()
    return stamps
