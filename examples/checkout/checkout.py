"""The checkout's Python side: stock, a flaky payment provider, reservations and SMS.

The module-level dicts stand in for the warehouse and the payment provider: they live as long
as the worker process, which is what makes a retried payment see its earlier attempts.
"""

import asyncio

from braid_worker import BraidError

_PRICES = {"tea": 4.5, "mug": 12.0, "kettle": 39.9, "honey": 7.25}
_STOCK = {"tea": 50, "mug": 10, "kettle": 2, "honey": 0}

_payment_attempts: dict[str, int] = {}
_reservations: dict[str, list[dict]] = {}


async def validate_stock(items: list[dict]) -> dict:
    """Checks every line is in stock and prices the order; fails RESOURCE_EXHAUSTED if not."""
    await asyncio.sleep(0.05)
    for item in items:
        sku, qty = item["sku"], item["qty"]
        if sku not in _STOCK:
            raise BraidError(f"unknown sku {sku!r}", code="INVALID_ARGUMENT")
        if _STOCK[sku] < qty:
            raise BraidError(
                f"only {_STOCK[sku]} x {sku} left, {qty} ordered",
                code="RESOURCE_EXHAUSTED",
                details={"sku": sku, "available": _STOCK[sku]},
            )
    total = round(sum(_PRICES[item["sku"]] * item["qty"] for item in items), 2)
    return {"lines": len(items), "total": total}


async def charge(order_id: str, amount: float, fail_first: int = 0) -> dict:
    """Charges `amount` for `order_id`.

    The simulated provider is down for the first `fail_first` attempts of each order
    (UNAVAILABLE, which the workflow retries). The count is kept per order id and forgotten on
    success or rollback, so the same input behaves the same on every run.
    """
    attempt = _payment_attempts.get(order_id, 0) + 1
    _payment_attempts[order_id] = attempt
    await asyncio.sleep(0.03)
    if attempt <= fail_first:
        raise BraidError(
            f"payment provider unavailable (attempt {attempt} for order {order_id})",
            code="UNAVAILABLE",
        )
    del _payment_attempts[order_id]
    return {"amount": amount, "attempts": attempt, "transaction": f"tx-{order_id}-{attempt}"}


async def reserve(order_id: str, items: list[dict]) -> dict:
    """Holds the items for `order_id` until shipping or `release`."""
    await asyncio.sleep(0.02)
    # Recorded only after the I/O: a reservation cancelled mid-way holds nothing.
    _reservations[order_id] = items
    return {"lines": len(items)}


async def release(order_id: str, reason: str) -> dict:
    """Compensation: drops the reservation of `order_id`, if any. Idempotent."""
    await asyncio.sleep(0.01)
    released = _reservations.pop(order_id, None) is not None
    # An abandoned order starts afresh next time, payment attempts included.
    _payment_attempts.pop(order_id, None)
    return {"released": released, "reason": reason}


async def send_sms(phone: str, text: str) -> dict:
    """Always fails: the simulated SMS gateway is down. The workflow must not care."""
    await asyncio.sleep(0.02)
    raise ConnectionRefusedError(f"sms gateway refused the connection (to {phone}: {text!r})")
