"""The dashboard's Python side: a user profile from a (simulated) user service."""

import asyncio

_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances"]


async def get_profile(user_id: int) -> dict:
    """Returns the profile of `user_id`; derived from the id, so runs are reproducible."""
    # The sleep stands in for a database round trip. A cancel (the run's deadline, a failing
    # sibling) raises CancelledError here; letting it propagate is all the cleanup there is.
    await asyncio.sleep(0.03)
    return {
        "id": user_id,
        "name": _NAMES[user_id % len(_NAMES)],
        "tier": "gold" if user_id % 3 == 1 else "silver",
    }
