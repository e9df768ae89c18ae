"""Process entry point: ``python -m braid_worker`` / the ``braid-worker`` script.

Sets up the process the way the gateway expects it - own process group, SIGINT ignored
(the gateway owns Ctrl-C and sends Cancel frames), SIGTERM = Shutdown with a 2 s grace,
a parent watchdog - then serves until the gateway lets go, and exits with ``os._exit`` so a
sync function stuck in a pool thread cannot keep the process alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys

from . import _standalone
from ._config import Config, ConfigError, scrub_secrets
from ._watchdog import start_parent_watchdog
from ._worker import Worker

log = logging.getLogger("braid_worker")

SIGTERM_GRACE = 2.0
EXIT_CONFIG = 2


def run(config: Config | None = None) -> int:
    """Serve until the gateway shuts the worker down or goes away; return the exit code.

    0 after an orderly shutdown, 1 when the gateway could not be reached or was lost, 2 for
    a bad configuration. Reads the configuration from the environment when ``config`` is
    None. Must run on the main thread (it installs signal handlers).
    """
    if config is None:
        try:
            config = Config.from_env()
        except ConfigError as e:
            _setup_logging("INFO")
            log.error("bad configuration: %s", e)
            return EXIT_CONFIG
        config = _token_from_stdin(config)
        # the token is in the Config now; user modules are imported only later (preload, calls)
        scrub_secrets()
    _setup_logging(config.log_level)
    with contextlib.suppress(OSError):
        # Our own process group, so the gateway can kill the worker with everything it
        # started (fails harmlessly if we already lead a session).
        os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_parent_watchdog()
    worker = Worker(config)
    # Not asyncio.run(): its teardown cancels and awaits every remaining task, and a
    # function that swallows cancellation would then hang the exit forever.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.add_signal_handler(signal.SIGTERM, worker.request_shutdown, SIGTERM_GRACE, "shutdown")
    return loop.run_until_complete(worker.serve())


def _token_from_stdin(config: Config) -> Config:
    """The gateway sends the hub token as stdin's first line (``BRAID_TOKEN_STDIN=1``), so it
    never sits in the process's initial environment (``/proc/self/environ``)."""
    if config.token or os.environ.get("BRAID_TOKEN_STDIN") != "1":
        return config
    try:
        line = sys.stdin.buffer.readline(1024)
    except (OSError, ValueError, AttributeError):
        line = b""
    return dataclasses.replace(config, token=line.decode("utf-8", "replace").strip())


def main() -> None:
    """Run the worker and exit the process with its exit code (never returns).

    The working directory is put on ``sys.path`` as ``python -m`` does, so the console
    script resolves the gateway's modules the same way - unless ``PYTHONSAFEPATH``/``-P``
    asks for no such implicit entry.
    """
    cwd = os.getcwd()
    if not sys.flags.safe_path and cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    # flags mean a standalone worker that dials a gateway (--connect); none, a child the
    # gateway started and configured through BRAID_* variables
    code = _standalone.main(sys.argv[1:]) if len(sys.argv) > 1 else run()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        stream=sys.stderr,
        format="%(asctime)s braid-worker[%(process)d] %(levelname)s %(message)s",
    )
