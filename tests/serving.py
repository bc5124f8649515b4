"""Helpers for the hand-off tests: profiles, ``serve_once`` as a task, real HTTP clients.

The server runs on the test's event loop; the clients are plain blocking sockets and
http.client, run in threads (``asyncio.to_thread``) as a phone or a peer would connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import http.client
import os
import plistlib
import queue
import socket
import struct
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from wizard.core.export import ExportedProfile
from wizard.core.handoff.profile_file import load_profile_file
from wizard.core.handoff.server import EventKind, ServeEvent, StopReason, serve_once
from wizard.core.models import IncomingChoice, MailSettings
from wizard.core.provider import builtin_provider

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Tr0ub4dor&3-serve-test"
BOUND = 10.0  # seconds: the longest any test waits for something that should be quick


def profile_dict(**mail_extra: Any) -> dict[str, Any]:
    """A minimal mail profile, built directly with plistlib."""
    mail = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadIdentifier": "com.example.mail",
        "PayloadUUID": "A1B2C3D4-0000-4000-8000-000000000001",
        "PayloadVersion": 1,
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": "someone@mail.com",
        "IncomingMailServerHostName": "imap.mail.com",
        "IncomingMailServerPortNumber": 993,
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": "smtp.mail.com",
        "OutgoingMailServerPortNumber": 465,
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    mail.update(mail_extra)
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.profile",
        "PayloadUUID": "A1B2C3D4-0000-4000-8000-000000000000",
        "PayloadDisplayName": "someone@mail.com",
        "PayloadContent": [mail],
    }


def write_profile(path: Path, **mail_extra: Any) -> Path:
    """Write an XML plist profile and return its path."""
    path.write_bytes(plistlib.dumps(profile_dict(**mail_extra)))
    return path


def signer() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A throwaway self-signed certificate and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Profile signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert, key


def signed_profile_bytes(content: bytes) -> bytes:
    """``content`` signed as DER CMS SignedData, as `openssl smime -sign -outform der` does."""
    cert, key = signer()
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def split_url(url: str) -> tuple[str, int, str]:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port, parts.path


def request(url: str, method: str = "GET", path: str | None = None) -> http.client.HTTPResponse:
    """One request with http.client; the body is read before returning (as ``.body``)."""
    host, port, url_path = split_url(url)
    connection = http.client.HTTPConnection(host, port, timeout=BOUND)
    connection.request(method, url_path if path is None else path)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def body(url: str) -> bytes:
    """The body of a GET."""
    return request(url).body  # type: ignore[attr-defined, no-any-return]


def connect(url: str, source: str | None = None) -> socket.socket:
    """A TCP connection to the link's server (from ``source``, another loopback address)."""
    host, port, _ = split_url(url)
    return socket.create_connection(
        (host, port), timeout=BOUND, source_address=(source, 0) if source else None
    )


def get_request(url: str) -> bytes:
    host, _, path = split_url(url)
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def read_all(connection: socket.socket) -> bytes:
    """Everything until the server closes (a reset ends it too)."""
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def raw_exchange(url: str, payload: bytes) -> bytes:
    """Send raw bytes, read until the server closes."""
    with connect(url) as connection:
        connection.sendall(payload)
        return read_all(connection)


def assert_refused(url: str) -> None:
    host, port, _ = split_url(url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=BOUND).close()


def closed_by_server(connection: socket.socket, within: float) -> bool:
    """True if the server closes (or resets) ``connection`` within ``within`` seconds."""
    connection.settimeout(within)
    try:
        while connection.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def reset(connection: socket.socket) -> None:
    """Close with a TCP reset (linger 0) instead of a clean finish."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def read_response(connection: socket.socket) -> tuple[bytes, bytes]:
    """Headers and the whole body (by Content-Length), leaving the connection open."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"closed before the headers: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(rest) < length:
        chunk = connection.recv(65536)
        assert chunk, "closed before the end of the body"
        rest += chunk
    return head, rest


