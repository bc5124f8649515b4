"""Hand a profile to the iPhone: one secret link on the local network, shown as a QR code.

The phone's Camera reads the QR code, Safari downloads the profile and hands it to Settings.
The link is served over plain HTTP (the phone would not trust a self-made certificate), so
the path carries 128 random bits, only one complete download is served, and the server
stops by itself after that download or after a time limit.

Typical use (the CLI and the TUI both do this)::

    profile = load_profile_file(path)          # ProfileFileError: not servable
    choice = choose_host(None)                 # NoNetworkError: suggest --host
    server = ProfileServer(profile, host=choice.address)
    url = server.start()                       # PortInUseError, ServeError
    print(qr_text(url))
    reason = server.wait()                     # or: await server.wait_async()

``stop()`` is safe at any time, from any thread; ``wait()`` then returns ``cancelled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import ipaddress
import os
import plistlib
import re
import secrets
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import segno

from wizard.core.errors import NoNetworkError, PortInUseError, ProfileFileError, ServeError

PROFILE_CONTENT_TYPE = "application/x-apple-aspen-config"
MAX_PROFILE_BYTES = 1024 * 1024
DEFAULT_MINUTES = 10.0
# Apple deletes a downloaded profile that is not installed within 8 minutes.
INSTALL_WINDOW_MINUTES = 8
# 16 random bytes = 128 bits; token_urlsafe makes them 22 URL-safe characters, which keeps
# the whole URL short enough for a small QR code (version 3 or 4 for an IPv4 address).
TOKEN_BYTES = 16
# Quiet zone around the QR code in modules. The standard asks for 4; 2 is what terminal QR
# tools commonly use, the iPhone camera reads it, and it keeps the code within 24 lines.
QR_BORDER = 2
# How long a finished download waits for the phone to close the connection (see _send).
_CLOSE_GRACE_SECONDS = 5.0
# A client that stalls while sending its request or receiving the file is dropped after this.
_SOCKET_TIMEOUT_SECONDS = 15.0
# Linux ioctl numbers (linux/sockios.h); used to read interface addresses without sending
# anything on the network.
_SIOCGIFFLAGS = 0x8913
_SIOCGIFADDR = 0x8915
_IFF_UP = 0x1
_IFF_LOOPBACK = 0x8
# DER of the object identifier 1.2.840.113549.1.7.2 (PKCS #7 / CMS signedData).
_CMS_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")


# --------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class ProfileFile:
    """A profile ready to serve: its bytes, the name the phone sees, and what it contains."""

    path: Path
    filename: str
    data: bytes = field(repr=False)
    signed: bool
    contains_password: bool
    # True when the profile has a mail payload (so iOS asks for the password if none is in it).
    has_mail_payload: bool

    @property
    def size(self) -> int:
        """Number of bytes served."""
        return len(self.data)


def load_profile_file(path: str | os.PathLike[str]) -> ProfileFile:
    """Read and inspect a .mobileconfig file; raise ProfileFileError when it cannot be served."""
    file_path = Path(path)
    shown = str(path)
    try:
        info = file_path.stat()
    except FileNotFoundError:
        raise ProfileFileError(f"{shown}: no such file.") from None
    except OSError as exc:
        raise ProfileFileError(f"{shown}: cannot be read ({_reason(exc)}).") from None
    if file_path.is_dir():
        raise ProfileFileError(f"{shown} is a folder, not a profile file.")
    if info.st_size > MAX_PROFILE_BYTES:
        raise ProfileFileError(
            f"{shown} is too big for a configuration profile "
            f"({info.st_size} bytes; the limit is 1 MiB)."
        )
    try:
        with file_path.open("rb") as stream:
            # Read at most one byte past the limit: the file may have grown since stat().
            data = stream.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise ProfileFileError(f"{shown}: cannot be read ({_reason(exc)}).") from None
    if len(data) > MAX_PROFILE_BYTES:
        raise ProfileFileError(f"{shown} is too big for a configuration profile (over 1 MiB).")
    return inspect_profile(data, file_path)


def inspect_profile(data: bytes, path: Path) -> ProfileFile:
    """Classify profile bytes (signed CMS or plist) or raise ProfileFileError."""
    shown = str(path)
    not_a_profile = ProfileFileError(
        f"{shown} is not a configuration profile (expected a .mobileconfig file: a property "
        "list with PayloadType Configuration, or a signed profile)."
    )
    if not data:
        raise ProfileFileError(f"{shown} is empty, not a configuration profile.")
    if data[0] == 0x30:
        # A signed profile is DER-encoded CMS SignedData: SEQUENCE { OID signedData, ... }.
        if not _looks_like_cms_signed_data(data):
            raise not_a_profile
        # Signing does not encrypt: the plist inside is readable by anyone who gets the
        # file. Its bytes are embedded as they are, so a key name search finds a password.
        contains_password = bool(re.search(rb"<key>\w*Password</key>\s*<string>[^<]", data))
        has_mail = b"com.apple.mail.managed" in data
        return ProfileFile(
            path=path,
            filename=_download_name(path),
            data=data,
            signed=True,
            contains_password=contains_password,
            has_mail_payload=has_mail,
        )
    # Refuse entity declarations before parsing: they serve no purpose in a profile and
    # are how XML parsers are made to expand a small file into gigabytes.
    if b"<!ENTITY" in data:
        raise not_a_profile
    try:
        top = plistlib.loads(data)
    except Exception:  # plistlib raises several unrelated types on malformed input
        raise not_a_profile from None
    if not isinstance(top, dict) or top.get("PayloadType") != "Configuration":
        raise not_a_profile
    return ProfileFile(
        path=path,
        filename=_download_name(path),
        data=data,
        signed=False,
        contains_password=any(_password_values(top)),
        has_mail_payload=any(
            isinstance(item, dict) and item.get("PayloadType") == "com.apple.mail.managed"
            for item in _walk(top)
        ),
    )


def _looks_like_cms_signed_data(data: bytes) -> bool:
    """True when the bytes start like DER/BER SEQUENCE { OID 1.2.840.113549.1.7.2, ... }."""
    if len(data) < 2 + len(_CMS_SIGNED_DATA_OID):
        return False
    length_byte = data[1]
    # Short form (< 0x80) and BER indefinite length (0x80, some signers write it) take one
    # byte; the long form 0x8N is followed by N length bytes.
    header = 2 if length_byte <= 0x80 else 2 + (length_byte & 0x7F)
    return data[header : header + len(_CMS_SIGNED_DATA_OID)] == _CMS_SIGNED_DATA_OID


def _walk(value: Any) -> Iterator[Any]:
    """Every value in a plist tree, depth first."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _password_values(top: Any) -> Iterator[bool]:
    """One True per non-empty password-like value (IncomingPassword, OutgoingPassword, ...)."""
    for item in _walk(top):
        if isinstance(item, dict):
            for key, value in item.items():
                # Apple's password keys all end in "Password"; boolean keys such as
                # OutgoingPasswordSameAsIncomingPassword are not secrets.
                if (
                    isinstance(key, str)
                    and key.endswith("Password")
                    and isinstance(value, str | bytes)
                    and value
                ):
                    yield True


