"""One call, start to finish: an Invoke in, exactly one Outcome out.

``CallRunner.run`` is the body of the call's one ``asyncio.Task``. It resolves the function,
decodes and checks the arguments, runs the function under the call's deadline, streams
generator items against the credit the gateway grants, and turns every way of ending -
value, exception, cancel, deadline, unserializable or oversized result - into one Outcome.
It never raises: a failing call is an Outcome, never a broken worker.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import Executor
from types import AsyncGeneratorType, GeneratorType
from typing import Any

from . import _failures as F
from . import _json
from ._context import _CURRENT, DEADLINE_EXCEEDED, CallContext
from ._proto import worker_pb2 as pb
from ._protocol import DEFAULT_MAX_PAYLOAD_BYTES, send_failure, send_item, send_value
from ._resolve import ASYNC, SYNC, ResolveError, Resolver, Target
from ._writer import BatchWriter, WriterClosed

_END = object()


class Rejected(Exception):
    """The call cannot proceed; ``failure`` is its outcome (not the function's exception)."""

    def __init__(self, failure: pb.Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class CallRunner:
    """Runs calls for one connection. Loop-thread only, except the sync pool's threads.

    ``calls`` is the worker's in-flight map: the runner removes a call from it when the call
    ends, right before its Outcome is queued. A context already marked done (abandoned at
    shutdown, which sent its own Outcome) gets no second Outcome.
    """

    def __init__(
        self,
        writer: BatchWriter,
        resolver: Resolver,
        pool: Executor,
        calls: dict[int, CallContext],
    ) -> None:
        self.max_payload_bytes = DEFAULT_MAX_PAYLOAD_BYTES
        self._writer = writer
        self._resolver = resolver
        self._pool = pool
        self._calls = calls

    async def run(self, ctx: CallContext, inv: pb.Invoke) -> None:
        """Run the call described by ``inv``; queue its Outcome. Never raises."""
        _CURRENT.set(ctx)
        ctx._started = True
        timeout: asyncio.Timeout | None = None
        try:
            if ctx._reason is not None:  # cancelled before this task got its first turn
                raise asyncio.CancelledError(ctx._reason)
            target = self._resolve(ctx.function)
            args, kwargs = _arguments(ctx.function, inv)
            try:
                target.check_args(args, kwargs)
            except TypeError as e:
                raise Rejected(
                    F.from_exception(
                        e,
                        code=F.INVALID_ARGUMENT,
                        type="TypeError",
                        message=f"invalid arguments for '{ctx.function}': {e}",
                    )
                ) from None
            ctx._credit = inv.initial_credit
            if ctx.deadline is None:
                data = await self._call(ctx, target, args, kwargs)
            else:
                timeout = asyncio.timeout_at(ctx.deadline)
                async with timeout:
                    data = await self._call(ctx, target, args, kwargs)
        except Rejected as e:
            self._fail(ctx, e.failure)
        except asyncio.CancelledError as e:
            self._fail(ctx, _cancelled(ctx, e))
        except BaseException as e:
            if timeout is not None and isinstance(e, TimeoutError) and timeout.expired():
                rec = F.from_exception(
                    e,
                    code=F.DEADLINE_EXCEEDED,
                    type="TimeoutError",
                    message=f"{ctx.function} exceeded its deadline",
                    reason=DEADLINE_EXCEEDED,
                )
            else:
                rec = F.from_exception(e)
            self._fail(ctx, rec)
        else:
            if self._finish(ctx):
                try:
                    send_value(self._writer, ctx.call_id, data, ctx._items)
                except WriterClosed:
                    pass

    # -- running the function ---------------------------------------------------------

    async def _call(
        self, ctx: CallContext, target: Target, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        """Call the function; return the Outcome's JSON (``null`` for streams)."""
        fn = target.fn
        cv: contextvars.Context | None = None
        if target.kind == SYNC:
            # copy_context() inside the task: the copy carries _CURRENT into the thread.
            cv = contextvars.copy_context()
            result = await self._in_thread(cv, functools.partial(fn, *args, **kwargs))
            if inspect.isawaitable(result):  # a plain callable that returned a coroutine
                result = await result
        else:
            # Coroutine functions return a coroutine; generator functions a generator, and
            # run none of their code until iterated.
            result = fn(*args, **kwargs)
            if target.kind == ASYNC:
                result = await result
        if isinstance(result, (AsyncGeneratorType, GeneratorType)):
            if not ctx._credit:
                if isinstance(result, GeneratorType):
                    result.close()  # runs none of its code: it never started
                raise Rejected(
                    F.failure(
                        F.INVALID_ARGUMENT,
                        "TypeError",
                        f"{ctx.function} is a generator; call it as a stream",
                    )
                )
            if isinstance(result, AsyncGeneratorType):
                await self._stream_async(ctx, result)
            else:
                await self._stream_sync(ctx, result, cv or contextvars.copy_context())
            return _json.NULL
        if ctx._credit:  # a plain function called as a stream: one item
            self._send_item(ctx, result)
            return _json.NULL
        return self._encode(ctx.function, result, "result")

    async def _in_thread(
        self, cv: contextvars.Context, fn: Callable[[], Any], *, reraise: bool = False
    ) -> Any:
        """Run ``fn`` in the pool, in ``cv``; wait for it even if the task is cancelled.

        A thread cannot be interrupted: a cancel (or the deadline) only gets recorded in the
        call context, which the function can poll through ``current().cancelled``. With
        ``reraise`` the CancelledError is raised once the thread is done; without it the
        function's own result or exception stands.
        """
        fut = asyncio.get_running_loop().run_in_executor(self._pool, cv.run, fn)
        interrupted: asyncio.CancelledError | None = None
        while True:
            try:
                result = await asyncio.shield(fut)
                break
            except asyncio.CancelledError as e:
                if fut.cancelled():  # pragma: no cover - the pool never cancels on its own
                    raise
                interrupted = e
        if reraise and interrupted is not None:
            raise interrupted
        return result

    async def _stream_async(self, ctx: CallContext, agen: AsyncGenerator[Any, None]) -> None:
        # The generator runs at most one item ahead of the credit: it is advanced, and the item
        # it yields waits for credit. Without that one step the end of a stream whose credit
        # ran out exactly at its last item could never be seen.
        try:
            while True:
                try:
                    item = await agen.__anext__()
                except StopAsyncIteration:
                    return
                if ctx._credit <= 0:
                    await _credit(ctx)
                self._send_item(ctx, item)
        finally:
            # Runs the generator's finally blocks if it is suspended (cancel, bad item).
            await agen.aclose()

    async def _stream_sync(
        self, ctx: CallContext, gen: GeneratorType[Any, None, None], cv: contextvars.Context
    ) -> None:
        try:
            while True:  # one item ahead of the credit, as in _stream_async
                item = await self._in_thread(cv, functools.partial(next, gen, _END), reraise=True)
                if item is _END:
                    return
                if ctx._credit <= 0:
                    await _credit(ctx)
                self._send_item(ctx, item)
        finally:
            if gen.gi_frame is not None:  # suspended at a yield: close it in its own thread
                await self._in_thread(cv, gen.close)

    # -- outcomes and items -------------------------------------------------------------

    def _send_item(self, ctx: CallContext, item: Any) -> None:
        data = self._encode(ctx.function, item, "stream item")
        send_item(self._writer, ctx.call_id, ctx._items, data)
        ctx._items += 1
        ctx._credit -= 1

    def _encode(self, ref: str, value: Any, what: str) -> bytes:
        try:
            data = _json.encode(value)
        except _json.NotSerializable as e:
            raise Rejected(F.not_serializable(what, ref, e.problem)) from None
        if len(data) > self.max_payload_bytes:
            raise Rejected(F.too_large(what, ref, len(data), self.max_payload_bytes))
        return data

    def _resolve(self, ref: str) -> Target:
        try:
            return self._resolver.resolve(ref)
        except ResolveError as e:
            raise Rejected(
                F.from_exception(
                    e.original, code=F.INVALID_ARGUMENT, type=e.type, message=e.message
                )
            ) from None

    def _finish(self, ctx: CallContext) -> bool:
        """Mark the call ended; False if its Outcome was already sent (abandoned)."""
        if ctx._done:
            return False
        ctx._done = True
        self._calls.pop(ctx.call_id, None)
        return True

    def _fail(self, ctx: CallContext, failure: pb.Failure) -> None:
        if self._finish(ctx):
            try:
                send_failure(self._writer, ctx.call_id, failure, ctx._items)
            except WriterClosed:
                pass


def _arguments(ref: str, inv: pb.Invoke) -> tuple[list[Any], dict[str, Any]]:
    # An unset payload reads as an empty one: no HasField() needed on the hot path.
    args: Any = _payload(ref, inv.args, "args")
    if args is None:
        args = []
    elif type(args) is not list:
        raise _bad_shape(ref, "args", "a JSON array", args)
    kwargs: Any = _payload(ref, inv.kwargs, "kwargs")
    if kwargs is None:
        kwargs = {}
    elif type(kwargs) is not dict:
        raise _bad_shape(ref, "kwargs", "a JSON object", kwargs)
    return args, kwargs


def _payload(ref: str, payload: pb.Payload, what: str) -> Any:
    """Decode one argument payload; None when it is empty."""
    data = payload.data
    if not data:
        return None
    if payload.encoding and payload.encoding != _json.ENCODING:
        err = ValueError(f"unsupported {what} encoding {payload.encoding!r} (expected 'json')")
        raise Rejected(F.from_exception(err, code=F.INVALID_ARGUMENT, message=str(err)))
    try:
        return _json.decode(data)
    except ValueError as e:
        raise Rejected(
            F.from_exception(
                e, code=F.INVALID_ARGUMENT, message=f"malformed {what} for '{ref}': {e}"
            )
        ) from None


def _bad_shape(ref: str, what: str, expected: str, value: Any) -> Rejected:
    return Rejected(
        F.failure(
            F.INVALID_ARGUMENT,
            "TypeError",
            f"{what} for '{ref}' must be {expected}, got {type(value).__name__}",
        )
    )


def _cancelled(ctx: CallContext, e: asyncio.CancelledError) -> pb.Failure:
    reason = ctx.reason or "cancelled"
    code = F.DEADLINE_EXCEEDED if reason == DEADLINE_EXCEEDED else F.CANCELLED
    return F.from_exception(
        e,
        code=code,
        type="CancelledError",
        message=f"{ctx.function} was cancelled ({reason})",
        reason=reason,
    )


async def _credit(ctx: CallContext) -> None:
    """Wait until the gateway grants stream credit (``CallContext._credit > 0``)."""
    loop = asyncio.get_running_loop()
    while ctx._credit <= 0:
        waiter: asyncio.Future[None] = loop.create_future()
        ctx._credit_waiter = waiter
        try:
            await waiter
        finally:
            ctx._credit_waiter = None
