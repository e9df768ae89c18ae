"""A simulated account service: a profile and a balance per account id."""

import asyncio

_ACCOUNTS = {
    "acc-1": {"owner": "Frances", "currency": "EUR", "cents": 125_00},
    "acc-2": {"owner": "Grace", "currency": "USD", "cents": 9_870_00},
}


async def profile(account: str) -> dict:
    await asyncio.sleep(0.02)
    a = _ACCOUNTS[account]
    return {"owner": a["owner"], "currency": a["currency"]}


async def balance(account: str) -> int:
    await asyncio.sleep(0.02)
    return _ACCOUNTS[account]["cents"]
