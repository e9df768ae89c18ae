"""Regenerate the protobuf stubs of the worker protocol.

Runs ``grpc_tools.protoc -I ../proto --python_out --pyi_out`` on
``proto/braid/worker/v1/worker.proto`` and places ``worker_pb2.py`` and ``worker_pb2.pyi``
in ``src/braid_worker/_proto/`` (or in ``--out DIR``). Only the message stubs are generated:
the worker opens the stream with ``channel.stream_stream`` itself, so no ``*_pb2_grpc``
module (and no package-path import) is needed.

Usage (from anywhere, with the project's venv)::

    python python-worker/scripts/gen_proto.py [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER_DIR = Path(__file__).resolve().parent.parent
PROTO_ROOT = WORKER_DIR.parent / "proto"
PROTO_FILE = "braid/worker/v1/worker.proto"
DEFAULT_OUT = WORKER_DIR / "src" / "braid_worker" / "_proto"
GENERATED = ("worker_pb2.py", "worker_pb2.pyi")


def generate(out_dir: Path) -> list[Path]:
    """Generate the stubs into ``out_dir``; return the written files. Raises on protoc errors."""
    with tempfile.TemporaryDirectory(prefix="braid-protoc-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            PROTO_FILE,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"protoc failed ({done.returncode}): {done.stderr.strip()}")
        produced = Path(tmp) / Path(PROTO_FILE).parent
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name in GENERATED:
            target = out_dir / name
            shutil.copyfile(produced / name, target)
            written.append(target)
        return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
