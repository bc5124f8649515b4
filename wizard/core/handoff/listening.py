"""Where the server listens: the socket address for a host, the host in a URL, bind errors."""

from __future__ import annotations

import errno
import ipaddress
import socket

from wizard.core.errors import PortInUseError, ServeError


def listen_error(exc: OSError, host: str, port: int) -> ServeError:
    """A bind failure as one line for the user, with the input it is about."""
    where = f"{host}:{port}" if port else host
    if exc.errno == errno.EADDRINUSE:
        return PortInUseError(
            f"port {port} on {host} is already in use by another program.", field="port"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return ServeError(f"{host} is not an address of this computer.", field="host")
    if exc.errno == errno.EACCES:
        return ServeError(
            f"cannot listen on {where}: permission denied (use a port above 1023).", field="port"
        )
    return ServeError(f"cannot listen on {where}: {exc.strerror or exc}.")


def bind_target(host: str, port: int) -> tuple[socket.AddressFamily, str]:
    """Socket family and address to bind for ``host`` (an IP address or a local name)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise ServeError(
                f"{host} is not an address of this computer (no such name).", field="host"
            ) from None
        family, _type, _proto, _name, sockaddr = infos[0]
        return family, str(sockaddr[0])
    if ip.is_unspecified or ip.is_multicast:
        raise ServeError(
            f"{host} is not an address the phone can open: give the address the phone "
            "should use, e.g. 192.168.1.20.",
            field="host",
        )
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return family, str(ip)


def url_host(host: str) -> str:
    """``host`` as written in a URL: IPv6 addresses go in brackets."""
    bare = host.strip("[]")
    try:
        if ipaddress.ip_address(bare).version == 6:
            return f"[{bare}]"
    except ValueError:
        pass
    return host
