"""The race's Python side: the primary price feed, slow today."""

import asyncio
from pathlib import Path

import braid_worker


async def fetch_quote(symbol: str, delay_ms: int, markers: str | None = None) -> dict:
    """The quote for `symbol` after `delay_ms`.

    If the call is cancelled (it lost the race), writes `primary-cancelled` with the
    cancellation reason into the folder `markers`, when one is given, and re-raises.
    """
    try:
        await asyncio.sleep(delay_ms / 1000)
    except asyncio.CancelledError:
        if markers is not None:
            _leave_marker(Path(markers), "primary-cancelled", braid_worker.current().reason)
        raise  # the cancel must propagate: swallowing it would turn the loss into a result
    return {"symbol": symbol, "price": 101.25, "source": "primary"}


def _leave_marker(folder: Path, name: str, text: str | None) -> None:
    # Blocking on purpose: a few bytes, and they must be on disk before the cancel is
    # acknowledged (an await in the except block could be cut short by the worker's grace).
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text or "")
