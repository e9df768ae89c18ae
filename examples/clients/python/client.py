"""A Python client of `braid serve`: run a workflow and stream its events, then cancel a run midway.

Start a server (from the repository root), then run this with the same token::

    BRAID_TOKENS=demo-token ./braid serve --workflows examples/clients/flows &
    BRAID_TOKEN=demo-token .venv/bin/python examples/clients/python/client.py

Only ``grpcio`` and ``protobuf`` are needed: the stubs are generated into ``gen/`` (see
gen_stubs.py). Every call sends ``authorization: Bearer <token>`` metadata.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent / "gen"))

from braid.api.v1 import api_pb2, api_pb2_grpc

FAILURE_TRAILER = "braid-failure-bin"


def describe(event: api_pb2.RunEvent) -> str:
    """One line per event: time, type, step and how it ended."""
    kind = api_pb2.EventType.Name(event.type).removeprefix("EVENT_TYPE_").lower()
    line = f"{event.t_ms:9.1f}ms  #{event.seq:<3} {kind:<16} {event.step}"
    if event.status:
        line += f"  {api_pb2.EventStatus.Name(event.status).removeprefix('EVENT_STATUS_').lower()}"
    if event.HasField("error"):
        line += f"  {event.error.type}: {event.error.message}"
    return line


def run_and_stream(stub: api_pb2_grpc.BraidStub, metadata, n: int) -> str:
    """RunWorkflow: print every event as it comes; the last one is the outcome."""
    request = api_pb2.RunWorkflowRequest(name="ticks", input_json=json.dumps({"n": n}))
    outcome = None
    # the client's deadline becomes the run's deadline on the server
    for event in stub.RunWorkflow(request, metadata=metadata, timeout=30):
        print(describe(event))
        outcome = event
    if outcome.status == api_pb2.EVENT_STATUS_OK:
        print(f"run finished: ok, result {outcome.result_json}")
    else:
        print(f"run finished: {api_pb2.EventStatus.Name(outcome.status)}: {outcome.error.message}")
    return outcome.run_id


def cancel_midway(stub: api_pb2_grpc.BraidStub, metadata, after: int) -> None:
    """Start a long run, cancel the RPC after `after` ticks: the server cancels the run."""
    request = api_pb2.RunWorkflowRequest(
        name="ticks", input_json=json.dumps({"n": 1000, "delay": 0.05})
    )
    call = stub.RunWorkflow(request, metadata=metadata, timeout=60)
    run_id = None
    done = 0
    try:
        for event in call:
            run_id = run_id or event.run_id
            print(describe(event))
            if event.type == api_pb2.EVENT_TYPE_STEP_FINISHED and event.step.startswith("ticks.do"):
                done += 1
                if done == after:
                    print(f"cancelling run {run_id} after {done} ticks")
                    call.cancel()
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.CANCELLED:
            raise
        print("the stream ended: CANCELLED (by us)")
    # the run itself was cancelled on the server, and its functions saw it
    info = None
    for _ in range(100):
        info = stub.GetRun(api_pb2.GetRunRequest(run_id=run_id), metadata=metadata, timeout=10)
        if info.state != api_pb2.RUN_STATE_RUNNING:
            break
        time.sleep(0.05)
    print(f"run {run_id} is now {api_pb2.RunState.Name(info.state)}: {info.failure.message}")


def show_errors(stub: api_pb2_grpc.BraidStub, metadata) -> None:
    """How failures arrive: application failures as data, the rest as status + trailer."""
    r = stub.Invoke(
        api_pb2.InvokeRequest(function="python:ticker:tick_at", args_json="[-1]"),
        metadata=metadata,
        timeout=10,
    )
    print(f"the function raised: {r.failure.type}: {r.failure.message} ({r.failure.language})")
    try:
        stub.Invoke(
            api_pb2.InvokeRequest(function="python:ticker:nope"), metadata=metadata, timeout=10
        )
    except grpc.RpcError as e:
        trailer = dict(e.trailing_metadata() or ()).get(FAILURE_TRAILER)
        failure = api_pb2.Failure.FromString(trailer) if trailer else None
        print(f"unknown function: {e.code().name}: {e.details()}")
        if failure is not None:
            print(f"  failure record: code {api_pb2.Code.Name(failure.code)}, type {failure.type}")
    try:
        stub.ListFunctions(api_pb2.ListFunctionsRequest(), timeout=10)
    except grpc.RpcError as e:
        print(f"without a token: {e.code().name}: {e.details()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=os.environ.get("BRAID_TARGET", "localhost:7070"))
    parser.add_argument("--token", default=os.environ.get("BRAID_TOKEN", ""))
    parser.add_argument("--ca", type=Path, help="PEM certificate to trust: connect with TLS")
    parser.add_argument("--ticks", type=int, default=5, help="ticks of the first run")
    parser.add_argument("--cancel-after", type=int, default=3, help="ticks before cancelling")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("no token: set BRAID_TOKEN or pass --token")

    if args.ca:
        creds = grpc.ssl_channel_credentials(root_certificates=args.ca.read_bytes())
        channel = grpc.secure_channel(args.target, creds)
    else:
        channel = grpc.insecure_channel(args.target)
    metadata = (("authorization", f"Bearer {args.token}"),)
    with channel:
        stub = api_pb2_grpc.BraidStub(channel)
        print("== run a workflow, streaming its events")
        run_and_stream(stub, metadata, args.ticks)
        print("== cancel a run midway")
        cancel_midway(stub, metadata, args.cancel_after)
        print("== errors")
        show_errors(stub, metadata)
    return 0


if __name__ == "__main__":
    sys.exit(main())
