"""A slow async generator for the example clients: one tick every `delay` seconds."""

import asyncio


async def ticks(n, delay):
    """Yields 0, 1, ..., n - 1, waiting `delay` seconds before each."""
    for i in range(n):
        await asyncio.sleep(delay)
        yield i


async def tick_at(i):
    """Returns tick i. There is no negative tick: a ValueError, which clients get as data."""
    if i < 0:
        raise ValueError(f"no tick {i}")
    return i


async def pause(seconds):
    """Waits `seconds`, then returns them: a slow unary call."""
    await asyncio.sleep(seconds)
    return seconds
