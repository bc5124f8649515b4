"""This computer's addresses on the local network, and the one to offer the profile on.

The interfaces and their addresses come from ifaddr, which asks the operating system the
same way on Linux, macOS and Windows (getifaddrs, GetAdaptersAddresses). The default-route
address is the one the operating system would send from to reach the internet; connecting
a UDP socket only chooses that route, so no packet leaves the computer.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import ifaddr

from wizard.core.errors import NoNetworkError

log = logging.getLogger(__name__)

#: Where the route is looked up to. A documentation address (RFC 5737) nobody uses: it is
#: reached through the default route like any address on the internet, and nothing is sent.
_ROUTE_PROBE = ("192.0.2.1", 9)


@dataclass(frozen=True)
class LocalAddress:
    """An address of this computer that a phone on the same network might reach."""

    interface: str
    address: str
    default_route: bool = False


@dataclass(frozen=True)
class HostChoice:
    """The address to serve on, and every candidate that was found (for the user to see)."""

    address: str
    candidates: tuple[LocalAddress, ...]
    detected: bool

    @property
    def others(self) -> tuple[LocalAddress, ...]:
        """Candidates other than the chosen address."""
        return tuple(c for c in self.candidates if c.address != self.address)


def _is_candidate(address: str) -> bool:
    """Could a phone on the local network reach this address? (No loopback, no link-local.)"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def default_route_address() -> str | None:
    """The IPv4 address this computer would send from to reach the internet, if any.

    connect() on a UDP socket only selects a route and a source address; no packet leaves
    the computer.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ROUTE_PROBE)
            address = str(probe.getsockname()[0])
    except OSError:  # no route at all: not connected to any network
        return None
    return address if _is_candidate(address) else None


def interface_addresses() -> list[LocalAddress]:
    """Every local-network IPv4 address of every interface, as the operating system lists
    them (no loopback, no link-local)."""
    found: list[LocalAddress] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            address = str(ip.ip)
            if ip.is_IPv4 and _is_candidate(address) and all(a.address != address for a in found):
                # An address's own name is the one people know: "Wi-Fi" on Windows
                # (the adapter's is a GUID), "en0" on a Mac, "wlan0" on Linux.
                found.append(LocalAddress(str(ip.nice_name or adapter.name), address))
    return found


def _host_name_addresses() -> list[LocalAddress]:
    """What the computer's own name resolves to: the last resort when the interfaces
    cannot be listed."""
    found: list[LocalAddress] = []
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return found
    for info in infos:
        address = str(info[4][0])
        if _is_candidate(address) and all(a.address != address for a in found):
            found.append(LocalAddress("host name", address))
    return found


def local_addresses() -> list[LocalAddress]:
    """This computer's local-network IPv4 addresses, the default-route one first."""
    try:
        found = interface_addresses()
    except (OSError, ValueError, AttributeError):  # the system's interface API failed
        log.warning("cannot list the network interfaces", exc_info=True)
        found = _host_name_addresses()
    default = default_route_address()
    if default is not None:
        if any(a.address == default for a in found):
            found = [
                LocalAddress(a.interface, a.address, default_route=a.address == default)
                for a in found
            ]
        else:  # an interface the listing missed (or could not read)
            found.insert(0, LocalAddress("default route", default, default_route=True))
    return sorted(found, key=lambda a: not a.default_route)


def choose_host(host: str | None) -> HostChoice:
    """The address to serve on: ``host`` if given, else the default-route interface's."""
    if host:
        return HostChoice(address=host, candidates=(), detected=False)
    candidates = tuple(local_addresses())
    if not candidates:
        raise NoNetworkError(
            "no network interface with a local-network address was found; connect this "
            "computer to the iPhone's Wi-Fi, or give the address to serve on.",
            field="host",
        )
    best = candidates[0]
    return HostChoice(address=best.address, candidates=candidates, detected=True)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost: the phone cannot reach those."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def describe_candidates(candidates: Iterable[LocalAddress]) -> list[str]:
    """Candidates as lines like ``192.168.1.20 (wlan0, default route)``."""
    lines = []
    for candidate in candidates:
        notes = [candidate.interface] if candidate.interface else []
        if candidate.default_route:
            notes.append("default route")
        suffix = f" ({', '.join(notes)})" if notes else ""
        lines.append(f"{candidate.address}{suffix}")
    return lines
