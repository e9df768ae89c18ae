"""A stand-in inventory service for the http-fanout example, on 127.0.0.1 only.

    python3 examples/http-fanout/server.py 8765     # 0: any free port

Prints its base URL on its first line.

GET /items/N answers {"id": N, "stock": ...} for N in 1..3 and 5, 404 for anything else, and
503 to the first request for item 3 (so the workflow's retry shows). POST /reports answers 201
with the number of outcomes it received. Every request needs "Authorization: Bearer TOKEN",
TOKEN from the environment variable INVENTORY_TOKEN (default s3cret). Like many a debugging
server, the 404 echoes the request's Authorization header: the token reaches the step's failure,
where Braid shows it as ***.
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "Bearer " + os.environ.get("INVENTORY_TOKEN", "s3cret")
_seen: set[str] = set()


class Inventory(BaseHTTPRequestHandler):
    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != TOKEN:
            self._send(401, {"error": "unauthorized"})
            return
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "items" or parts[1] not in {"1", "2", "3", "5"}:
            echoed = self.headers.get("Authorization")
            self._send(404, {"error": "no such item", "authorization": echoed})
            return
        if parts[1] == "3" and self.path not in _seen:
            _seen.add(self.path)
            self._send(503, {"error": "busy, try again"})
            return
        self._send(200, {"id": int(parts[1]), "stock": int(parts[1]) * 10})

    def do_POST(self) -> None:
        if self.headers.get("Authorization") != TOKEN:
            self._send(401, {"error": "unauthorized"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        report = json.loads(self.rfile.read(min(length, 1 << 20)) or b"{}")
        self._send(201, {"received": len(report.get("items", []))})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8765), Inventory)
    # port 0 picks a free port: the first line says which (the examples test reads it)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
