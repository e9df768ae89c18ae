"""Python functions of the Node part of the benchmark (``python:braid_bench_node:<name>``).

``echo_via_node`` is the nested path Java -> Python -> Node: the Python function calls the Node
``echo`` (``bench/node/bench.mjs``) through the gateway and returns its result. Its latency
against a direct Java -> Python ``echo`` is what a nested Python -> Node call adds. It also
records how long the ``await`` took as seen from Python (``time.monotonic_ns()``), which the
bench fetches with ``take_nested_timings``: the nested call's round trip without the Java ->
Python leg around it.
"""

from __future__ import annotations

import time
from typing import Any

import braid_worker

_MAX_TIMINGS = 100_000
_nested_ns: list[int] = []


async def echo_via_node(x: Any) -> Any:
    """Java -> Python -> Node: return what the Node ``echo`` returns."""
    t0 = time.monotonic_ns()
    result = await braid_worker.call("node:bench.mjs#echo", x)
    if len(_nested_ns) < _MAX_TIMINGS:
        _nested_ns.append(time.monotonic_ns() - t0)
    return result


async def take_nested_timings() -> list[int]:
    """Nanoseconds each ``await braid_worker.call(...)`` above took; forgets them."""
    out = list(_nested_ns)
    _nested_ns.clear()
    return out
