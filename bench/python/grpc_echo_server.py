"""The naive gRPC baseline: a ``grpc.aio`` server with one unary method echoing its bytes.

    python grpc_echo_server.py SOCKET_PATH
    python grpc_echo_server.py tcp:127.0.0.1:PORT

No code generation: a generic handler with identity (de)serializers, so the request bytes are
handed back as they came. Listens on ``unix:SOCKET_PATH`` (or on the TCP address after ``tcp:``,
for the API section), prints ``ready``, serves until stdin closes (the bench closes it to stop
the server).
"""

from __future__ import annotations

import asyncio
import sys

import grpc
import grpc.aio

SERVICE = "bench.Echo"
METHOD = "Echo"


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def main() -> None:
    where = sys.argv[1]
    address = where[len("tcp:") :] if where.startswith("tcp:") else f"unix:{where}"
    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    METHOD: grpc.unary_unary_rpc_method_handler(
                        echo, request_deserializer=None, response_serializer=None
                    )
                },
            ),
        )
    )
    server.add_insecure_port(address)
    await server.start()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    # stdin closing (the bench ending, or dying) is the stop signal
    await loop.run_in_executor(None, sys.stdin.read)
    await server.stop(grace=1.0)


if __name__ == "__main__":
    asyncio.run(main())
