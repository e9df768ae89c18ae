"""Simulated storage replicas: each acknowledges a write after its own delay."""

import asyncio
from pathlib import Path

import braid_worker


async def write(replica: dict, doc: str, markers: str | None = None) -> dict:
    """Stores `doc` on `replica` after `replica["ms"]` milliseconds.

    A write that is no longer needed is cancelled; given a `markers` folder, it leaves a file
    `NAME-cancelled` there holding the reason it was given.
    """
    try:
        await asyncio.sleep(replica["ms"] / 1000)
        return {"replica": replica["name"], "doc": doc}
    except asyncio.CancelledError:
        if markers:
            reason = braid_worker.current().reason or ""
            (Path(markers) / f"{replica['name']}-cancelled").write_text(reason)
        raise
