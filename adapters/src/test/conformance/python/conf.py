"""Conformance fixtures (Python). Same names and semantics as conf.mjs and ConfFuncs.java.

Marker files are written into a folder the test passes, so the test can see from outside what
the callee observed: started, cancelled (with the reason), cleaned, finished.
"""

import asyncio
import os
import time
from pathlib import Path

import braid_worker


def _mark(folder, name, text=""):
    tmp = Path(folder) / (name + ".tmp")
    tmp.write_text(text)
    tmp.rename(Path(folder) / name)


async def echo(x):
    return x


async def fail(message):
    try:
        raise KeyError("inner")
    except KeyError as e:
        raise ValueError(message) from e


async def sleep_marked(folder, seconds):
    _mark(folder, "started")
    try:
        await asyncio.sleep(seconds)
        _mark(folder, "finished")
        return "finished"
    except asyncio.CancelledError:
        _mark(folder, "cancelled", braid_worker.current().reason or "")
        raise


async def slow_cleanup(folder, seconds):
    _mark(folder, "started")
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        await asyncio.sleep(seconds)
        _mark(folder, "cleaned")
        raise


async def ignore_cancel(folder, seconds):
    _mark(folder, "started")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            pass
    _mark(folder, "finished")
    return "ignored"


async def block(seconds):
    """Blocks the event loop: nothing can be delivered to this worker meanwhile."""
    time.sleep(seconds)
    return "unblocked"


async def sleep_then(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def pid():
    return os.getpid()


_produced = {"n": 0}


async def count(n):
    _produced["n"] = 0
    for i in range(n):
        _produced["n"] = i + 1
        yield i


async def produced():
    return _produced["n"]


async def call_nested(ref, arg):
    return await braid_worker.call(ref, arg)


async def relay_marked(folder, ref, args):
    """Calls ref(*args) through the gateway, recording whether this call was cancelled."""
    _mark(folder, "started")
    try:
        return await braid_worker.call(ref, *args)
    except asyncio.CancelledError:
        _mark(folder, "cancelled", braid_worker.current().reason or "")
        raise


# -- the JSON rule: values that cannot be sent (same shapes in every language) ------------------


def _bad(kind):
    if kind == "nan":
        return float("nan")
    if kind == "inf":
        return float("inf")
    if kind == "neg_inf":
        return float("-inf")
    if kind == "no_form":
        return {1, 2}  # a set
    if kind == "bytes":
        return b"\x00\x01"
    if kind == "deep":
        v = 0
        for _ in range(1001):
            v = [v]
        return v
    raise ValueError(kind)


async def unjson(kind):
    """{"items": [{"price": 1}, {"price": BAD}]}: the bad value is always at $.items[1].price."""
    second = {}
    root = {"items": [{"price": 1}, second]}
    second["price"] = root if kind == "cycle" else _bad(kind)
    return root


async def nothing():
    pass


async def big(n):
    return "x" * n


async def bad_stream():
    yield 1
    yield float("nan")


async def call_nested_nan(ref):
    return await braid_worker.call(ref, {"a": [float("nan")]})


async def fail_before_attempt(n):
    """Fails until the gateway's attempt number reaches n; then returns that number."""
    attempt = braid_worker.current().attempt
    if attempt < n:
        raise RuntimeError(f"attempt {attempt} of {n}")
    return attempt


async def keyed_attempt(folder, n):
    """Writes its idempotency key to attempt-<attempt>; fails until attempt n, then returns n."""
    ctx = braid_worker.current()
    _mark(folder, f"attempt-{ctx.attempt}", ctx.idempotency_key or "")
    if ctx.attempt < n:
        raise RuntimeError(f"attempt {ctx.attempt} of {n}")
    return ctx.attempt


async def secret_of(name):
    """The value of secret ``name`` from the call's context; the error's message if not given."""
    try:
        return braid_worker.current().secret(name)
    except KeyError as e:
        return "missing: " + str(e.args[0])
