"""A fake gateway for end-to-end tests: a real grpc.aio WorkerHub on a Unix socket.

Each worker connection becomes a ``Session``: the test sends GatewayFrames and awaits the
worker's frames by kind and call id, every wait bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from braid_worker._proto import worker_pb2 as pb

WAIT = 10.0
FIXTURES = Path(__file__).parent / "fixtures"


class Session:
    """One worker's stream, seen from the gateway."""

    def __init__(self, context: grpc.aio.ServicerContext) -> None:
        self._context = context
        self._frames: list[pb.WorkerFrame] = []
        self._taken: set[int] = set()
        self._changed = asyncio.Condition()
        self.batch_sizes: list[int] = []
        self.half_closed = asyncio.Event()
        self.end_requested = asyncio.Event()
        # True: the stream stays open after the worker half-closes, until end() (a slow gateway)
        self.hold_open = False
        self._ids = itertools.count(1)

    async def _received(self, batch: pb.WorkerBatch) -> None:
        self.batch_sizes.append(len(batch.frames))
        async with self._changed:
            self._frames.extend(batch.frames)
            self._changed.notify_all()

    async def send(self, *frames: pb.GatewayFrame) -> None:
        """Write all ``frames`` as one GatewayBatch."""
        await self._context.write(pb.GatewayBatch(frames=frames))

    async def expect(
        self,
        kind: str,
        call_id: int | None = None,
        *,
        timeout: float = WAIT,
        where: Callable[[Any], bool] | None = None,
    ) -> Any:
        """The oldest not yet taken frame of ``kind`` (and ``call_id``); its payload message."""

        def find() -> Any:
            for i, frame in enumerate(self._frames):
                if i in self._taken or frame.WhichOneof("kind") != kind:
                    continue
                msg = getattr(frame, kind)
                if call_id is not None and msg.call_id != call_id:
                    continue
                if where is not None and not where(msg):
                    continue
                self._taken.add(i)
                return msg
            return None

        async with asyncio.timeout(timeout):
            async with self._changed:
                while (found := find()) is None:
                    await self._changed.wait()
                return found

    def kinds(self) -> list[str | None]:
        """The kinds of all frames received so far, in order."""
        return [frame.WhichOneof("kind") for frame in self._frames]

    def frames_of(self, kind: str, call_id: int | None = None) -> list[Any]:
        """Every frame of ``kind`` received so far (taken or not)."""
        out = []
        for frame in self._frames:
            if frame.WhichOneof("kind") == kind:
                msg = getattr(frame, kind)
                if call_id is None or msg.call_id == call_id:
                    out.append(msg)
        return out

    async def invoke(
        self,
        function: str,
        *args: Any,
        kwargs: dict[str, Any] | None = None,
        remaining_ms: int = 0,
        credit: int = 0,
        raw_args: bytes | None = None,
        attempt: int = 1,
    ) -> int:
        """Send an Invoke; return its call id."""
        call_id = next(self._ids)
        await self.send(
            invoke_frame(
                call_id,
                function,
                *args,
                kwargs=kwargs,
                remaining_ms=remaining_ms,
                credit=credit,
                raw_args=raw_args,
                attempt=attempt,
            )
        )
        return call_id

    async def call(self, function: str, *args: Any, **options: Any) -> pb.Outcome:
        """Invoke and wait for the Outcome."""
        call_id = await self.invoke(function, *args, **options)
        return await self.expect("outcome", call_id)

    async def cancel(self, call_id: int, reason: str = "cancelled") -> None:
        await self.send(pb.GatewayFrame(cancel=pb.Cancel(call_id=call_id, reason=reason)))

    async def credit(self, call_id: int, credit: int) -> None:
        await self.send(pb.GatewayFrame(credit=pb.StreamCredit(call_id=call_id, credit=credit)))

    def end(self) -> None:
        """End the stream from the gateway side (status OK)."""
        self.end_requested.set()


