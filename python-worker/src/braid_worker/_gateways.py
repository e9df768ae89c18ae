"""Which gateways a standalone worker dials, and its share of ``max_in_flight`` on each.

``--connect`` names one or more ``HOST:PORT`` (comma-separated). A HOST that is a name is
resolved to every address it has: behind a name that resolves to all gateways (a Kubernetes
headless Service), the worker keeps one stream to each, so every gateway can place calls on it.
Its ``max_in_flight`` is split across the streams, so the worker as a whole never runs more.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Gateway:
    """One gateway to dial: ``address`` is ``IP:PORT`` (or a literal target as given), and
    ``server_name`` the name its TLS certificate is checked against (empty: the address)."""

    address: str
    server_name: str = ""


def split(max_in_flight: int, streams: int) -> int:
    """Each stream's share: ``max_in_flight // streams``, at least 1."""
    return max(1, max_in_flight // max(1, streams))


def _host_port(entry: str) -> tuple[str, str]:
    host, _, port = entry.strip().rpartition(":")
    return host.strip("[]"), port


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def resolve(target: str) -> list[Gateway]:
    """Every gateway ``target`` names, in a stable order, without duplicates. Raises OSError
    when a name does not resolve."""
    loop = asyncio.get_running_loop()
    out: list[Gateway] = []
    for entry in target.split(","):
        host, port = _host_port(entry)
        if _is_ip(host) or host == "localhost" or entry.startswith("unix:"):
            out.append(Gateway(entry.strip()))
            continue
        infos = await loop.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
        for *_, sockaddr in sorted(infos, key=lambda i: str(i[4][0])):
            ip = str(sockaddr[0])
            address = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
            out.append(Gateway(address, server_name=host))
    unique: dict[str, Gateway] = {}
    for g in out:
        unique.setdefault(g.address, g)
    return list(unique.values())
