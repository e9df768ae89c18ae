"""Worker configuration, read once from the environment the gateway sets.

The gateway starts a worker with a cleared environment plus an allowlist, so every knob is a
``BRAID_*`` variable (user modules resolve through ``PYTHONPATH`` and the working directory).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_MAX_IN_FLIGHT = 1024
DEFAULT_THREADS = 32


class ConfigError(ValueError):
    """A ``BRAID_*`` variable is missing or malformed; the message names it and its value."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """PEM contents for a TLS channel: the CA the gateway's certificate must chain to (None:
    the system's roots), and for mutual TLS the worker's own certificate and key."""

    ca: bytes | None = None
    cert: bytes | None = None
    key: bytes | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Everything the worker needs to connect and serve.

    ``target`` is a gRPC target: ``unix:<path>`` for ``BRAID_SOCKET``, or ``BRAID_TARGET`` as
    given (any target gRPC accepts, e.g. ``127.0.0.1:7070``).
    """

    target: str
    worker_id: str = ""
    token: str = ""
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    threads: int = DEFAULT_THREADS
    preload: tuple[str, ...] = field(default=())
    log_level: str = "INFO"
    # None: load from anywhere on sys.path (the local CLI). A tuple (``BRAID_ROOTS``, set by
    # ``braid serve``): only modules under these folders may be called, see _exposure.py.
    roots: tuple[str, ...] | None = None
    # A standalone worker (``--connect``): the pool it serves, and how to reach the gateway's
    # TCP listener. Empty/None for a worker the gateway started on its Unix socket.
    pool: str = ""
    tls: TlsFiles | None = None
    keepalive_ms: int = 10_000
    # the name the gateway's TLS certificate is checked against when ``target`` is one of the
    # addresses a name resolved to (empty: the target's own host)
    server_name: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Build a Config from ``env`` (default ``os.environ``). Raises ConfigError."""
        env = os.environ if env is None else env
        socket_path = env.get("BRAID_SOCKET", "").strip()
        target = env.get("BRAID_TARGET", "").strip()
        if socket_path:
            target = f"unix:{socket_path}"
        if not target:
            raise ConfigError("neither BRAID_SOCKET nor BRAID_TARGET is set")
        preload = tuple(p.strip() for p in env.get("BRAID_PRELOAD", "").split(",") if p.strip())
        return cls(
            target=target,
            worker_id=env.get("BRAID_WORKER_ID", ""),
            token=env.get("BRAID_TOKEN", ""),
            max_in_flight=_positive_int(env, "BRAID_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT),
            threads=_positive_int(env, "BRAID_THREADS", DEFAULT_THREADS, maximum=4096),
            preload=preload,
            log_level=env.get("BRAID_LOG_LEVEL", "INFO").strip().upper() or "INFO",
            roots=_roots(env),
        )


# Braid-internal secrets: read into the Config, then removed from the environment before any
# user code is imported, so a function cannot read them (``os.getenv("BRAID_TOKEN")``).
SECRETS = ("BRAID_TOKEN", "BRAID_TOKEN_STDIN")


def scrub_secrets(env: dict[str, str] | os._Environ[str] | None = None) -> None:
    """Remove the Braid-internal secrets from ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    for name in SECRETS:
        env.pop(name, None)


def _roots(env: Mapping[str, str]) -> tuple[str, ...] | None:
    raw = env.get("BRAID_ROOTS")
    if raw is None:
        return None
    return tuple(p for p in raw.split(os.pathsep) if p.strip())


def _positive_int(
    env: Mapping[str, str], name: str, default: int, *, maximum: int = 0xFFFF_FFFF
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} is not an integer: {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{name} < 1: {value}")
    if value > maximum:
        raise ConfigError(f"{name} > {maximum}: {value}")
    return value
