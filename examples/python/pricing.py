"""Example functions for `braid call`: an order quote computed by concurrent async lookups.

    ./braid call python:pricing:quote '[{"sku": "tea", "qty": 2}, {"sku": "mug", "qty": 1}]' \
        --python-path examples/python
"""

import asyncio

import braid_worker

_PRICES = {"tea": 4.5, "mug": 12.0, "kettle": 39.9, "honey": 7.25}
_TAX_RATE = 0.2


async def price_of(sku: str) -> float:
    """Looks a price up (simulated I/O). Unknown SKUs raise KeyError."""
    await asyncio.sleep(0.01)
    if sku not in _PRICES:
        raise KeyError(f"unknown sku {sku!r}")
    return _PRICES[sku]


async def quote(items: list[dict]) -> dict:
    """Prices every line concurrently and returns the order total with tax.

    Runs under the caller's deadline: try `--timeout 5ms` to see it cancelled.
    """
    ctx = braid_worker.current()
    try:
        async with asyncio.TaskGroup() as tg:
            prices = [tg.create_task(price_of(item["sku"])) for item in items]
    except* KeyError as group:
        raise ValueError(f"cannot quote this order: {group.exceptions[0]}") from group.exceptions[0]
    lines = [
        {"sku": item["sku"], "qty": item["qty"], "amount": round(p.result() * item["qty"], 2)}
        for item, p in zip(items, prices, strict=True)
    ]
    subtotal = round(sum(line["amount"] for line in lines), 2)
    tax = round(subtotal * _TAX_RATE, 2)
    remaining = ctx.remaining()
    return {
        "lines": lines,
        "subtotal": subtotal,
        "tax": tax,
        "total": round(subtotal + tax, 2),
        "deadline_left_ms": None if remaining is None else int(remaining * 1000),
    }


async def countdown(n: int):
    """An async generator: `braid call python:pricing:countdown 3 --stream`."""
    for i in range(n, 0, -1):
        yield i
        await asyncio.sleep(0.05)
