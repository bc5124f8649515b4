"""This computer's addresses on the local network, and the one to offer the profile on.

Nothing is sent on the network to find them: on Linux the interfaces are read with ioctl,
elsewhere the kernel is asked which source address it would use.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wizard.core.errors import NoNetworkError

# Linux ioctl numbers (linux/sockios.h); used to read interface addresses without sending
# anything on the network.
_SIOCGIFFLAGS = 0x8913
_SIOCGIFADDR = 0x8915
_IFF_UP = 0x1
_IFF_LOOPBACK = 0x8


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


def parse_default_route_interfaces(route_table: str) -> list[str]:
    """Interfaces that carry an IPv4 default route, from the text of /proc/net/route."""
    interfaces: list[str] = []
    for line in route_table.splitlines()[1:]:
        columns = line.split()
        if len(columns) < 8:
            continue
        name, destination, flags, mask = columns[0], columns[1], columns[3], columns[7]
        try:
            up = int(flags, 16) & 0x1  # RTF_UP
        except ValueError:
            continue
        if destination == "00000000" and mask == "00000000" and up and name not in interfaces:
            interfaces.append(name)
    return interfaces


def _is_candidate(address: str) -> bool:
    """Could a phone on the local network reach this address? (No loopback, no link-local.)"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def _linux_addresses() -> list[LocalAddress]:
    """IPv4 addresses of the interfaces that are up, read with ioctl (no packet is sent)."""
    import fcntl  # POSIX only; this function only runs on Linux

    try:
        routes = Path("/proc/net/route").read_text(encoding="ascii", errors="replace")
    except OSError:
        routes = ""
    defaults = parse_default_route_interfaces(routes)
    found: list[LocalAddress] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                flags = struct.unpack_from("H", fcntl.ioctl(probe, _SIOCGIFFLAGS, request), 16)[0]
                if not flags & _IFF_UP or flags & _IFF_LOOPBACK:
                    continue
                reply = fcntl.ioctl(probe, _SIOCGIFADDR, request)
            except OSError:
                continue  # no IPv4 address on this interface
            address = socket.inet_ntoa(reply[20:24])
            if _is_candidate(address):
                found.append(LocalAddress(name, address, default_route=name in defaults))
    return found


def _fallback_addresses() -> list[LocalAddress]:
    """Elsewhere (macOS, BSD): ask the kernel which source address it would use.

    connect() on a UDP socket only selects a route and a source address; no packet leaves
    the computer. 192.0.2.1 is a documentation address (RFC 5737) that nobody uses.
    """
    found: list[LocalAddress] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = str(probe.getsockname()[0])
        if _is_candidate(address):
            found.append(LocalAddress("default", address, default_route=True))
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if _is_candidate(address) and all(a.address != address for a in found):
                found.append(LocalAddress("host name", address))
    except OSError:
        pass
    return found


def local_addresses() -> list[LocalAddress]:
    """This computer's local-network IPv4 addresses, the default-route one first."""
    found = _linux_addresses() if sys.platform.startswith("linux") else _fallback_addresses()
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
