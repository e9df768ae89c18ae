"""A standalone worker: ``python -m braid_worker --connect HOST:PORT --pool NAME ...``.

It dials a gateway's worker listener (``braid serve --worker-listen``) from any machine,
presents its pool's token in Hello, registers the catalog of its preloaded modules, and serves
calls until it is stopped (SIGTERM or SIGINT: a graceful shutdown, then exit 0). When the link
breaks or the gateway goes away or shuts down, calls in flight are cancelled with
``worker_lost`` and the worker dials again with exponential backoff and full jitter, so a fleet
that lost its gateway does not reconnect in lockstep.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import ipaddress
import logging
import os
import random
import signal
import socket
from collections.abc import Sequence
from pathlib import Path

from ._config import DEFAULT_MAX_IN_FLIGHT, DEFAULT_THREADS, Config, TlsFiles
from ._gateways import Gateway, resolve, split
from ._resolve import Resolver
from ._worker import Worker

log = logging.getLogger("braid_worker")

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_REFUSED = 3
MAX_TOKEN_FILE_BYTES = 4096
SHUTDOWN_GRACE = 2.0
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 10.0
# how often the names of --connect are resolved again (gateways joining behind a name)
RESOLVE_INTERVAL = 30.0


class UsageError(ValueError):
    """A bad flag or an unreadable file; the message names it."""


def parse_args(argv: Sequence[str]) -> Config:
    """The Config of a standalone worker from its command line. Raises UsageError."""
    p = argparse.ArgumentParser(
        prog="python -m braid_worker",
        description="Serve Python functions to a Braid gateway's worker listener.",
    )
    p.add_argument(
        "--connect",
        required=True,
        metavar="HOST:PORT[,HOST:PORT...]",
        help="the gateways' worker listeners (braid serve --worker-listen); a name that "
        "resolves to several addresses means one stream to each, max-in-flight split",
    )
    p.add_argument("--pool", required=True, help="the pool this worker serves (python@POOL:...)")
    p.add_argument(
        "--token-file",
        required=True,
        type=Path,
        help="a file whose first line is the pool's bearer token",
    )
    p.add_argument(
        "--tls-ca",
        type=Path,
        help="CA (PEM) the gateway's certificate must chain to; without it, TLS "
        "with the system's roots, or plaintext when HOST is loopback",
    )
    p.add_argument("--tls-cert", type=Path, help="this worker's certificate (PEM), mutual TLS")
    p.add_argument("--tls-key", type=Path, help="this worker's private key (PEM), mutual TLS")
    p.add_argument(
        "--max-in-flight",
        type=int,
        default=DEFAULT_MAX_IN_FLIGHT,
        help="most calls open at once (default %(default)s)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help="threads for plain (sync) functions (default %(default)s)",
    )
    p.add_argument(
        "--preload",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE at start; its functions form the catalog (repeatable)",
    )
    p.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="DIR",
        help="only modules under DIR may be called (repeatable; default: the working directory)",
    )
    p.add_argument(
        "--name",
        default="",
        help="this worker's name in the gateway's logs (default: host name and pid)",
    )
    p.add_argument(
        "--keepalive",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="HTTP/2 keepalive interval and timeout (default %(default)s)",
    )
    p.add_argument("--log-level", default="INFO")
    try:
        a = p.parse_args(list(argv))
    except SystemExit as e:
        if e.code == 0:  # --help: printed, nothing to run
            raise
        raise UsageError("bad command line (see --help)") from e
    hosts = [_host_of(entry) for entry in a.connect.split(",")]
    if a.max_in_flight < 1:
        raise UsageError(f"--max-in-flight < 1: {a.max_in_flight}")
    if not 1 <= a.threads <= 4096:
        raise UsageError(f"--threads not within 1 and 4096: {a.threads}")
    if a.keepalive < 1:
        raise UsageError(f"--keepalive < 1: {a.keepalive}")
    if (a.tls_cert is None) != (a.tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together")
    tls: TlsFiles | None = None
    if a.tls_ca or a.tls_cert or not all(_is_loopback(h) for h in hosts):
        tls = TlsFiles(
            ca=_read(a.tls_ca, "--tls-ca"),
            cert=_read(a.tls_cert, "--tls-cert"),
            key=_read(a.tls_key, "--tls-key"),
        )
    roots = tuple(str(Path(r).resolve()) for r in a.root) or (os.getcwd(),)
    return Config(
        target=a.connect,
        worker_id=a.name or f"{socket.gethostname()}-{os.getpid()}",
        token=_token(a.token_file),
        max_in_flight=a.max_in_flight,
        threads=a.threads,
        preload=tuple(a.preload),
        log_level=a.log_level.upper(),
        roots=roots,
        pool=a.pool,
        tls=tls,
        keepalive_ms=int(a.keepalive * 1000),
    )


def _host_of(hostport: str) -> str:
    host, sep, port = hostport.strip().rpartition(":")
    if not sep or not host or not port.isdigit():
        raise UsageError(f"--connect is not HOST:PORT: {hostport!r}")
    return host.strip("[]")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: not trusted as loopback, so TLS


def _read(path: Path | None, flag: str) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as e:
        raise UsageError(f"{flag}: cannot read {path}: {e.strerror}") from None


def _token(path: Path) -> str:
    data = _read(path, "--token-file") or b""
    if len(data) > MAX_TOKEN_FILE_BYTES:
        raise UsageError(f"--token-file {path} is over {MAX_TOKEN_FILE_BYTES} bytes")
    for line in data.decode("utf-8", "replace").splitlines():
        t = line.strip()
        if t and not t.startswith("#"):
            return t
    raise UsageError(f"--token-file {path} holds no token")


def backoff(attempt: int, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(max, first * 2**attempt)] (AWS architecture blog)."""
    return rng.uniform(0, min(BACKOFF_MAX, BACKOFF_FIRST * (2 ** min(attempt, 20))))


