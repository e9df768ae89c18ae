"""The floor: a plain Unix-socket echo of length-prefixed messages (no gRPC, no asyncio).

    python floor_echo.py SOCKET_PATH

Listens on SOCKET_PATH, prints ``ready`` once listening, serves one connection and exits
when it closes. Each message is a 4-byte big-endian length and that many bytes; the server
parses every message and echoes it, writing all the replies it has ready in one ``sendall``
(so a pipelined client is answered at the speed of the socket, not one syscall per message).
"""

from __future__ import annotations

import os
import socket
import sys

_HEADER = 4


def serve(conn: socket.socket) -> None:
    buf = bytearray()
    recv = conn.recv
    while True:
        chunk = recv(1 << 16)
        if not chunk:
            return
        buf += chunk
        out: list[bytes] = []
        pos = 0
        end = len(buf)
        while end - pos >= _HEADER:
            size = int.from_bytes(buf[pos : pos + _HEADER], "big")
            if end - pos - _HEADER < size:
                break
            out.append(bytes(buf[pos : pos + _HEADER + size]))
            pos += _HEADER + size
        if out:
            conn.sendall(b"".join(out))
            del buf[:pos]


def main() -> None:
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        server.settimeout(60)  # never linger if the bench died before connecting
        print("ready", flush=True)
        conn, _ = server.accept()
        conn.settimeout(None)
        with conn:
            serve(conn)


if __name__ == "__main__":
    main()
