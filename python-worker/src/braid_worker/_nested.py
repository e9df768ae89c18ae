"""Nested calls: a function in this worker calls another function, in any language.

The call goes to the gateway as a ``NestedCall`` frame carrying the calling call's id (so the
gateway makes it a child of that call's scope) and its remaining time. The gateway answers with
a ``nested_outcome`` frame. If the calling task is cancelled while it waits, a ``nested_cancel``
frame tells the gateway to cancel the nested call (reason ``parent_cancelled``); the gateway
also cancels it on its own when the calling call's scope is cancelled.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from . import _failures as F
from . import _json
from ._context import CallContext, current
from ._proto import worker_pb2 as pb
from ._protocol import DEFAULT_MAX_PAYLOAD_BYTES
from ._writer import BatchWriter

PARENT_CANCELLED = "parent_cancelled"


class RemoteError(F.BraidError):
    """A nested call failed. ``failure`` is the whole record (language, stack, cause...).

    When a function lets it propagate, the worker reports the original record unchanged, so a
    failure's chain survives every language hop.
    """

    def __init__(self, failure: pb.Failure) -> None:
        code = pb.Code.Name(failure.code) if failure.code else "INTERNAL"
        details = _json.decode(failure.details.data) if failure.details.data else None
        super().__init__(
            failure.message,
            code=code,
            type=failure.type or None,
            retryable=failure.retryable,
            details=details,
        )
        self.failure = failure
        self.language = failure.language
        self.reason = failure.reason or None
        self.remote_stack = failure.stack
        if failure.HasField("cause"):
            self.__cause__ = _error_for(failure.cause)

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.type else self.message


class RemoteTimeoutError(RemoteError, TimeoutError):
    """A nested call's deadline passed (code ``DEADLINE_EXCEEDED``)."""


RemoteError.__module__ = "braid_worker"
RemoteTimeoutError.__module__ = "braid_worker"


def _error_for(failure: pb.Failure) -> RemoteError:
    if failure.code == pb.DEADLINE_EXCEEDED:
        return RemoteTimeoutError(failure)
    return RemoteError(failure)


class NestedCalls:
    """The nested calls of one worker, keyed by this worker's own nested call ids."""

    def __init__(self, writer: BatchWriter) -> None:
        self.max_payload_bytes = DEFAULT_MAX_PAYLOAD_BYTES  # Welcome's, once it came
        self._writer = writer
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}

    async def call(
        self,
        ctx: CallContext,
        ref: str,
        args: tuple[Any, ...] | list[Any],
        kwargs: dict[str, Any] | None,
        max_seconds: float | None,
    ) -> Any:
        self._next_id += 1
        nested_id = self._next_id
        remaining = ctx.remaining()
        if max_seconds is not None:
            remaining = max_seconds if remaining is None else min(remaining, max_seconds)
        if remaining is not None and remaining <= 0:
            raise RemoteTimeoutError(
                F.failure(
                    F.DEADLINE_EXCEEDED,
                    "DeadlineExceeded",
                    f"no time left to call {ref}",
                    reason="deadline_exceeded",
                )
            )
        try:
            args_data = _json.encode(list(args))
            kwargs_data = _json.encode(kwargs) if kwargs else None
        except _json.NotSerializable as e:
            # The caller's own mistake, raised in the caller like any failed call would be.
            rec = F.not_serializable("arguments", ref, e.problem)
            raise F.BraidError(rec.message, code="INVALID_ARGUMENT", type=rec.type) from None
        size = len(args_data) + len(kwargs_data or b"")
        if size > self.max_payload_bytes:
            rec = F.too_large("arguments", ref, size, self.max_payload_bytes)
            raise F.BraidError(rec.message, code="RESOURCE_EXHAUSTED", type=rec.type)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[nested_id] = fut
        frame = self._writer.frame(len(args_data) + len(kwargs_data or b"")).nested_call
        frame.call_id = nested_id
        frame.parent_call_id = ctx.call_id
        frame.function = ref
        frame.args.encoding = _json.ENCODING
        frame.args.data = args_data
        if kwargs_data is not None:
            frame.kwargs.encoding = _json.ENCODING
            frame.kwargs.data = kwargs_data
        if remaining is not None:
            frame.remaining_ms = max(1, math.ceil(remaining * 1000))
        try:
            return await fut
        except asyncio.CancelledError:
            if self._pending.pop(nested_id, None) is not None:
                cancel = self._writer.frame(32).nested_cancel
                cancel.call_id = nested_id
                cancel.reason = PARENT_CANCELLED
            raise
        finally:
            self._pending.pop(nested_id, None)

    def on_outcome(self, outcome: pb.Outcome) -> None:
        fut = self._pending.pop(outcome.call_id, None)
        if fut is None or fut.done():
            return
        if outcome.HasField("failure"):
            fut.set_exception(_error_for(outcome.failure))
        else:
            try:
                fut.set_result(_json.decode(outcome.value.data) if outcome.value.data else None)
            except ValueError as e:
                fut.set_exception(e)

    def fail_all(self, why: str) -> None:
        """The gateway is gone: every waiting nested call fails UNAVAILABLE."""
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(
                    RemoteError(F.failure(F.UNAVAILABLE, "WorkerLost", why, reason="worker_lost"))
                )
        self._pending.clear()


_instance: NestedCalls | None = None


def install(calls: NestedCalls | None) -> None:
    global _instance
    _instance = calls


async def call(ref: str, /, *args: Any, **kwargs: Any) -> Any:
    """Call another function through the gateway, as a child of the current call.

    ``ref`` is a full reference with its language: ``"node:quote.mjs#quote"``,
    ``"python:pricing:tax"``, ``"java:examples.Recs#forUser"``. The nested call inherits the
    current call's remaining deadline and is cancelled when the current call is. Raises
    ``RemoteError`` (``RemoteTimeoutError`` for a deadline) with the callee's failure record.
    """
    return await call_with(ref, args, kwargs)


async def call_with(
    ref: str,
    args: tuple[Any, ...] | list[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    max_seconds: float | None = None,
) -> Any:
    """Like ``call`` with explicit ``args``/``kwargs``; ``max_seconds`` bounds the nested call
    below the inherited deadline (it is sent as the nested call's deadline, not awaited here)."""
    outside = "braid_worker.call() works only inside a worker started by Braid"
    try:
        ctx = current()
    except RuntimeError:
        if _instance is None:
            raise RuntimeError(outside) from None
        raise
    nested: NestedCalls | None = ctx._nested or _instance
    if nested is None:
        raise RuntimeError(outside)
    return await nested.call(ctx, ref, args, kwargs, max_seconds)
