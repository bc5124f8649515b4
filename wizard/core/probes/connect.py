"""Resolving a host name and opening a TCP connection to an endpoint.

The protocol clients are handed the connected socket, so the time spent looking up the name
and connecting is measured apart from the time spent on TLS and the greeting.
"""

from __future__ import annotations

import asyncio
import errno
import socket

from wizard.core.models import Endpoint, Status
from wizard.core.probes.base import ProbeFailure


async def connect_socket(endpoint: Endpoint) -> socket.socket:
    """Resolve the host name and open a TCP connection (non-blocking socket)."""
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
    last_error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    assert last_error is not None
    if isinstance(last_error, ConnectionRefusedError):
        raise ProbeFailure(
            Status.CONNECTION_REFUSED,
            f"{endpoint.host} refused the connection on port {endpoint.port}",
        )
    if last_error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        raise ProbeFailure(
            Status.CONNECTION_REFUSED,
            f"{endpoint.host} port {endpoint.port} cannot be reached from this network "
            f"({last_error.strerror})",
        )
    if isinstance(last_error, TimeoutError):
        raise ProbeFailure(Status.TIMEOUT, f"no answer from {endpoint.host}:{endpoint.port}")
    raise ProbeFailure(
        Status.CONNECTION_REFUSED,
        f"cannot connect to {endpoint.host}:{endpoint.port} ({last_error.strerror or last_error})",
    )