def invoke_frame(
    call_id: int,
    function: str,
    *args: Any,
    kwargs: dict[str, Any] | None = None,
    remaining_ms: int = 0,
    credit: int = 0,
    raw_args: bytes | None = None,
    attempt: int = 1,
) -> pb.GatewayFrame:
    inv = pb.Invoke(
        call_id=call_id,
        function=function,
        args=pb.Payload(
            encoding="json",
            data=raw_args if raw_args is not None else json.dumps(list(args)).encode(),
        ),
        remaining_ms=remaining_ms,
        attempt=attempt,
        initial_credit=credit,
    )
    if kwargs:
        inv.kwargs.encoding = "json"
        inv.kwargs.data = json.dumps(kwargs).encode()
    return pb.GatewayFrame(invoke=inv)


def value_of(outcome: pb.Outcome) -> Any:
    """The decoded value of a successful Outcome; fails the test with the failure otherwise."""
    assert outcome.WhichOneof("result") == "value", f"expected a value, got {outcome.failure}"
    assert outcome.value.encoding == "json"
    return json.loads(outcome.value.data)


class FakeGateway:
    """A WorkerHub server on a Unix socket; ``accept()`` yields worker sessions."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._sessions: asyncio.Queue[Session] = asyncio.Queue()
        self._server: grpc.aio.Server | None = None

    async def start(self) -> None:
        handler = grpc.method_handlers_generic_handler(
            "braid.worker.v1.WorkerHub",
            {
                "Connect": grpc.stream_stream_rpc_method_handler(
                    self._connect,
                    request_deserializer=pb.WorkerBatch.FromString,
                    response_serializer=pb.GatewayBatch.SerializeToString,
                )
            },
        )
        self._server = grpc.aio.server()
        self._server.add_generic_rpc_handlers((handler,))
        self._server.add_insecure_port(f"unix:{self.socket_path}")
        await self._server.start()

    async def stop(self) -> None:
        """Stop serving: open streams are cancelled (the worker sees the gateway vanish)."""
        if self._server is not None:
            await self._server.stop(None)
            self._server = None

    async def accept(self, timeout: float = WAIT) -> Session:
        async with asyncio.timeout(timeout):
            return await self._sessions.get()

    async def _connect(self, request_iterator: Any, context: grpc.aio.ServicerContext) -> None:
        session = Session(context)
        self._sessions.put_nowait(session)

        async def pump() -> None:
            async for batch in request_iterator:
                await session._received(batch)
            session.half_closed.set()
            if session.hold_open:
                await session.end_requested.wait()

        reading = asyncio.ensure_future(pump())
        ending = asyncio.ensure_future(session.end_requested.wait())
        try:
            await asyncio.wait({reading, ending}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reading, ending):
                task.cancel()
            await asyncio.gather(reading, ending, return_exceptions=True)


class WorkerProcess:
    """A real ``python -m braid_worker`` subprocess with its stderr captured to a file."""

    def __init__(
        self, env: dict[str, str], log_path: Path, cwd: Path, argv: list[str] | None = None
    ) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in wait()/kill()
        self.proc = subprocess.Popen(
            argv or [sys.executable, "-m", "braid_worker"],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        self.pid = self.proc.pid

    async def wait(self, timeout: float = WAIT) -> int:
        """Wait for the exit code; raises TimeoutError (and kills the worker) on timeout."""
        deadline = time.monotonic() + timeout
        while (code := self.proc.poll()) is None:
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(
                    f"worker {self.pid} still running after {timeout}s:\n{self.log()}"
                )
            await asyncio.sleep(0.02)
        self._log.close()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait(5)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def worker_env(socket_path: Path, **extra: str) -> dict[str, str]:
    """The cleared environment + allowlist the gateway gives a worker."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(FIXTURES),
        "BRAID_SOCKET": str(socket_path),
        "BRAID_WORKER_ID": "worker-1",
        "BRAID_TOKEN": "token-1",
    }
    env.update(extra)
    return env
