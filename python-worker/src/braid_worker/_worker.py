"""The connection: dial the gateway, say Hello, dispatch gateway frames, shut down.

The reader loop only dispatches: every handler is synchronous and quick, user code runs in
the calls' own tasks (or the sync pool), so a Ping is answered as long as the event loop
itself is free. All state here is touched from the loop thread only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import grpc.aio

from . import _failures as F
from . import _json, _nested
from ._channel import open_channel
from ._config import Config
from ._context import CallContext
from ._heartbeat import HeartbeatPump
from ._nested import NestedCalls
from ._proto import worker_pb2 as pb
from ._protocol import (
    CONNECT_METHOD,
    deserialize_batch,
    send_failure,
    send_heartbeat,
    send_hello,
    send_pong,
    serialize_batch,
)
from ._resolve import Resolver
from ._runner import CallRunner
from ._writer import BatchWriter, WriterClosed

log = logging.getLogger("braid_worker")

WORKER_LOST = "worker_lost"
SHUTDOWN = "shutdown"
# The shutdown waits, in seconds. The gateway chooses them in Welcome (cancel_grace_ms,
# lost_grace_ms, close_wait_ms); these are the fallbacks for a field it leaves at 0, and the
# values in force before the Welcome arrives.
# After a shutdown's cancel, how long calls get to finish before they are reported abandoned.
CANCEL_GRACE = 1.0
# When the gateway is gone, how long cancelled calls get to run their finally blocks.
LOST_GRACE = 0.5
# How long to wait for the gateway to end the stream after our half-close.
CLOSE_WAIT = 1.0

# A standalone worker that hears nothing from the gateway (not even a Ping) for this long
# treats the link as cut, before HTTP/2 keepalive would: the gateway pings every
# Welcome.ping_interval_ms, and SILENCE_PINGS missed pings are no longer a hiccup.
SILENCE_LIMIT = 3.0
SILENCE_PINGS = 6

# How a gateway refuses a worker it will never accept: a wrong token, a bad Hello.
_REFUSALS = (
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
)

EXIT_OK = 0
EXIT_LOST = 1


class Worker:
    """One worker process's connection to its gateway.

    ``serve()`` runs until the gateway shuts the worker down, ends the stream or goes away,
    and returns the process exit code. ``request_shutdown()`` starts a graceful stop (also
    what SIGTERM does).
    """

    def __init__(self, config: Config, *, resolver: Resolver | None = None) -> None:
        self.config = config
        self._resolver = resolver or Resolver(
            roots=config.roots, preloaded=frozenset(config.preload)
        )
        self._calls: dict[int, CallContext] = {}
        self._closing = False
        self._welcomed = False
        self._shutdown_task: asyncio.Task[None] | None = None
        self._stopped: asyncio.Future[int] | None = None
        self._ending = False
        self._cancel_grace = CANCEL_GRACE
        self._lost_grace = LOST_GRACE
        self._close_wait = CLOSE_WAIT
        self._silence_limit = SILENCE_LIMIT
        self._last_read = 0.0
        self._silence_task: asyncio.Task[None] | None = None
        # the gateway refused this worker's Hello (a wrong token...): dialing again is futile
        self.refused = False

    @property
    def welcomed(self) -> bool:
        """Whether the gateway accepted this worker (sent Welcome) on this connection."""
        return self._welcomed

    async def serve(self) -> int:
        """Connect, serve calls, and return the exit code (0 orderly, 1 connection lost)."""
        loop = self._loop = asyncio.get_running_loop()
        self._stopped = loop.create_future()
        catalog = self._resolver.preload(self.config.preload)
        pool = ThreadPoolExecutor(self.config.threads, thread_name_prefix="braid-sync")
        channel = open_channel(self.config)
        connect = channel.stream_stream(
            CONNECT_METHOD,
            request_serializer=serialize_batch,
            response_deserializer=deserialize_batch,
        )
        call = connect()
        self._writer = BatchWriter(call.write)
        self._pump = HeartbeatPump(loop, self._send_heartbeat)
        self._runner = CallRunner(self._writer, self._resolver, pool, self._calls)
        self._nested = NestedCalls(self._writer)
        _nested.install(self._nested)
        send_hello(
            self._writer,
            worker_id=self.config.worker_id,
            token=self.config.token,
            max_in_flight=self.config.max_in_flight,
            catalog=catalog,
            module_errors=self._resolver.module_errors,
            pool=self.config.pool,
        )
        self._writer_task = loop.create_task(self._write_loop(call), name="braid-writer")
        self._reader_task = loop.create_task(self._read_loop(call), name="braid-reader")
        if self.config.pool:
            self._silence_task = loop.create_task(self._watch_silence(call), name="braid-silence")
        try:
            return await self._stopped
        finally:
            self._reader_task.cancel()
            self._writer_task.cancel()
            if self._silence_task is not None:
                self._silence_task.cancel()
            try:
                await asyncio.wait_for(channel.close(grace=None), self._close_wait)
            except (TimeoutError, grpc.aio.AioRpcError):  # pragma: no cover - exiting anyway
                pass
            # Threads still running a sync call cannot be joined: the process exits without.
            pool.shutdown(wait=False, cancel_futures=True)

    def request_shutdown(self, grace: float, reason: str = SHUTDOWN) -> None:
        """Refuse new calls, give running ones ``grace`` seconds, cancel the rest, exit 0."""
        if self._shutdown_task is None and self._stopped is not None:
            self._closing = True  # now, not when the task starts: frames after this are refused
            self._shutdown_task = asyncio.get_running_loop().create_task(
                self._shutdown(grace, reason), name="braid-shutdown"
            )

    # -- reading --------------------------------------------------------------------------

    async def _read_loop(self, call: Any) -> None:
        """Dispatch gateway frames until the stream ends; then report how it ended."""
        handlers: dict[str | None, Callable[[Any], None]] = {
            "invoke": self._on_invoke,
            "cancel": self._on_cancel,
            "ping": self._on_ping,
            "credit": self._on_credit,
            "welcome": self._on_welcome,
            "shutdown": self._on_shutdown,
            "nested_outcome": self._on_nested_outcome,
        }
        try:
            while True:
                batch = await call.read()
                if batch is grpc.aio.EOF:
                    break
                self._last_read = self._loop.time()
                for frame in batch.frames:
                    kind = frame.WhichOneof("kind")
                    handler = handlers.get(kind)
                    if handler is None:
                        log.debug("ignoring gateway frame %r", kind)
                        continue
                    try:
                        handler(getattr(frame, kind))
                    except Exception:  # a handler bug must not stop the reader
                        log.exception("error handling a %s frame", kind)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # AioRpcError, or the call failing in some other way
            if isinstance(e, grpc.aio.AioRpcError) and e.code() in _REFUSALS:
                self.refused = not self._welcomed
            self._stream_ended(_describe(e), error=True)
            return
        status = await call.code()
        error = status != grpc.StatusCode.OK
        self.refused = status in _REFUSALS and not self._welcomed
        self._stream_ended(f"{status.name}: {await call.details()}", error=error)

    def _on_nested_outcome(self, outcome: pb.Outcome) -> None:
        self._nested.on_outcome(outcome)

    def _on_welcome(self, welcome: pb.Welcome) -> None:
        if welcome.max_payload_bytes:
            self._runner.max_payload_bytes = welcome.max_payload_bytes
            self._nested.max_payload_bytes = welcome.max_payload_bytes
        self._cancel_grace = _seconds(welcome.cancel_grace_ms, CANCEL_GRACE)
        self._lost_grace = _seconds(welcome.lost_grace_ms, LOST_GRACE)
        self._close_wait = _seconds(welcome.close_wait_ms, CLOSE_WAIT)
        if welcome.ping_interval_ms:
            self._silence_limit = max(SILENCE_PINGS * welcome.ping_interval_ms / 1000, 1.0)
        if not self._welcomed:
            self._welcomed = True
            log.info(
                "worker %s connected to %s (max_in_flight=%d, max_payload_bytes=%d)",
                self.config.worker_id or "-",
                self.config.target,
                self.config.max_in_flight,
                self._runner.max_payload_bytes,
            )

    def _on_invoke(self, inv: pb.Invoke) -> None:
        call_id = inv.call_id
        calls = self._calls
        if self._closing:
            self._send_failure(
                call_id, F.failure(F.UNAVAILABLE, "Unavailable", "worker shutting down")
            )
            return
        if call_id in calls:
            log.error("duplicate call_id %d from the gateway: ignored", call_id)
            return
        if len(calls) >= self.config.max_in_flight:
            self._send_failure(
                call_id,
                F.failure(
                    F.RESOURCE_EXHAUSTED,
                    "Overloaded",
                    f"worker has max_in_flight={self.config.max_in_flight} calls open",
                ),
            )
            return
        loop = self._loop
        remaining_ms = inv.remaining_ms
        ctx = CallContext(
            call_id,
            inv.function,
            inv.attempt or 1,
            # loop.time() is time.monotonic() on asyncio's loops: one clock for both uses.
            loop.time() + remaining_ms / 1000 if remaining_ms else None,
            self._pump,
            inv.idempotency_key or None,
            inv.secrets,
        )
        ctx._nested = self._nested
        calls[call_id] = ctx
        ctx._task = loop.create_task(self._runner.run(ctx, inv))

    def _send_failure(self, call_id: int, failure: pb.Failure, items: int = 0) -> None:
        try:
            send_failure(self._writer, call_id, failure, items)
        except WriterClosed:  # the stream is gone: the gateway fails the call itself
            pass

    def _on_cancel(self, cancel: pb.Cancel) -> None:
        ctx = self._calls.get(cancel.call_id)
        if ctx is not None:  # unknown: already finished (its Outcome is on the way) or never
            self._cancel(ctx, cancel.reason or "cancelled")

    def _on_credit(self, credit: pb.StreamCredit) -> None:
        ctx = self._calls.get(credit.call_id)
        if ctx is None:
            return
        ctx._credit += credit.credit
        waiter = ctx._credit_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_ping(self, ping: pb.Ping) -> None:
        try:
            send_pong(self._writer, ping.seq, len(self._calls))
        except WriterClosed:
            pass

    def _on_shutdown(self, shutdown: pb.Shutdown) -> None:
        self.request_shutdown(shutdown.grace_ms / 1000, shutdown.reason or SHUTDOWN)

    def _cancel(self, ctx: CallContext, reason: str, *, again: bool = False) -> None:
        """Record the reason first (so the function sees it), then cancel the task.

        A call that has not started yet is not cancelled through its task: a task cancelled
        before its first step never runs its body, and the body is what sends the Outcome.
        The body checks the recorded reason first instead.
        """
        first = ctx._record_cancel(reason)
        if (first or again) and ctx._started and ctx._task is not None:
            ctx._task.cancel(msg=ctx._reason)

    async def _watch_silence(self, call: Any) -> None:
        """Standalone workers: end the stream when the gateway went silent past the limit
        (its pings stopped: the link is cut or the gateway hangs), so calls are cancelled
        with worker_lost and the worker can reconnect."""
        self._last_read = self._loop.time()
        while True:
            await asyncio.sleep(self._silence_limit / 4)
            if not self._welcomed:
                continue  # connecting: the TLS handshake and Hello have their own bounds
            silent = self._loop.time() - self._last_read
            if silent > self._silence_limit:
                self._stream_ended(
                    f"no frame from the gateway for {silent:.1f}s (link cut?)", error=True
                )
                call.cancel()
                return

    # -- writing --------------------------------------------------------------------------

    async def _write_loop(self, call: Any) -> None:
        try:
            await self._writer.run()
            await call.done_writing()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            self._stream_ended(f"write failed: {_describe(e)}", error=True)

    def _send_heartbeat(self, ctx: CallContext, details: Any) -> None:
        data: bytes | None = None
        if details is not None:
            try:
                data = _json.encode(details)
            except (TypeError, ValueError, RecursionError) as e:
                log.warning("heartbeat details of call %d dropped: %s", ctx.call_id, e)
        try:
            send_heartbeat(self._writer, ctx.call_id, data)
        except WriterClosed:
            pass

    # -- stopping -------------------------------------------------------------------------

    async def _shutdown(self, grace: float, reason: str) -> None:
        log.info(
            "shutting down (%s): %d calls in flight, grace %.1fs", reason, len(self._calls), grace
        )
        await _wait(_tasks(self._calls), grace)
        if self._calls:
            for ctx in list(self._calls.values()):
                self._cancel(ctx, reason, again=True)
            await _wait(_tasks(self._calls), self._cancel_grace)
        for ctx in list(self._calls.values()):
            # Still running (a sync function, or one that ignores cancellation): answer for
            # it so the gateway gets exactly one Outcome per call, then leave it behind.
            ctx._done = True
            del self._calls[ctx.call_id]
            self._send_failure(
                ctx.call_id,
                F.failure(
                    F.CANCELLED,
                    "CancelledError",
                    f"{ctx.function} did not finish after cancel; abandoned at shutdown",
                    reason=ctx.reason or reason,
                ),
                ctx._items,
            )
        self._writer.close()
        await _wait([self._writer_task], self._close_wait)
        # Half-closed: let the gateway end the stream (the reader then stops) before exiting.
        await _wait([self._reader_task], self._close_wait)
        self._stop(EXIT_OK)

    def _stream_ended(self, detail: str, *, error: bool) -> None:
        """The stream is over (read EOF/error, or a write failed): stop serving."""
        if self._stopped is None or self._stopped.done():
            return
        if self._shutdown_task is not None and self._writer_task.done():
            self._stop(EXIT_OK)  # our own shutdown finished writing: an orderly end
            return
        if self._ending:  # the reader and the writer both noticed
            return
        self._ending = True
        self._nested.fail_all(f"lost the gateway: {detail}")
        if not self._welcomed and error:
            log.error("cannot connect to the gateway at %s: %s", self.config.target, detail)
        elif error:
            log.error("gateway connection lost: %s", detail)
        else:
            log.info("gateway ended the stream: %s", detail)
        self._loop.create_task(
            self._abandon_all(EXIT_LOST if error else EXIT_OK), name="braid-lost"
        )

    async def _abandon_all(self, code: int) -> None:
        """Nobody is left to send Outcomes to: cancel every call, give it a moment, stop."""
        self._closing = True
        self._writer.close()
        for ctx in list(self._calls.values()):
            self._cancel(ctx, WORKER_LOST, again=True)
        await _wait(_tasks(self._calls), self._lost_grace)
        self._stop(code)

    def _stop(self, code: int) -> None:
        if self._stopped is not None and not self._stopped.done():
            self._stopped.set_result(code)


def _tasks(calls: dict[int, CallContext]) -> list[asyncio.Task[None]]:
    return [ctx._task for ctx in calls.values() if ctx._task is not None]


async def _wait(tasks: list[asyncio.Task[None]], seconds: float) -> None:
    """Wait up to ``seconds`` for ``tasks``; never raises, never cancels them."""
    if tasks:
        await asyncio.wait(tasks, timeout=seconds)


def _seconds(ms: int, fallback: float) -> float:
    """A wait from Welcome in seconds; 0 (not sent) means the built-in fallback."""
    return ms / 1000 if ms else fallback


def _describe(e: BaseException) -> str:
    if isinstance(e, grpc.aio.AioRpcError):
        return f"{e.code().name}: {e.details()}"
    return f"{type(e).__name__}: {e}"