class Serving:
    """``serve_once`` as a task on the running loop, with what it reported so far.

    ``async with Serving(profile) as served``: the link is up inside; on the way out the
    offer is cancelled if it still runs, and it must be over within a second.
    """

    def __init__(self, profile: ExportedProfile, **options: Any) -> None:
        self.events: list[ServeEvent] = []
        options.setdefault("host", "127.0.0.1")
        self.task = asyncio.create_task(serve_once(profile, on_event=self.events.append, **options))

    async def __aenter__(self) -> Serving:
        while not any(e.kind is EventKind.LISTENING for e in self.events):
            assert not self.task.done(), self.task.result()
            await asyncio.sleep(0.005)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 1.0)
        # And no connection's handler is left running (no thread or task outlives it).
        loop, test = asyncio.get_running_loop(), asyncio.current_task()
        deadline = loop.time() + 1.0
        while left := [t for t in asyncio.all_tasks() if t is not test and not t.done()]:
            assert loop.time() < deadline, f"still running after the offer ended: {left}"
            await asyncio.sleep(0.01)

    @property
    def url(self) -> str:
        [link] = [e.link for e in self.events if e.link is not None]
        return link.url

    @property
    def reason(self) -> StopReason | None:
        """Why the offer ended, as soon as that is decided (connections may still close)."""
        return next((e.reason for e in self.events if e.reason is not None), None)

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.events if e.kind is not EventKind.LISTENING]

    async def ended(self, within: float = BOUND) -> StopReason:
        """Wait for serve_once to return."""
        return await asyncio.wait_for(asyncio.shield(self.task), within)

    async def decided(self, within: float = BOUND) -> StopReason:
        """Wait until the reason is decided (the server may still be closing)."""
        deadline = asyncio.get_running_loop().time() + within
        while self.reason is None:
            assert asyncio.get_running_loop().time() < deadline, "no decision"
            await asyncio.sleep(0.005)
        return self.reason


def wizard_command(*args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "wizard", "serve", *args],
        cwd=ROOT,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


class Output:
    """The command's stdout, read line by line in the background so a test can wait on it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._pump, args=(process.stdout,))
        self.reader.start()

    def _pump(self, stdout: Any) -> None:
        for line in stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output

    def url(self) -> str:
        """Wait (with a bound) for the URL line."""
        while True:
            line = self.lines.get(timeout=60)
            assert line, f"no URL printed: {self.seen}"
            self.seen.append(line)
            if line.startswith("  http://"):
                return line.strip()

    def until(self, words: str) -> None:
        """Read until a line with ``words`` (the command's last line before it waits)."""
        while not self.seen or words not in self.seen[-1]:
            line = self.lines.get(timeout=60)
            assert line, f"the command ended early: {self.seen}"
            self.seen.append(line)

    def finish(self) -> tuple[int, str, str]:
        """Wait for the command to end; all of stdout and stderr."""
        while line := self.lines.get(timeout=60):
            self.seen.append(line)
        self.reader.join(BOUND)
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        return self.process.wait(timeout=60), "".join(self.seen), err


def mail_settings(**changes: Any) -> MailSettings:
    """mail.com's usual servers for an address, as the check or the demo would give them."""
    provider = builtin_provider()
    fields: dict[str, Any] = {
        "email": "ann@mail.com",
        "incoming_choice": IncomingChoice.IMAP,
        "incoming": provider.imap[0],
        "outgoing": provider.smtp[0],
        "verified": True,
    }
    return MailSettings(**(fields | changes))


def big_profile(tmp_path: Path, size: int = 900_000) -> ExportedProfile:
    """A profile big enough (within the 1 MiB limit) that a transfer takes a while."""
    path = write_profile(tmp_path / "big.mobileconfig", PayloadDescription="x" * size)
    return load_profile_file(path)


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def listens_here(port: int) -> bool:
    """Does this process still listen on ``port``? Asked of the kernel's socket tables and
    this process's open files, not by connecting: on a busy machine another program may
    take a port the moment it is freed, and its answer is not ours."""
    return bool(own_listeners(port))


def own_listeners(port: int) -> list[str]:
    """The local addresses this process listens on at ``port`` ("127.0.0.1", "ipv6:<hex>"),
    from the kernel's tables: another program's listener on the same port number (on
    another address) is not ours."""
    ours = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                ours.add(target[len("socket:[") : -1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, port_hex = fields[1].partition(":")
            listening = fields[3] == "0A"  # TCP_LISTEN
            if listening and int(port_hex, 16) == port and fields[9] in ours:
                if len(address) == 8:
                    found.append(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                else:
                    found.append(f"ipv6:{address}")
    return found
