"""Functions the Java integration tests call in a real Python worker.

Functions that observe cancellation write marker files into a folder the test gives them, so
the test can check from the Java side what the coroutine really saw.
"""

import asyncio
import os
import time
from pathlib import Path

import braid_worker


def _mark(folder: str, name: str, text: str = "") -> None:
    tmp = Path(folder) / (name + ".tmp")
    tmp.write_text(text)
    tmp.rename(Path(folder) / name)


async def echo(x):
    return x


async def add(a, b):
    return a + b


async def pid():
    return os.getpid()


async def fail_with_cause(message):
    try:
        {}["missing-key"]
    except KeyError as e:
        raise ValueError(message) from e


async def sleep_marked(folder, seconds):
    """Sleeps; records whether it was cancelled (and why) and that its finally block ran."""
    _mark(folder, "started")
    try:
        await asyncio.sleep(seconds)
        _mark(folder, "finished")
        return "finished"
    except asyncio.CancelledError:
        _mark(folder, "cancelled", braid_worker.current().reason or "")
        raise
    finally:
        _mark(folder, "finally")


async def slow_cleanup(folder, cleanup_seconds):
    """Takes cleanup_seconds to clean up after a cancel, then re-raises."""
    _mark(folder, "started")
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        _mark(folder, "cancelled", braid_worker.current().reason or "")
        await asyncio.sleep(cleanup_seconds)
        _mark(folder, "cleaned")
        raise


async def swallow_cancel(folder, seconds):
    """Ignores every cancellation and keeps going for `seconds`."""
    _mark(folder, "started")
    end = time.monotonic() + seconds
    swallowed = 0
    while time.monotonic() < end:
        try:
            await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            swallowed += 1
            if swallowed == 1:
                _mark(folder, "swallowed")
    _mark(folder, "finished")
    return "ignored cancellation"


async def spin():
    """A CPU-bound loop on the event loop: never awaits, so nothing can cancel it."""
    while True:
        pass


async def sleep_then(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def not_serializable():
    return {1, 2, 3}


async def big_list(n):
    return list(range(n))


def sync_add(a, b):
    return a + b


_produced = {"count": 0}


async def count(n):
    """An async generator of 0..n-1 that records how far it got."""
    _produced["count"] = 0
    for i in range(n):
        _produced["count"] = i + 1
        yield i


async def produced():
    return _produced["count"]


async def heartbeats(n):
    for i in range(n):
        braid_worker.current().heartbeat({"done": i + 1})
        await asyncio.sleep(0.15)
    return n


async def call_nested(ref, *args):
    """Calls `ref` (any language) through the gateway and returns its result."""
    return await braid_worker.call(ref, *args)


async def nested_marked(folder, ref, *args):
    """Calls `ref` and records its own cancellation, for cancel-cascade tests."""
    _mark(folder, "py-started")
    try:
        return await braid_worker.call(ref, *args)
    except asyncio.CancelledError:
        _mark(folder, "py-cancelled", braid_worker.current().reason or "")
        raise


async def remaining_ms():
    r = braid_worker.current().remaining()
    return None if r is None else int(r * 1000)


async def slow_pid(seconds):
    """Sleeps, then says which worker process ran it (placement tests)."""
    await asyncio.sleep(seconds)
    return os.getpid()
