"""Parent watchdog: the worker must not outlive the gateway that started it.

A daemon THREAD, not an asyncio task: it has to work while the event loop is stuck in user
code (``while True: pass``). It polls ``os.getppid()``; when the parent changes (the gateway
died and the worker was re-parented), it kills the worker's process group - the worker and
anything its functions started - or, if the worker does not lead its group, just itself.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

log = logging.getLogger("braid_worker")

DEFAULT_INTERVAL = 0.2


def start_parent_watchdog(interval: float = DEFAULT_INTERVAL) -> threading.Thread | None:
    """Start watching the current parent; return the thread, or None if there is no parent
    worth watching (already re-parented to init, e.g. started detached)."""
    parent = os.getppid()
    if parent <= 1:
        log.debug("parent watchdog not started: parent pid is %d", parent)
        return None
    thread = threading.Thread(
        target=_watch, args=(parent, interval), name="braid-parent-watchdog", daemon=True
    )
    thread.start()
    return thread


def _watch(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            _die(parent)
            return


def _die(parent: int) -> None:
    try:
        # Log through stderr's file descriptor: the logging machinery might be held by a
        # thread that will never release it.
        os.write(2, f"braid-worker: parent {parent} is gone; exiting\n".encode())
    except OSError:
        pass
    pid = os.getpid()
    try:
        if os.getpgid(0) == pid:  # we lead our group (see setpgid in main): take it all down
            os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    os._exit(1)
