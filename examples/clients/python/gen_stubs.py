"""Regenerate (or check) the Python stubs of the public API, braid/api/v1/api.proto.

The example client imports the generated modules from ``gen/`` next to this file, so that it
needs only ``grpcio`` and ``protobuf`` at run time. They are generated with grpcio-tools 1.80.0,
the version the Python worker pins (protobuf 6 gencode)::

    python -m pip install grpcio-tools==1.80.0
    python examples/clients/python/gen_stubs.py           # write gen/
    python examples/clients/python/gen_stubs.py --check   # exit 1 if gen/ is stale
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO_ROOT = HERE.parents[2] / "proto"
PROTO_FILE = "braid/api/v1/api.proto"
OUT = HERE / "gen"
GENERATED = ("api_pb2.py", "api_pb2.pyi", "api_pb2_grpc.py")


def generate(out_dir: Path) -> list[Path]:
    """Run protoc into ``out_dir/braid/api/v1``; return the written files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        PROTO_FILE,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"protoc failed ({done.returncode}): {done.stderr.strip()}")
    target = out_dir / Path(PROTO_FILE).parent
    return [target / name for name in GENERATED]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if not args.check:
        for path in generate(OUT):
            print(path.relative_to(HERE))
        return 0
    with tempfile.TemporaryDirectory(prefix="braid-stubs-") as tmp:
        stale = [
            str(fresh.relative_to(tmp))
            for fresh in generate(Path(tmp))
            if not (OUT / fresh.relative_to(tmp)).exists()
            or not filecmp.cmp(fresh, OUT / fresh.relative_to(tmp), shallow=False)
        ]
    if stale:
        print(f"stale stubs: {', '.join(stale)}; run {Path(__file__).name}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
