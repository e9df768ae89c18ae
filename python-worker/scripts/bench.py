"""Rough throughput/latency check of one worker against an in-process fake gateway.

Not a test (timed assertions belong in bench/): prints pipelined calls/s for
``async def echo(x): return x`` and the sequential round-trip p50/p99.

    python python-worker/scripts/bench.py [--calls 200000] [--window 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import grpc.aio

from braid_worker._proto import worker_pb2 as pb

ECHO_MODULE = "async def echo(x):\n    return x\n"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--window", type=int, default=2000, help="calls in flight")
    parser.add_argument("--batch", type=int, default=200, help="invokes per GatewayBatch")
    parser.add_argument("--latency-calls", type=int, default=3000)
    opts = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bwb-"))
    (tmp / "bench_echo.py").write_text(ECHO_MODULE)
    sock = tmp / "gw.sock"
    sessions: asyncio.Queue[tuple[grpc.aio.ServicerContext, asyncio.Queue[pb.WorkerBatch]]]
    sessions = asyncio.Queue()

    async def connect(requests, context):  # type: ignore[no-untyped-def]
        inbox: asyncio.Queue[pb.WorkerBatch] = asyncio.Queue()
        sessions.put_nowait((context, inbox))
        async for batch in requests:
            inbox.put_nowait(batch)

    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "braid.worker.v1.WorkerHub",
                {
                    "Connect": grpc.stream_stream_rpc_method_handler(
                        connect,
                        request_deserializer=pb.WorkerBatch.FromString,
                        response_serializer=pb.GatewayBatch.SerializeToString,
                    )
                },
            ),
        )
    )
    server.add_insecure_port(f"unix:{sock}")
    await server.start()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(tmp),
        "BRAID_SOCKET": str(sock),
        "BRAID_MAX_IN_FLIGHT": str(max(opts.window, 1)),
    }
    proc = subprocess.Popen([sys.executable, "-m", "braid_worker"], env=env)
    try:
        context, inbox = await asyncio.wait_for(sessions.get(), 10)
        await inbox.get()  # Hello
        await context.write(pb.GatewayBatch(frames=[pb.GatewayFrame(welcome=pb.Welcome())]))
        args = pb.Payload(encoding="json", data=b"[1]")

        def invoke(call_id: int) -> pb.GatewayFrame:
            return pb.GatewayFrame(
                invoke=pb.Invoke(call_id=call_id, function="bench_echo:echo", args=args)
            )

        # Warm up: resolution, imports.
        await context.write(pb.GatewayBatch(frames=[invoke(1)]))
        await inbox.get()

        # Sequential latency.
        lat = []
        for i in range(opts.latency_calls):
            t0 = time.perf_counter()
            await context.write(pb.GatewayBatch(frames=[invoke(10 + i)]))
            await inbox.get()
            lat.append(time.perf_counter() - t0)
        lat.sort()
        p50 = statistics.median(lat) * 1e6
        p99 = lat[int(len(lat) * 0.99)] * 1e6
        print(f"sequential round trip: p50 {p50:.0f} us, p99 {p99:.0f} us")

        # Pipelined throughput: keep `window` calls in flight, `batch` invokes per message.
        next_id = 1_000_000
        sent = done = 0
        in_flight = 0
        t0 = time.perf_counter()
        while done < opts.calls:
            while in_flight < opts.window and sent < opts.calls:
                n = min(opts.batch, opts.window - in_flight, opts.calls - sent)
                await context.write(pb.GatewayBatch(frames=[invoke(next_id + k) for k in range(n)]))
                next_id += n
                sent += n
                in_flight += n
            batch = await inbox.get()
            got = sum(1 for f in batch.frames if f.WhichOneof("kind") == "outcome")
            done += got
            in_flight -= got
        elapsed = time.perf_counter() - t0
        rate = opts.calls / elapsed
        print(f"pipelined: {rate:,.0f} calls/s ({opts.calls} calls, window {opts.window})")
    finally:
        proc.terminate()
        proc.wait(10)
        await server.stop(None)


if __name__ == "__main__":
    asyncio.run(main())
