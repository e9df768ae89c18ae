"""Orders of a customer, as a shop's API would return them (reproducible, no I/O)."""

from __future__ import annotations

from typing import Any


async def list_orders(customer: str) -> list[dict[str, Any]]:
    """Three orders; one was refunded and one has no coupon field at all."""
    return [
        {
            "id": "o-1",
            "total": 40,
            "status": "paid",
            "placed": "2024-03-01T09:15:00Z",
            "items": ["tea", "kettle"],
            "coupon": "SPRING",
        },
        {
            "id": "o-2",
            "total": 12.5,
            "status": "refunded",
            "placed": "2024-03-02T18:00:00Z",
            "items": ["mug"],
            "coupon": None,
        },
        {
            "id": "o-3",
            "total": 27.25,
            "status": "paid",
            "placed": "2024-03-04T07:30:00Z",
            "items": ["teapot", "tea", "cups"],
        },
    ]


async def profile(customer: str) -> dict[str, Any]:
    return {
        "name": customer,
        "tier": "gold",
        "email": f"{customer.lower()}@example.com",
    }
