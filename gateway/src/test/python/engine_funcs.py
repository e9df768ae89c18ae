"""Functions the workflow engine tests call in a real Python worker.

Two ways of reporting back to the Java side:

- marker files, written atomically into a folder the test passes in (``started``,
  ``cancelled`` with the cancel reason, ...), for what a call observed;
- module-level state keyed by a ``tag`` the test chooses (one per test), read back with
  ``state(tag)``, for counts across calls. The tests run one Python worker process, so every
  call of a test sees the same module.

Every wait is bounded (``WAIT``): a test that goes wrong fails instead of hanging.
"""

import asyncio
import builtins
import os
import sys
from pathlib import Path
from typing import Any

import braid_worker

WAIT = 20.0
POLL = 0.005

_state: dict[str, dict[str, Any]] = {}


def _of(tag: str) -> dict[str, Any]:
    return _state.setdefault(
        tag,
        {
            "arrived": [],
            "log": [],
            "calls": 0,
            "current": 0,
            "max": 0,
            "finished": [],
            "produced": 0,
            "done": 0,
            "max_ahead": 0,
        },
    )


def _mark(folder: str, name: str, text: str = "") -> None:
    tmp = Path(folder) / (name + ".tmp")
    tmp.write_text(text)
    tmp.rename(Path(folder) / name)


async def _until(condition, what: str) -> None:
    """Waits until ``condition()`` holds; raises TimeoutError after ``WAIT`` seconds."""
    end = asyncio.get_running_loop().time() + WAIT
    while not condition():
        if asyncio.get_running_loop().time() > end:
            raise TimeoutError(f"waited {WAIT}s for {what}")
        await asyncio.sleep(POLL)


def _reason() -> str:
    return braid_worker.current().reason or ""


# -- values and state -------------------------------------------------------------------


async def echo(x):
    return x


async def state(tag):
    """Everything recorded under ``tag``."""
    return _of(tag)


async def mark(folder, name, value=None):
    """Writes marker ``name`` and returns ``value``."""
    _mark(folder, name)
    return value


# -- ordering and concurrency -----------------------------------------------------------


async def meet(tag, me, other):
    """A rendezvous: arrives as ``me`` and returns only once ``other`` has arrived too.

    Two calls of this can only both succeed if they run at the same time.
    """
    _of(tag)["arrived"].append(me)
    await _until(lambda: other in _of(tag)["arrived"], f"'{other}' to arrive (I am '{me}')")
    return me


async def logged(tag, name, seconds=0, value=None):
    """Sleeps, then appends ``name`` to the tag's log; returns ``{name, value}``."""
    await asyncio.sleep(seconds)
    _of(tag)["log"].append(name)
    return {"name": name, "value": value}


async def tracked(tag, limit, value):
    """Counts concurrent invocations; the first ``limit`` hold until ``limit`` are in."""
    s = _of(tag)
    s["current"] += 1
    s["max"] = max(s["max"], s["current"])
    try:
        await asyncio.sleep(0.01)
        await _until(lambda: s["max"] >= limit, f"{limit} concurrent invocations")
        return value
    finally:
        s["current"] -= 1


async def finish_after_next(tag, i, n):
    """Item ``i`` finishes only after item ``i + 1`` has: the items finish in reverse order."""
    s = _of(tag)
    if i + 1 < n:
        await _until(lambda: i + 1 in s["finished"], f"item {i + 1} to finish")
    s["finished"].append(i)
    return i * 10


# -- cancellation -----------------------------------------------------------------------


async def sleep_marked(folder, seconds, prefix=""):
    """Sleeps; writes ``started``, ``cancelled`` (with the reason) and ``finally`` markers."""
    _mark(folder, prefix + "started")
    try:
        await asyncio.sleep(seconds)
        return "slept"
    except asyncio.CancelledError:
        _mark(folder, prefix + "cancelled", _reason())
        raise
    finally:
        _mark(folder, prefix + "finally")


async def when_marked(folder, name, value):
    """Returns ``value`` once marker ``name`` exists (e.g. once a sibling has started)."""
    await _until(lambda: (Path(folder) / name).exists(), f"marker {name}")
    return value


