"""A coroutine for the Ctrl-C test: records whether (and why) it was cancelled."""

import asyncio
from pathlib import Path

import braid_worker


async def sleep_marked(folder, seconds):
    (Path(folder) / "started").write_text("")
    try:
        await asyncio.sleep(seconds)
        return "finished"
    except asyncio.CancelledError:
        (Path(folder) / "cancelled").write_text(braid_worker.current().reason or "")
        raise