def _download_name(path: Path) -> str:
    """The file name offered to the phone: ASCII-safe, ending in .mobileconfig."""
    stem = path.name
    if stem.lower().endswith(".mobileconfig"):
        stem = stem[: -len(".mobileconfig")]
    # Only characters that need no quoting in a Content-Disposition header.
    stem = re.sub(r"[^A-Za-z0-9._@+-]", "_", stem).strip("._") or "profile"
    return f"{stem}.mobileconfig"


def _reason(exc: OSError) -> str:
    """An OSError as a few words, without the file name Python repeats."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or exc.__class__.__name__


# --------------------------------------------------------------------------- the address


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
    interface: str
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
        return HostChoice(address=host, interface="", candidates=(), detected=False)
    candidates = tuple(local_addresses())
    if not candidates:
        raise NoNetworkError(
            "no network interface with a local-network address was found; connect this "
            "computer to the iPhone's Wi-Fi, or choose an address with --host ADDR."
        )
    best = candidates[0]
    return HostChoice(
        address=best.address, interface=best.interface, candidates=candidates, detected=True
    )


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost: the phone cannot reach those."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind_target(host: str, port: int) -> tuple[socket.AddressFamily, str]:
    """Socket family and address to bind for ``host`` (an IP address or a local name)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise ServeError(
                f"--host {host}: not an address of this computer (no such name)."
            ) from None
        family, _type, _proto, _name, sockaddr = infos[0]
        return family, str(sockaddr[0])
    if ip.is_unspecified or ip.is_multicast:
        raise ServeError(
            f"--host {host}: give the address the phone should use, e.g. 192.168.1.20."
        )
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return family, str(ip)


