"""The saga's Python side: a (simulated) airline booking service."""

import asyncio


async def book_flight(trip: str) -> dict:
    """Books a seat for `trip`; the booking id is derived from it, so runs are reproducible."""
    await asyncio.sleep(0.02)
    return {"booking": f"FL-{trip}", "seat": "12A"}


async def cancel_flight(booking: str) -> dict:
    """Cancels `booking` (a compensation: safe to run again for the same booking)."""
    await asyncio.sleep(0.01)
    return {"cancelled": booking}
