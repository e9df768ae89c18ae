"""Wire-level constants and frame builders for ``braid.worker.v1``.

Each ``send_*`` function appends one frame to a BatchWriter, filling the message in place
(cheaper than building sub-messages and copying them). Loop-thread only, like the writer.
"""

from __future__ import annotations

import os
import platform

from . import _json
from ._proto import worker_pb2 as pb
from ._writer import BatchWriter

CONNECT_METHOD = "/braid.worker.v1.WorkerHub/Connect"
PROTOCOL_VERSION = "1"
LANGUAGE = "python"
DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024

serialize_batch = pb.WorkerBatch.SerializeToString
deserialize_batch = pb.GatewayBatch.FromString


def runtime_version() -> str:
    """E.g. ``"CPython 3.11.7"``."""
    return f"{platform.python_implementation()} {platform.python_version()}"


def send_hello(
    writer: BatchWriter,
    *,
    worker_id: str,
    token: str,
    max_in_flight: int,
    catalog: list[pb.FunctionInfo],
    module_errors: list[pb.ModuleError] | None = None,
    pool: str = "",
) -> None:
    hello = writer.frame(sum(len(f.signature) + len(f.name) + len(f.doc) for f in catalog)).hello
    hello.language = LANGUAGE
    hello.runtime_version = runtime_version()
    hello.worker_id = worker_id
    hello.token = token
    hello.max_in_flight = max_in_flight
    hello.catalog.extend(catalog)
    hello.module_errors.extend(module_errors or [])
    hello.pid = os.getpid()
    hello.protocol_version = PROTOCOL_VERSION
    if pool:
        hello.pool = pool


def send_value(writer: BatchWriter, call_id: int, data: bytes, items: int = 0) -> None:
    outcome = writer.frame(len(data)).outcome
    outcome.call_id = call_id
    value = outcome.value
    value.encoding = _json.ENCODING
    value.data = data
    if items:
        outcome.items = items


def send_failure(writer: BatchWriter, call_id: int, failure: pb.Failure, items: int = 0) -> None:
    outcome = writer.frame(failure.ByteSize()).outcome
    outcome.call_id = call_id
    outcome.failure.CopyFrom(failure)
    if items:
        outcome.items = items


def send_item(writer: BatchWriter, call_id: int, seq: int, data: bytes) -> None:
    item = writer.frame(len(data)).item
    item.call_id = call_id
    item.seq = seq
    value = item.value
    value.encoding = _json.ENCODING
    value.data = data


def send_heartbeat(writer: BatchWriter, call_id: int, details: bytes | None) -> None:
    heartbeat = writer.frame(len(details) if details else 0).heartbeat
    heartbeat.call_id = call_id
    if details is not None:
        heartbeat.details.encoding = _json.ENCODING
        heartbeat.details.data = details


def send_pong(writer: BatchWriter, seq: int, in_flight: int) -> None:
    pong = writer.frame().pong
    pong.seq = seq
    pong.in_flight = in_flight
