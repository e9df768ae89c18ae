"""The running call's context, reachable from user code through ``current()``.

Each call runs as its own ``asyncio.Task`` whose first act is to set ``_CURRENT``; sync
functions run in a copy of that task's context, so ``current()`` works in their thread too.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable, Mapping
from typing import Any

DEADLINE_EXCEEDED = "deadline_exceeded"

_CURRENT: contextvars.ContextVar[CallContext] = contextvars.ContextVar("braid_call")


def current() -> CallContext:
    """Return the context of the call running in this task or thread.

    Raises RuntimeError outside a call (e.g. at import time, or in a thread the function
    started itself: contexts are not inherited by threads).
    """
    try:
        return _CURRENT.get()
    except LookupError:
        raise RuntimeError(
            "braid_worker.current() called outside a Braid call: it only works inside a "
            "function the worker is running (or a task/thread that copied its context)"
        ) from None


class CallContext:
    """What a running function can know about its call, and its heartbeat.

    Attributes (read-only): ``call_id``; ``function`` (the reference, ``"pkg.mod:func"``);
    ``attempt`` (1-based); ``deadline`` (a ``time.monotonic()`` value, or None);
    ``idempotency_key``: the same for every attempt of one workflow step
    (``"<run id>/<step path>"``), None for a call outside a workflow run. Steps are
    at-least-once: use the key to make a side effect happen once (docs/durability.md).
    ``secret(name)`` reads a secret the workflow declared under ``secrets:``.

    ``cancelled`` and ``reason`` are sticky: the first reason wins. A passed deadline counts
    as cancellation with reason ``"deadline_exceeded"``, also before asyncio's timeout has
    fired. All members are safe to use from the call's worker thread (sync functions).
    """

    __slots__ = (
        "_credit",
        "_credit_waiter",
        "_done",
        "_hb_armed",
        "_hb_details",
        "_hb_last",
        "_heartbeats",
        "_items",
        "_nested",
        "_reason",
        "_secrets",
        "_started",
        "_task",
        "attempt",
        "call_id",
        "deadline",
        "function",
        "idempotency_key",
    )

    def __init__(
        self,
        call_id: int,
        function: str,
        attempt: int = 1,
        deadline: float | None = None,
        heartbeats: Callable[[CallContext], None] | None = None,
        idempotency_key: str | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> None:
        self.call_id = call_id
        self.function = function
        self.attempt = attempt
        self.deadline = deadline
        self.idempotency_key = idempotency_key
        self._secrets: dict[str, str] = dict(secrets or {})
        self._reason: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = False
        self._done = False
        self._items = 0
        self._credit = 0
        self._credit_waiter: asyncio.Future[None] | None = None
        self._heartbeats = heartbeats
        self._hb_armed = False
        self._hb_details: Any = None
        self._hb_last = float("-inf")
        # the NestedCalls of the connection this call came on (a standalone worker may serve
        # several gateways at once: a nested call must go back to its own); None: the one
        # installed process-wide
        self._nested: Any = None

    @property
    def cancelled(self) -> bool:
        """True once the call was cancelled or its deadline passed."""
        return self._reason is not None or (
            self.deadline is not None and time.monotonic() >= self.deadline
        )

    @property
    def reason(self) -> str | None:
        """The first cancellation reason (``"cancelled"``, ``"deadline_exceeded"``, ...)."""
        if self._reason is None and self.deadline is not None and time.monotonic() >= self.deadline:
            return DEADLINE_EXCEEDED
        return self._reason

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or None without a deadline."""
        if self.deadline is None:
            return None
        # asyncio runs a timer up to one clock resolution early, so the deadline may have
        # fired just before time.monotonic() reaches it; once it fired, no time is left.
        if self._reason == DEADLINE_EXCEEDED:
            return 0.0
        return max(0.0, self.deadline - time.monotonic())

    def secret(self, name: str) -> str:
        """Return the value of secret ``name``, one the workflow declared under ``secrets:``.

        The gateway sends the declared secrets with each call (never through the worker's
        environment). Keep the value out of results, logs and exceptions: the gateway shows
        a known secret as ``***`` in what it prints, but not a transformed one (encoded,
        split). Raises KeyError if the call was not given that secret.
        """
        try:
            return self._secrets[name]
        except KeyError:
            given = ", ".join(sorted(self._secrets)) or "none"
            raise KeyError(
                f"secret {name!r} was not given to this call: a workflow gives the secrets it "
                f"declares under secrets: (given here: {given})"
            ) from None

    def heartbeat(self, details: Any = None) -> None:
        """Record liveness and the latest ``details`` (JSON-serializable). Never blocks.

        The worker sends at most one Heartbeat frame per call per ~100 ms with the latest
        details; calls in between only replace the details. No-op after the call ended.
        """
        self._hb_details = details
        if not self._hb_armed and not self._done and self._heartbeats is not None:
            self._hb_armed = True
            self._heartbeats(self)

    def _record_cancel(self, reason: str) -> bool:
        """Record ``reason`` unless already cancelled; True if this was the first cancel."""
        if self._reason is not None:
            return False
        self._reason = DEADLINE_EXCEEDED if self.cancelled else reason
        return True

    def __repr__(self) -> str:
        return (
            f"CallContext(call_id={self.call_id}, function={self.function!r}, "
            f"attempt={self.attempt}, cancelled={self.cancelled}, reason={self.reason!r})"
        )
