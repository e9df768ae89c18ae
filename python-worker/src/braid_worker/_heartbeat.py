"""Heartbeat coalescing: at most one Heartbeat frame per call per interval, latest details.

``CallContext.heartbeat`` only records the details and, when no send is pending, arms the
pump once. The pump runs on the event loop, so user code never waits for it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from ._context import CallContext

DEFAULT_INTERVAL = 0.1


class HeartbeatPump:
    """Turns armed contexts into throttled ``send(ctx, details)`` calls on the loop.

    Must be created on the loop's thread. ``__call__`` (the context's arm hook) is
    thread-safe; ``send`` always runs on the loop thread and is never called after the call
    ended (``ctx._done``).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        send: Callable[[CallContext, Any], None],
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self._loop = loop
        self._send = send
        self._interval = interval
        self._loop_thread = threading.get_ident()

    def __call__(self, ctx: CallContext) -> None:
        if threading.get_ident() == self._loop_thread:
            self._loop.call_soon(self._fire, ctx)
            return
        try:
            self._loop.call_soon_threadsafe(self._fire, ctx)
        except RuntimeError:  # the loop is closed: the worker is exiting, nobody to tell
            pass

    def _fire(self, ctx: CallContext) -> None:
        if ctx._done:
            return
        now = self._loop.time()
        wait = ctx._hb_last + self._interval - now
        if wait > 0:
            # Still armed, so heartbeats until then only replace the details.
            self._loop.call_later(wait, self._fire, ctx)
            return
        # Disarm before reading the details: a heartbeat() racing in from the call's thread
        # either lands before the read (and is sent now) or re-arms (and is sent later).
        ctx._hb_armed = False
        ctx._hb_last = now
        self._send(ctx, ctx._hb_details)
