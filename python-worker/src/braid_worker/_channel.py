"""The gRPC channel to the gateway: a Unix socket, or TCP (+TLS) for a standalone worker.

Keepalive matters only across a network: HTTP/2 pings on an otherwise silent connection make
a cut link fail the stream (and so every call on it) instead of hanging it.
"""

from __future__ import annotations

from typing import Any

import grpc
import grpc.aio

from ._config import Config

# Payload limits are the gateway's (Welcome.max_payload_bytes), not gRPC's.
_BASE_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
    ("grpc.enable_retries", 0),
]


def open_channel(config: Config) -> grpc.aio.Channel:
    """A channel to ``config.target``: TLS when ``config.tls`` is set, plaintext otherwise."""
    options = list(_BASE_OPTIONS)
    if config.pool:
        options += [
            ("grpc.keepalive_time_ms", config.keepalive_ms),
            ("grpc.keepalive_timeout_ms", config.keepalive_ms),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.max_pings_without_data", 0),
        ]
    if config.server_name:
        # dialing one address of a name: TLS and :authority still say the name
        options += [
            ("grpc.ssl_target_name_override", config.server_name),
            ("grpc.default_authority", config.server_name),
        ]
    if config.tls is None:
        return grpc.aio.insecure_channel(config.target, options=options)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=config.tls.ca,
        private_key=config.tls.key,
        certificate_chain=config.tls.cert,
    )
    return grpc.aio.secure_channel(config.target, credentials, options=options)
