"""Functions for the `braid check` tests: looked up in the Python worker's catalog."""


async def get_profile(user_id: int) -> dict:
    return {"id": user_id, "name": "Ada"}


async def batches(n: int):
    for i in range(n):
        yield [i]
