"""The approval example's Python side: what happens once a person decided (or did not)."""

from braid_worker import current


async def note_timeout(order_id: str, why: str) -> dict:
    """The decision when nobody answered in time: a refusal that says why."""
    return {"ok": False, "by": None, "reason": why}


async def ship(order_id: str, decision: dict) -> dict:
    """Ships an approved order. A real shipper would remember the idempotency key of every
    shipment it made and do nothing for a key it has seen: steps are at-least-once."""
    ctx = current()
    approved = bool(decision.get("ok")) if isinstance(decision, dict) else False
    return {
        "order": order_id,
        "shipped": approved,
        "decision": decision,
        "idempotency_key": ctx.idempotency_key,
        "attempt": ctx.attempt,
    }
