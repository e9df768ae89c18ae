"""The stream's Python side: an export read page by page from a (simulated) database."""

import asyncio
from collections.abc import AsyncIterator


async def pages(count: int, size: int) -> AsyncIterator[dict]:
    """Yields `count` batches of `size` records each; record ids run from 1.

    Braid asks for the next batch only when there is room downstream, so this generator never
    runs far ahead of the consumer. When the workflow stops early (a failing step, the
    deadline) the pending `await` raises CancelledError and the generator ends there.
    """
    for batch in range(count):
        await asyncio.sleep(0.02)  # one database round trip per page
        first = batch * size + 1
        records = [{"id": i, "cents": 100 + (i * 37) % 250} for i in range(first, first + size)]
        yield {"batch": batch, "records": records}
