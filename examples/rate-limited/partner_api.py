"""The rate-limited example's Python side: a partner API that allows 3 requests at a time.

The counters are module-level, so they see every call this worker process runs: exactly what
is needed to check, from the callee's side, that the workflow kept its concurrency limit.
"""

import asyncio

_in_flight = 0
_max_in_flight = 0
_calls = 0


async def item_ids(count: int) -> list[int]:
    """The ids to process: 1..count."""
    await asyncio.sleep(0.01)
    return list(range(1, count + 1))


async def lookup(item: int) -> dict:
    """Looks `item` up at the partner API, counting how many lookups overlap."""
    global _in_flight, _max_in_flight, _calls
    _calls += 1
    _in_flight += 1
    _max_in_flight = max(_max_in_flight, _in_flight)
    try:
        # 10, 15 or 20 ms depending on the item: lookups finish out of order, and the
        # workflow still returns their results in the order of the items.
        await asyncio.sleep((10 + (item * 7) % 3 * 5) / 1000)
        return {"item": item, "square": item * item}
    finally:
        _in_flight -= 1  # also on cancel: a cancelled lookup no longer occupies a slot


async def max_seen() -> dict:
    """The most lookups that ever overlapped and how many ran, since the last report.

    Resets both, so that each run of the workflow reports its own figures.
    """
    global _max_in_flight, _calls
    report = {"max_concurrent": _max_in_flight, "calls": _calls}
    _max_in_flight = _calls = 0
    return report