def _url_host(host: str) -> str:
    """``host`` as written in a URL: IPv6 addresses go in brackets."""
    bare = host.strip("[]")
    try:
        if ipaddress.ip_address(bare).version == 6:
            return f"[{bare}]"
    except ValueError:
        pass
    return host


# --------------------------------------------------------------------------- the QR code


def _make_qr(url: str) -> Any:
    # make_qr, not make: segno.make may pick a Micro QR code, which the iPhone cannot read.
    return segno.make_qr(url)


def qr_text(url: str, border: int = QR_BORDER) -> str:
    """The QR code of ``url`` as text, two module rows per line, with a quiet zone.

    Drawn like segno's compact terminal output: a block glyph paints a LIGHT module and a
    space leaves a DARK one, so the code is right on a dark-background terminal as it is.
    For every terminal, show it light-on-dark explicitly: the CLI wraps the lines in ANSI
    white-on-black (``qr_ansi``) and the TUI gives the widget ``color: white;
    background: black``. Lines have equal width; no trailing newline.
    """
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    rows = [
        [not bool(dark) for dark in row]  # True = light
        for row in _make_qr(url).matrix_iter(scale=1, border=border)
    ]
    if len(rows) % 2:
        rows.append([True] * len(rows[0]))  # the missing half line is quiet zone: light
    lines = [
        "".join(glyphs[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]
    return "\n".join(lines)


def qr_ansi(url: str, border: int = QR_BORDER) -> str:
    """``qr_text`` with ANSI colours (bright white on black) so it scans on light themes too."""
    return "\n".join(f"\x1b[97;40m{line}\x1b[0m" for line in qr_text(url, border).split("\n"))


# --------------------------------------------------------------------------- phone steps


def phone_steps(profile: ProfileFile) -> tuple[str, ...]:
    """What to do on the iPhone, one step per item, for this profile."""
    if profile.signed:
        trust = (
            "The install screen shows Verified if the iPhone trusts the signer, "
            "otherwise Not Verified; both install."
        )
    else:
        trust = (
            "The install screen shows Not Signed in red: that is expected for a profile "
            "made on this computer, and it installs and works."
        )
    steps = [
        "Connect the iPhone to the same Wi-Fi network as this computer.",
        "Open the Camera app and point it at the QR code (or type the link into Safari).",
        "Tap the link that appears. Open it in Safari: other iOS browsers may not hand "
        "profiles to Settings.",
        "Safari asks to download a configuration profile: tap Allow, then Close.",
        f"Within {INSTALL_WINDOW_MINUTES} minutes (iOS deletes a downloaded profile after "
        "that), open Settings and tap Profile Downloaded near the top (or General > VPN & "
        "Device Management).",
        f"Tap Install, enter the iPhone passcode, and tap Install again. {trust}",
    ]
    if profile.has_mail_payload and not profile.contains_password:
        steps.append(
            "When iOS asks for the password, type your mail.com password (the "
            "application-specific password if two-factor authentication is on)."
        )
    steps.append("Tap Done. The account is in the Mail app.")
    return tuple(steps)


PLAIN_HTTP_WARNING = (
    "This profile contains a password. It is served over plain HTTP, so anyone on this "
    "network who sees the traffic could read the password."
)


# --------------------------------------------------------------------------- the server


class StopReason(StrEnum):
    """Why a ProfileServer stopped."""

    DOWNLOADED = "downloaded"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    """Something the user may want to see while waiting."""

    DOWNLOAD_STARTED = "download_started"
    DOWNLOAD_FAILED = "download_failed"
    DOWNLOAD_COMPLETE = "download_complete"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ServeEvent:
    """A request seen by the server (reported from a server thread)."""

    kind: EventKind
    client: str


EventCallback = Callable[[ServeEvent], None]


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its ProfileServer and keeps quiet."""

    # Handler threads are joined in server_close(), so nothing outlives stop().
    daemon_threads = False
    block_on_close = True

    def __init__(
        self, family: socket.AddressFamily, address: tuple[str, int], owner: ProfileServer
    ) -> None:
        self.address_family = family
        self.owner = owner
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can
        # stall and would leave this computer; the name is never used.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A phone that walks away mid-request is not an error worth a traceback on stderr.
        pass


class _Handler(BaseHTTPRequestHandler):
    """Serves the profile at the secret path; everything else is an empty 404."""

    server: _HTTPServer
    timeout = _SOCKET_TIMEOUT_SECONDS
    # One request per connection keeps the download accounting simple.
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        """The profile, once."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        """Headers only; a HEAD is not a download."""
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        owner = self.server.owner
        # A GET claims the link for the length of its transfer, so at most one copy ever
        # leaves; a HEAD only looks.
        allowed = self.request_version != "HTTP/0.9" and (
            owner.claim(self.path) if send_body else owner.accepts(self.path)
        )
        if not allowed:
            owner.notify(EventKind.NOT_FOUND, self.client_address)
            self.send_error(404)
            return
        data = owner.profile.data
        self.close_connection = True
        if send_body:
            owner.notify(EventKind.DOWNLOAD_STARTED, self.client_address)
        try:
            self.send_response(200)
            self.send_header("Content-Type", PROFILE_CONTENT_TYPE)
            self.send_header(
                "Content-Disposition", f'attachment; filename="{owner.profile.filename}"'
            )
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            if not send_body:
                return
            self.wfile.write(data)
            self.wfile.flush()
            self._confirm_received()
        except OSError:
            if send_body:
                owner.download_failed(self.client_address)
            return
        owner.download_complete(self.client_address)

    def _confirm_received(self) -> None:
        """Wait until the phone closes the connection; raise OSError if it reset it.

        All bytes are in the kernel's send buffer now, not yet at the phone. Closing our
        side and reading until the peer closes tells a clean finish (EOF) from a client
        that gave up with data unread (its kernel answers with a reset).
        """
        connection = self.connection
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(_CLOSE_GRACE_SECONDS)
        deadline = time.monotonic() + _CLOSE_GRACE_SECONDS
        try:
            while time.monotonic() < deadline:
                if not connection.recv(4096):
                    return
        except TimeoutError:
            # Everything was sent and nothing was refused; a client that keeps the
            # connection open has the file.
            return

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every refusal (bad path, bad method, malformed request) is the same empty 404."""
        self.close_connection = True
        try:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
        except OSError:
            pass

    def send_response(self, code: int, message: str | None = None) -> None:
        """Status line and Date, without the Server banner (name and Python version)."""
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr: it would scribble over the QR code."""


class ProfileServer:
    """Serves one profile once at a secret URL; stops after the download or a time limit.

    ``start()`` binds and returns the URL; ``wait()`` (or ``await wait_async()``) returns the
    StopReason; ``stop()`` may be called at any time from any thread. ``on_event`` is called
    from server threads (a Textual app should use ``call_from_thread``).
    """

    def __init__(
        self,
        profile: ProfileFile,
        host: str,
        port: int = 0,
        *,
        time_limit: float = DEFAULT_MINUTES * 60,
        on_event: EventCallback | None = None,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ServeError(f"--port {port}: a port is a number from 1 to 65535 (0: any).")
        if time_limit <= 0:
            raise ServeError("the time limit must be more than zero.")
        self.profile = profile
        self.host = host
        self.port = port
        self.time_limit = time_limit
        self._on_event = on_event
        self._token = secrets.token_urlsafe(TOKEN_BYTES)
        self._path = f"/{self._token}"
        self._lock = threading.Lock()
        self._reason: StopReason | None = None
        self._decided = threading.Event()
        self._downloading = False
        self._closed = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._deadline: float | None = None
        self.url: str | None = None

    # -- lifecycle

    def start(self) -> str:
        """Listen and return the URL; raise PortInUseError or ServeError if that fails."""
        with self._lock:
            if self._httpd is not None or self._closed.is_set():
                raise ServeError("this server was already started.")
            if self._reason is not None:  # stopped before it started
                self._closed.set()
                raise ServeError("this server was stopped before it started.")
            family, bind_address = _bind_target(self.host, self.port)
            try:
                httpd = _HTTPServer(family, (bind_address, self.port), self)
            except OSError as exc:
                raise _listen_error(exc, self.host, self.port) from None
            self._httpd = httpd
            self.port = int(httpd.server_address[1])
            self.url = f"http://{_url_host(self.host)}:{self.port}{self._path}"
            self._deadline = time.monotonic() + self.time_limit
            # Daemon threads: a program that exits without stop() must not hang until the
            # time limit. wait() joins them, so after stop() + wait() nothing runs.
            serving = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="profile-server-http",
                daemon=True,
            )
            supervisor = threading.Thread(
                target=self._supervise, name="profile-server-timer", daemon=True
            )
            self._threads = [serving, supervisor]
            serving.start()
            supervisor.start()
            return self.url

    def stop(self) -> None:
        """Stop serving (reason ``cancelled`` unless it already stopped). Never blocks."""
        self._decide(StopReason.CANCELLED)
        with self._lock:
            if self._httpd is None:
                self._closed.set()

    def wait(self, timeout: float | None = None) -> StopReason | None:
        """Block until the server has stopped and return why; None if ``timeout`` ran out."""
        if not self._closed.wait(timeout):
            return None
        current = threading.current_thread()
        for thread in self._threads:
            if thread is not current:
                thread.join()
        return self._reason

    async def wait_async(self) -> StopReason:
        """``wait()`` for asyncio code; cancelling the awaiting task stops the server."""
        try:
            reason = await asyncio.to_thread(self.wait)
        except asyncio.CancelledError:
            self.stop()
            raise
        return reason if reason is not None else StopReason.CANCELLED

    def __enter__(self) -> ProfileServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.wait()

    # -- state

    @property
    def running(self) -> bool:
        """True between start() and the end of the shutdown."""
        return self._httpd is not None and not self._closed.is_set()

    @property
    def reason(self) -> StopReason | None:
        """Why it stopped (or is stopping), None while it still serves."""
        return self._reason

    def seconds_left(self) -> float:
        """Time until the limit ends the offer (the full limit before start())."""
        if self._deadline is None:
            return self.time_limit
        return max(0.0, self._deadline - time.monotonic())

    # -- used by the request handler

    def accepts(self, path: str) -> bool:
        """True for the secret path while the offer stands and no download is under way."""
        # compare_digest: the time taken must not reveal how much of a guess was right.
        right = hmac.compare_digest(path.encode(), self._path.encode())
        return right and self._reason is None and not self._downloading

    def claim(self, path: str) -> bool:
        """Reserve the link for one download; False if it is wrong, taken or over."""
        with self._lock:
            if not self.accepts(path):
                return False
            self._downloading = True
            return True

    def download_failed(self, client: tuple[Any, ...]) -> None:
        """The transfer broke off: the link is free again."""
        with self._lock:
            self._downloading = False
        self.notify(EventKind.DOWNLOAD_FAILED, client)

    def download_complete(self, client: tuple[Any, ...]) -> None:
        """A whole file reached a client: that ends the offer."""
        self._decide(StopReason.DOWNLOADED)
        self.notify(EventKind.DOWNLOAD_COMPLETE, client)

    def notify(self, kind: EventKind, client: tuple[Any, ...]) -> None:
        """Report an event to the caller's callback; its errors must not break serving."""
        if self._on_event is None:
            return
        # A broken display must not stop the download.
        with contextlib.suppress(Exception):
            self._on_event(ServeEvent(kind, str(client[0])))

    # -- internals

    def _decide(self, reason: StopReason) -> None:
        with self._lock:
            if self._reason is None:
                self._reason = reason
        self._decided.set()

    def _supervise(self) -> None:
        """Ends the offer at the deadline, or as soon as a reason is decided."""
        if not self._decided.wait(self.time_limit):
            self._decide(StopReason.TIMED_OUT)
        httpd = self._httpd
        assert httpd is not None
        httpd.shutdown()  # stops serve_forever (running in the other thread)
        httpd.server_close()  # closes the socket and joins the request threads
        self._closed.set()


def _listen_error(exc: OSError, host: str, port: int) -> ServeError:
    """A bind failure as one line for the user."""
    where = f"{host}:{port}" if port else host
    if exc.errno == errno.EADDRINUSE:
        return PortInUseError(
            f"port {port} on {host} is already in use by another program; choose another "
            "with --port N, or leave --port out to use any free port."
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return ServeError(
            f"--host {host}: not an address of this computer; leave --host out to detect it."
        )
    if exc.errno == errno.EACCES:
        return ServeError(f"cannot listen on {where}: permission denied (use a port above 1023).")
    return ServeError(f"cannot listen on {where}: {exc.strerror or exc}.")


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
