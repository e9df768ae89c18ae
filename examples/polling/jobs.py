"""A simulated batch service: a submitted job is done after a given number of status checks."""

import asyncio
import itertools

_ids = itertools.count(1)
_polls: dict[str, int] = {}


async def submit(name: str, ready_after: int) -> dict:
    """Starts a job; it reports `done` on its `ready_after`-th status check."""
    await asyncio.sleep(0.01)
    job = f"{name}-{next(_ids)}"
    _polls[job] = -ready_after
    return {"job": job}


async def status(job: str) -> dict:
    """One status check: `running` until the job is ready, then `done` with its result."""
    await asyncio.sleep(0.01)
    _polls[job] += 1
    if _polls[job] < 0:
        return {"state": "running"}
    return {"state": "done", "result": {"rows": 1200, "job": job}}