async def fail_when_marked(folder, name, message):
    """Raises ValueError(message) once marker ``name`` exists."""
    await _until(lambda: (Path(folder) / name).exists(), f"marker {name}")
    raise ValueError(message)


async def fail(message):
    raise ValueError(message)


# -- retries and circuit breaking -------------------------------------------------------


async def flaky(tag, failures, error="ValueError", code=None):
    """Counts its calls; the first ``failures`` calls fail, later ones return the count.

    The failure is a builtin exception named ``error``, or a BraidError with ``code``.
    """
    s = _of(tag)
    s["calls"] += 1
    if s["calls"] <= failures:
        if code is not None:
            raise braid_worker.BraidError(f"failure {s['calls']}", code=code)
        raise getattr(builtins, error)(f"failure {s['calls']}")
    return s["calls"]


async def seen_attempt(tag, failures):
    """Like ``flaky``, but returns the attempt number the gateway sent with this call."""
    s = _of(tag)
    s["calls"] += 1
    if s["calls"] <= failures:
        raise ValueError(f"failure {s['calls']}")
    return braid_worker.current().attempt


async def counted_sleep(tag, folder, seconds):
    """Counts its calls and sleeps; writes ``cancelled-N`` (with the reason) for call N."""
    s = _of(tag)
    s["calls"] += 1
    n = s["calls"]
    try:
        await asyncio.sleep(seconds)
        return n
    except asyncio.CancelledError:
        _mark(folder, f"cancelled-{n}", _reason())
        raise


async def cancel_itself(tag):
    """Counts its calls and ends each as cancelled, as if cancelled from inside."""
    _of(tag)["calls"] += 1
    raise asyncio.CancelledError("gave up")


# -- streams ----------------------------------------------------------------------------


async def numbers(n):
    for i in range(n):
        yield i


async def counted(tag, n):
    """Yields 0..n-1, recording how far it ever got ahead of the processed items."""
    s = _of(tag)
    for i in range(n):
        s["produced"] += 1
        s["max_ahead"] = max(s["max_ahead"], s["produced"] - s["done"])
        yield i


async def processed(tag, item, seconds):
    """The slow processing of a stream item: counts it as done once finished."""
    await asyncio.sleep(seconds)
    _of(tag)["done"] += 1
    return item


async def ticking(folder, n):
    """Yields 0..n-1 slowly; writes ``gen-cancelled`` (with the reason) if stopped early."""
    try:
        for i in range(n):
            await asyncio.sleep(0.005)
            yield i
    except (asyncio.CancelledError, GeneratorExit) as e:
        _mark(folder, "gen-cancelled", _reason() or type(e).__name__)
        raise


async def breaks_after(n):
    """Yields 0..n-1, then raises ValueError."""
    for i in range(n):
        yield i
    raise ValueError(f"broke after {n} items")


async def fail_on(item, bad):
    if item == bad:
        raise ValueError(f"item {item} is bad")
    return item


async def replica(folder, name, slow, wait_for=()):
    """One of several replicas: a slow one sleeps (``sleep_marked`` with prefix ``name``); a fast
    one answers ``name`` once every marker in ``wait_for`` exists (e.g. the slow ones started)."""
    if slow:
        return await sleep_marked(folder, WAIT, name)
    await _until(
        lambda: all((Path(folder) / m).exists() for m in wait_for), f"markers {list(wait_for)}"
    )
    return name


# -- secrets ------------------------------------------------------------------------------


async def secret_of(name):
    """The value of secret ``name`` from the call's context."""
    return braid_worker.current().secret(name)


async def leak_secret(name):
    """Prints secret ``name`` to stdout and stderr, then fails with it in the message."""
    value = braid_worker.current().secret(name)
    print(f"stdout has {value}", flush=True)
    print(f"stderr has {value}", file=sys.stderr, flush=True)
    raise ValueError(f"token {value} was refused")


async def secret_missing(name):
    """The error message of asking for a secret the call was not given."""
    try:
        braid_worker.current().secret(name)
    except KeyError as e:
        return str(e.args[0])
    return "no error"


async def has_secret_in_env():
    """True if any environment variable of the worker holds a BRAID_SECRET_ name or value."""
    return any(k.startswith("BRAID_SECRET_") for k in os.environ)
