"""Runs a Braid Python worker under cProfile (bench only; never used for the figures).

    python profile_worker.py OUT.prof -m braid_worker

Braid starts workers as ``<interpreter> -m braid_worker``; the bench points Braid's
interpreter at a small script that calls this file instead, so the worker it starts is the
normal one with a profiler around it. The worker ends with ``os._exit`` (it must not wait
for stuck sync threads), which skips atexit hooks, so the stats are written here first.
cProfile sees the event-loop thread only; grpcio's own threads are not in the profile.
"""

from __future__ import annotations

import cProfile
import os
import sys

from braid_worker import _main


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2:4] != ["-m", "braid_worker"]:
        sys.exit("usage: profile_worker.py OUT.prof -m braid_worker")
    out = sys.argv[1]
    sys.argv = ["braid_worker", *sys.argv[4:]]
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        code = _main.run()
    finally:
        profiler.disable()
        profiler.dump_stats(out)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
