"""Resolving a host name and opening a TCP connection to an endpoint (Happy Eyeballs).

A server name often has IPv6 and IPv4 addresses, and on many home, hotel and VPN networks
the IPv6 path is dead: nothing answers, not even a refusal. Trying the addresses one after
another would spend the whole timeout on the first one. RFC 8305 ("Happy Eyeballs") starts
the next address 250 ms after the previous one, alternating families, and keeps the first
connection that succeeds; aiohappyeyeballs (the aiohttp project's) implements it.

The protocol clients are handed the connected socket, so the time spent looking up the name
and connecting is measured apart from the time spent on TLS and the greeting.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohappyeyeballs

from wizard.core.models import Endpoint, Status
from wizard.core.probes.base import ProbeFailure

#: RFC 8305's recommended "connection attempt delay": the next address starts this long
#: after the previous one unless that one failed sooner.
HAPPY_EYEBALLS_DELAY = 0.25

_FAMILY_NAMES = {socket.AF_INET6: "IPv6", socket.AF_INET: "IPv4"}
_UNREACHABLE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)


@dataclass(frozen=True)
class Route:
    """Where a connection went: the name's address families in the order they are tried
    (``"IPv6"``, ``"IPv4"``), and the address that accepted it (None until one did)."""

    families: tuple[str, ...]
    address: str | None = None


#: Told what connecting learned: once the name is resolved, and again once connected.
RouteCallback = Callable[[Route], None]


def _families(infos: Sequence[aiohappyeyeballs.AddrInfoType]) -> tuple[str, ...]:
    names: list[str] = []
    for info in infos:
        name = _FAMILY_NAMES.get(socket.AddressFamily(info[0]), str(info[0]))
        if name not in names:
            names.append(name)
    return tuple(names)


async def connect_socket(
    endpoint: Endpoint, on_route: RouteCallback | None = None
) -> socket.socket:
    """Resolve the host name and connect to its addresses the Happy Eyeballs way.

    Returns the first connected (non-blocking) socket; raises ProbeFailure when the name
    has no address or no address accepted the connection.
    """
    report = on_route or (lambda _route: None)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            endpoint.host, endpoint.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except socket.gaierror as exc:
        raise ProbeFailure(
            Status.DNS_FAILED, f"cannot look up {endpoint.host}: {exc.strerror}"
        ) from None
    if not infos:
        raise ProbeFailure(Status.DNS_FAILED, f"{endpoint.host} has no address")
    families = _families(infos)
    report(Route(families))
    try:
        sock = await aiohappyeyeballs.start_connection(
            infos, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY, interleave=1
        )
    except OSError as exc:
        raise _connect_failure(endpoint, exc) from None
    try:
        address = str(sock.getpeername()[0])
    except OSError:  # the server hung up already; the protocol will say so
        address = None
    report(Route(families, address))
    return sock


def _connect_failure(endpoint: Endpoint, exc: OSError) -> ProbeFailure:
    """Every address failed: the status and words for the way they failed."""
    where = f"{endpoint.host}:{endpoint.port}"
    if isinstance(exc, ConnectionRefusedError):
        return ProbeFailure(
            Status.CONNECTION_REFUSED,
            f"{endpoint.host} refused the connection on port {endpoint.port}",
        )
    if exc.errno in _UNREACHABLE:
        return ProbeFailure(
            Status.CONNECTION_REFUSED,
            f"{endpoint.host} port {endpoint.port} cannot be reached from this network "
            f"({exc.strerror})",
        )
    if isinstance(exc, TimeoutError):
        return ProbeFailure(Status.TIMEOUT, f"no answer from {where}")
    if exc.errno is None:
        # The addresses failed in different ways (say IPv6 unreachable, IPv4 refused);
        # aiohappyeyeballs joins their messages, which are too technical to show.
        return ProbeFailure(
            Status.CONNECTION_REFUSED, f"no address of {endpoint.host} accepted the connection"
        )
    return ProbeFailure(
        Status.CONNECTION_REFUSED, f"cannot connect to {where} ({exc.strerror or exc})"
    )
