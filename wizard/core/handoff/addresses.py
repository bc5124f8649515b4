"""This computer's local-network addresses (from ifaddr), and the one to offer the profile on:
a private one first, since a public or carrier-shared one may be out of the phone's reach,
and within reach of others."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import ifaddr

from wizard.core.errors import NoNetworkError, ServeError

log = logging.getLogger(__name__)

#: RFC 1918 and IPv6 unique local. Not a carrier's shared 100.64.0.0/10 (CGNAT), nor
#: ``ip.is_private``: it counts documentation ranges such as 203.0.113.0/24.
_PRIVATE = [
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
]


@dataclass(frozen=True)
class LocalAddress:
    """An address of this computer that a phone on the same network might reach."""

    interface: str
    address: str
    default_route: bool = False


@dataclass(frozen=True)
class HostChoice:
    """The address to serve on, and every candidate found (for the user to see)."""

    address: str
    candidates: tuple[LocalAddress, ...]
    detected: bool

    @property
    def others(self) -> tuple[LocalAddress, ...]:
        return tuple(c for c in self.candidates if c.address != self.address)


def _is_candidate(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def default_route_address() -> str | None:
    """The IPv4 address this computer would reach the internet from (connecting a UDP socket
    only chooses the route: nothing is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address (RFC 5737)
            address = str(probe.getsockname()[0])
    except OSError:  # no route at all: not connected to any network
        return None
    return address if _is_candidate(address) else None


def _interfaces() -> Iterator[tuple[str, str]]:
    """(name, address) of every interface address, by the name people know ("Wi-Fi" on
    Windows, where the adapter's is a GUID; "en0"; "wlan0")."""
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            address = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            yield str(ip.nice_name or adapter.name), str(ipaddress.ip_address(address))


def local_addresses() -> list[LocalAddress]:
    """This computer's local-network IPv4 addresses: private first, then the default route's."""
    try:
        listed = [(name, address) for name, address in _interfaces() if "." in address]
    except (OSError, ValueError, AttributeError):  # the system's interface API failed
        log.warning("cannot list the network interfaces", exc_info=True)
        try:  # the last resort: what the computer's own name resolves to
            infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        except OSError:
            infos = []
        listed = [("host name", str(info[4][0])) for info in infos]
    names: dict[str, str] = {}  # address -> the first interface that has it
    for name, address in listed:
        if _is_candidate(address):
            names.setdefault(address, name)
    default = default_route_address()
    if default is not None:
        names.setdefault(default, "default route")  # one the listing missed
    found = [LocalAddress(name, address, address == default) for address, name in names.items()]
    return sorted(found, key=lambda a: (not is_private(a.address), not a.default_route))


def choose_host(host: str | None) -> HostChoice:
    """``host`` if it is this computer's, else the best address found (blocks on a lookup)."""
    if host:
        return HostChoice(own_address(host), (), detected=False)
    candidates = tuple(local_addresses())
    if not candidates:
        raise NoNetworkError(
            "no network interface with a local-network address was found; connect this "
            "computer to the iPhone's Wi-Fi, or give the address to serve on.",
            field="host",
        )
    return HostChoice(candidates[0].address, candidates, detected=True)


def own_address(host: str) -> str:
    """The address ``host`` resolves to if it is this computer's, else ServeError. What it
    resolves to is checked, not its spelling: ``0``, ``0x0`` and ``::ffff:0.0.0.0`` are all
    the any-address."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ServeError(
            f"{host} is not an address of this computer (no such name).", field="host"
        ) from None
    try:
        own: set[str] | None = {address for _, address in _interfaces()}
    except (OSError, ValueError, AttributeError):
        own = None  # the interfaces cannot be listed: binding will tell
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_unspecified or ip.is_multicast:
            raise ServeError(
                f"{host} is not an address the phone can open: give the address the phone "
                "should use, e.g. 192.168.1.20.",
                field="host",
            )
        if ip.is_loopback or own is None or str(ip) in own:
            return str(ip)
    raise ServeError(f"{host} is not an address of this computer.", field="host")


def is_private(address: str) -> bool:
    """True for a home or office network's address (not public, not a carrier's)."""
    ip = ipaddress.ip_address(address.strip("[]"))
    return any(ip in network for network in _PRIVATE)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost: the phone cannot reach those."""
    try:
        return host.lower() == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def address_note(address: str) -> str | None:
    """What the user should know about serving on ``address``, if anything."""
    if is_loopback(address):
        return f"{address} is this computer only; the iPhone cannot reach it."
    if not is_private(address):
        return (
            f"{address} is not a home or office network address (it is public, or shared "
            "by a mobile carrier): the iPhone may not reach it, and others outside this "
            "network might. Connect this computer to the iPhone's Wi-Fi."
        )
    return None
