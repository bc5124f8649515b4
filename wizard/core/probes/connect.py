"""Connecting the Happy Eyeballs way (RFC 8305): on many networks IPv6 is dead (not even a
refusal), so each address starts 250 ms after the last and the first to connect wins.
``dialling(dial)`` sends (host, port) elsewhere (stand-ins); TLS still checks the host name."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import re
import socket
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import aiohappyeyeballs

from wizard.core.errors import ResourceLimitError
from wizard.core.models import Endpoint, Status
from wizard.core.probes.base import ProbeFailure

#: RFC 8305's recommended "connection attempt delay".
HAPPY_EYEBALLS_DELAY = 0.25

#: (host, port) -> (address, port) to dial instead.
Dial = Mapping[tuple[str, int], tuple[str, int]]

_FAMILY_NAMES = {socket.AF_INET6: "IPv6", socket.AF_INET: "IPv4"}
_UNREACHABLE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL})
_OUT_OF_FILES = frozenset({errno.EMFILE, errno.ENFILE})
_DIAL: contextvars.ContextVar[Dial] = contextvars.ContextVar(
    "dial", default=types.MappingProxyType({})
)


@dataclass(frozen=True)
class Route:
    """The name's address families in the order tried, and the address that accepted."""

    families: tuple[str, ...]
    address: str | None = None


#: Told the route once the name is resolved, and again once connected.
RouteCallback = Callable[[Route], None]


@contextlib.contextmanager
def dialling(dial: Dial) -> Iterator[None]:
    """Within the block (and the tasks it starts), connect to ``dial``'s addresses instead."""
    token = _DIAL.set(dial)
    try:
        yield
    finally:
        _DIAL.reset(token)


async def connect_socket(
    endpoint: Endpoint, on_route: RouteCallback | None = None
) -> socket.socket:
    """The first connected (non-blocking) socket; ProbeFailure when no address answered,
    ResourceLimitError when this computer cannot open another socket."""
    report = on_route or (lambda _route: None)
    host, port = _DIAL.get().get((endpoint.host, endpoint.port), (endpoint.host, endpoint.port))
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except socket.gaierror as exc:
        raise ProbeFailure(
            Status.DNS_FAILED, f"cannot look up {endpoint.host}: {exc.strerror}"
        ) from None
    except OSError as exc:  # the system's own failure (EAI_SYSTEM), not the name's
        raise out_of_files(exc) or exc from None
    if not infos:
        raise ProbeFailure(Status.DNS_FAILED, f"{endpoint.host} has no address")
    families = tuple(dict.fromkeys(_FAMILY_NAMES.get(info[0], str(info[0])) for info in infos))
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


def _errnos(exc: OSError) -> set[int]:
    """The error numbers behind a failed connection (aiohappyeyeballs may join several)."""
    if exc.errno is not None:
        return {exc.errno}
    return {int(number) for number in re.findall(r"\[Errno (\d+)\]", str(exc))}


def out_of_files(exc: OSError) -> ResourceLimitError | None:
    """The error that stops the check when this computer has no file descriptor left."""
    if not _errnos(exc) & _OUT_OF_FILES:
        return None
    return ResourceLimitError(
        "this computer cannot open another connection (too many open files): close some "
        "programs, or raise the limit (ulimit -n), then check again."
    )


def _connect_failure(endpoint: Endpoint, exc: OSError) -> ProbeFailure | ResourceLimitError:
    host, port = endpoint.host, endpoint.port
    numbers = _errnos(exc)
    if limit := out_of_files(exc):
        return limit
    if isinstance(exc, ConnectionRefusedError) or errno.ECONNREFUSED in numbers:
        # A refusal is the server's computer's answer: it wins over an unreachable address.
        return ProbeFailure(
            Status.CONNECTION_REFUSED, f"{host} refused the connection on port {port}"
        )
    if numbers and numbers <= _UNREACHABLE:
        return ProbeFailure(
            Status.NO_ROUTE,
            f"no route from this network to {host} port {port} ({exc.strerror or 'unreachable'})",
        )
    if isinstance(exc, TimeoutError) or numbers == {errno.ETIMEDOUT}:
        return ProbeFailure(Status.TIMEOUT, f"no answer from {host}:{port}")
    if exc.errno is None:  # every address's joined messages: too technical to show
        return ProbeFailure(
            Status.CONNECTION_REFUSED, f"no address of {host} accepted the connection"
        )
    return ProbeFailure(
        Status.CONNECTION_REFUSED, f"cannot connect to {host}:{port} ({exc.strerror or exc})"
    )
