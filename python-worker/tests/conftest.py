"""Shared fixtures: a fake gateway on a Unix socket and real worker subprocesses."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from fake_gateway import FakeGateway, Session, WorkerProcess, worker_env

from braid_worker._proto import worker_pb2 as pb


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temp dir with a short path: Unix socket paths are limited to ~107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="bw-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def gateway(short_tmp: Path) -> AsyncIterator[FakeGateway]:
    gw = FakeGateway(short_tmp / "gw.sock")
    await gw.start()
    yield gw
    await gw.stop()


StartWorker = Callable[..., Awaitable[tuple[WorkerProcess, Session, pb.Hello]]]


@pytest.fixture
async def start_worker(gateway: FakeGateway, tmp_path: Path) -> AsyncIterator[StartWorker]:
    """Start a worker, accept its stream, check Hello comes first, answer Welcome."""
    started: list[WorkerProcess] = []

    async def start(
        welcome: pb.Welcome | None = None, **env: str
    ) -> tuple[WorkerProcess, Session, pb.Hello]:
        proc = WorkerProcess(
            worker_env(gateway.socket_path, **env), tmp_path / f"worker{len(started)}.log", tmp_path
        )
        started.append(proc)
        session = await gateway.accept()
        hello = await session.expect("hello")
        assert session.kinds()[0] == "hello"  # Hello is the worker's first frame
        await session.send(
            pb.GatewayFrame(welcome=welcome or pb.Welcome(max_payload_bytes=1 << 20, grace_ms=2000))
        )
        return proc, session, hello

    yield start
    for proc in started:
        proc.kill()


@pytest.fixture
async def worker(start_worker: StartWorker) -> tuple[WorkerProcess, Session, pb.Hello]:
    return await start_worker()


@pytest.fixture
def session(worker: tuple[WorkerProcess, Session, pb.Hello]) -> Session:
    return worker[1]