class Standalone:
    """Dials every gateway ``--connect`` names, serves, dials again, until stopped.

    One session per gateway address, each with its share of ``max_in_flight`` and its own
    backoff; the name is resolved again every ``RESOLVE_INTERVAL`` seconds, so a gateway that
    joins gets a session (one that left keeps its session until its stream ends). Loop thread
    only.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._resolver = Resolver(roots=config.roots, preloaded=frozenset(config.preload))
        self._stopping = False
        self._refused = False
        self._workers: set[Worker] = set()
        self._sessions: dict[str, asyncio.Task[None]] = {}
        self._current: set[str] = set()
        self._wake: asyncio.Event | None = None

    def stop(self) -> None:
        """Graceful stop (SIGTERM/SIGINT): finish or cancel calls within the grace, exit 0."""
        self._stopping = True
        for worker in list(self._workers):
            worker.request_shutdown(SHUTDOWN_GRACE, "shutdown")
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> int:
        self._wake = asyncio.Event()
        rng = random.Random()
        failures = 0
        while not self._stopping:
            try:
                gateways = await resolve(self.config.target)
                failures = 0
            except OSError as e:
                failures += 1
                log.error("cannot resolve %s: %s", self.config.target, e)
                gateways = []
            if gateways:
                self._current = {g.address for g in gateways}
            for g in gateways:
                if g.address not in self._sessions:
                    task = asyncio.get_running_loop().create_task(self._session(g, rng))
                    self._sessions[g.address] = task
            wait = RESOLVE_INTERVAL if gateways else backoff(failures, rng)
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass
        if self._sessions:
            await asyncio.wait(list(self._sessions.values()))
        return EXIT_REFUSED if self._refused else EXIT_OK

    async def _session(self, gateway: Gateway, rng: random.Random) -> None:
        failures = 0
        try:
            while not self._stopping and gateway.address in self._current:
                share = split(self.config.max_in_flight, len(self._current))
                config = dataclasses.replace(
                    self.config,
                    target=gateway.address,
                    server_name=gateway.server_name,
                    max_in_flight=share,
                )
                worker = Worker(config, resolver=self._resolver)
                self._workers.add(worker)
                try:
                    await worker.serve()
                finally:
                    self._workers.discard(worker)
                if self._stopping:
                    return
                if worker.refused:
                    log.error(
                        "the gateway at %s refused this worker (wrong token for pool %s?); exiting",
                        gateway.address,
                        self.config.pool,
                    )
                    self._refused = True
                    self.stop()
                    return
                # a connection that was welcomed worked: start the backoff over
                failures = 0 if worker.welcomed else failures + 1
                delay = backoff(failures, rng)
                log.info("reconnecting to %s in %.2fs", gateway.address, delay)
                wake = self._wake
                if wake is None:  # pragma: no cover - run() sets it before any session
                    return
                try:
                    await asyncio.wait_for(wake.wait(), delay)
                except TimeoutError:
                    pass
        finally:
            self._sessions.pop(gateway.address, None)


def main(argv: Sequence[str]) -> int:
    """Run a standalone worker; return the exit code: 0 after a stop, 2 for a bad flag, 3 when
    the gateway refused it (a wrong token)."""
    try:
        config = parse_args(argv)
    except SystemExit:  # --help
        return EXIT_OK
    except UsageError as e:
        logging.basicConfig(level=logging.INFO)
        log.error("%s", e)
        return EXIT_CONFIG
    logging.basicConfig(
        level=getattr(logging, config.log_level, logging.INFO),
        format="%(asctime)s braid-worker[%(process)d] %(levelname)s %(message)s",
    )
    standalone = Standalone(config)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, standalone.stop)
    return loop.run_until_complete(standalone.run())
