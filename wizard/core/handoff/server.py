"""The one-time link: one profile served once at a secret path, on the running event loop.

Plain HTTP (the phone would not trust a self-made certificate), so the path carries 128
random bits; and since anyone on the network can connect, no client may hold the link.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import hmac
import re
import secrets
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus

from wizard.core.errors import PortInUseError, ServeError
from wizard.core.export import ExportedProfile
from wizard.core.handoff.addresses import HostChoice, address_note, choose_host
from wizard.core.handoff.profile_file import refuse_practice

DEFAULT_MINUTES = 10.0
UNVERIFIED_NOTE = (
    "These settings were not verified: no check proved them with this account, so Mail on "
    "the iPhone may not connect."
)


@dataclass(frozen=True)
class Limits:
    """What a client may hold; a phone needs a fraction of each."""

    connections: int = 8
    per_client: int = 4
    first_byte_seconds: float = 3.0
    request_seconds: float = 10.0  # from connecting to the end of the request head
    head_bytes: int = 16 * 1024
    transfer_seconds: float = 30.0  # the whole file (at most 1 MiB), even on poor Wi-Fi
    ack_seconds: float = 5.0  # for the client to acknowledge the last bytes


class StopReason(StrEnum):
    DOWNLOADED = "downloaded"
    UNCONFIRMED = "unconfirmed"  # all sent, not all acknowledged: the phone may have it
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    LISTENING = "listening"  # ``link`` is set
    DOWNLOAD_STARTED = "download_started"
    DOWNLOAD_FAILED = "download_failed"  # broke off; the link still works
    NOT_FOUND = "not_found"  # a wrong or used link; ``count`` so far
    ENDED = "ended"  # ``reason`` is set; the connections are being closed


@dataclass(frozen=True)
class Link:
    url: str
    host: HostChoice


@dataclass(frozen=True)
class ServeEvent:
    """Something that happened to the offer (reported on the event loop)."""

    kind: EventKind
    client: str = ""
    count: int = 0
    link: Link | None = None
    reason: StopReason | None = None


EventHandler = Callable[[ServeEvent], None] | None


async def serve_once(
    profile: ExportedProfile,
    *,
    host: str | None = None,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    allow_password: bool = False,
    on_event: EventHandler = None,
    limits: Limits = Limits(),
) -> StopReason:
    """Offer ``profile`` once until it is downloaded or ``minutes`` pass; ``on_event`` gets the
    link first (LISTENING). Raises NotOffered or ServeError (then nothing listens)."""
    refuse_practice(profile)
    if profile.contains_password and not allow_password:
        raise ServeError("the profile contains a password, and sending it was not allowed.")
    if not 0 <= port <= 65535:
        raise ServeError("no such port; a port is a number from 1 to 65535 (0: any).", field="port")
    if minutes <= 0:
        raise ServeError("the time limit must be more than zero.", field="minutes")
    choice = await asyncio.to_thread(choose_host, host)
    return await _Offer(profile, limits, on_event).run(choice, port, minutes * 60)


def offer_notes(profile: ExportedProfile, link: Link) -> list[str]:
    """What the user should know about this offer, for every front end to show."""
    notes = [] if profile.verified else [UNVERIFIED_NOTE]
    return notes + [note for note in [address_note(link.host.address)] if note]


def download_name(profile: ExportedProfile) -> str:
    """The file name offered to the phone: only characters a Content-Disposition needs no
    quoting for, ending in .mobileconfig."""
    stem = re.sub(r"\.mobileconfig$", "", profile.path.name, flags=re.IGNORECASE)
    return (re.sub(r"[^A-Za-z0-9._@+-]", "_", stem).strip("._") or "profile") + ".mobileconfig"


@dataclass
class _Client:
    address: str
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    waiting: bool = True  # for its request head: may be dropped for a newcomer
    sending: bool = False


class _Offer:
    """One offer's state; every method runs on the event loop, so no locks.

    One copy: a GET reserves the link; a transfer that breaks before the whole file reached
    the kernel frees it again. After that it never reopens (downloaded or unconfirmed).
    """

    def __init__(self, profile: ExportedProfile, limits: Limits, on_event: EventHandler) -> None:
        self.profile, self.limits = profile, limits
        self.on_event = on_event or (lambda event: None)
        # 128 bits in 22 URL-safe characters: the URL of an IPv4 link fits a version 3 QR code.
        self.path = "/" + secrets.token_urlsafe(16)
        self.clients: dict[asyncio.Task[None], _Client] = {}  # oldest first
        self.reason: StopReason | None = None
        self.decided = asyncio.Event()
        self.reserved = False
        self.refused = 0

    async def run(self, choice: HostChoice, port: int, seconds: float) -> StopReason:
        try:
            server = await asyncio.start_server(
                self.serve_client, choice.address, port, limit=self.limits.head_bytes
            )
        except OSError as exc:
            raise _listen_error(exc, choice.address, port) from None
        try:
            bound = server.sockets[0].getsockname()[1]
            host = f"[{choice.address}]" if ":" in choice.address else choice.address
            link = Link(f"http://{host}:{bound}{self.path}", choice)
            self.on_event(ServeEvent(EventKind.LISTENING, link=link))  # not guarded: no link
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.decided.wait(), seconds)
            self.decide(StopReason.TIMED_OUT)
        except asyncio.CancelledError:
            self.decide(StopReason.CANCELLED)
            raise
        finally:
            await self.close(server)
        assert self.reason is not None
        return self.reason

    def decide(self, reason: StopReason) -> None:
        if self.reason is None:
            self.reason = reason
            self.decided.set()
            self.emit(ServeEvent(EventKind.ENDED, reason=reason))

    def emit(self, event: ServeEvent) -> None:
        with contextlib.suppress(Exception):  # a broken display must not stop a download
            self.on_event(event)

    async def close(self, server: asyncio.Server) -> None:
        """No new connections, transfers cut now, the rest after a grace for late 404s."""
        server.close()
        for task in [task for task, client in self.clients.items() if client.sending]:
            self.drop(task)
        handlers = list(self.clients)
        try:
            if handlers:
                await asyncio.wait(handlers, timeout=0.2)
        finally:  # even if this wait is cancelled too (the app is quitting)
            for task in list(self.clients):
                self.drop(task)
        if late := [task for task in handlers if not task.done()]:
            await asyncio.wait(late, timeout=0.5)  # they see the cut and return at once

    def drop(self, task: asyncio.Task[None]) -> None:
        """Cut a connection; its handler sees the end and returns (a cancelled handler
        would make asyncio log an error in Python 3.11)."""
        client = self.clients.pop(task, None)
        if client is not None:
            client.writer.transport.abort()

    def admit(self, address: str) -> bool:
        """Room for a newcomer from ``address``, made by dropping the oldest waiting client
        (of that address when it is at its limit); False if every other one is busy."""
        for limit, anyone in ((self.limits.per_client, False), (self.limits.connections, True)):
            crowd = [t for t, c in self.clients.items() if anyone or c.address == address]
            if len(crowd) >= limit:
                waiting = [task for task in crowd if self.clients[task].waiting]
                if not waiting:
                    return False
                self.drop(waiting[0])
        return self.reason is None

    async def serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        client = _Client(str(writer.get_extra_info("peername")[0]), reader, writer)
        if not self.admit(client.address):
            writer.transport.abort()
            return
        self.clients[task] = client
        try:
            words = await self.read_request(reader)
            client.waiting = False
            if words is not None and not writer.transport.is_closing():
                await self.answer(words, client)
        except (OSError, EOFError, ValueError):  # deadlines, resets, oversized lines
            pass
        finally:
            # All sent is in the kernel by now; what is not (a cut transfer) must not leave.
            self.clients.pop(task, None)
            writer.transport.abort()

    async def read_request(self, reader: asyncio.StreamReader) -> list[str] | None:
        """The request line's words, once the whole head arrived in time and in bounds; None
        for what is not HTTP/1 (a TLS hello, HTTP/0.9): it gets no answer."""
        limits = self.limits
        async with asyncio.timeout(limits.request_seconds):
            line = await asyncio.wait_for(reader.readexactly(1), limits.first_byte_seconds)
            request = line = line if line == b"\n" else line + await reader.readline()
            size = len(line)
            # The headers mean nothing here; they are read (bounded) so the answer follows them.
            while line.strip() and line.endswith(b"\n") and size <= limits.head_bytes:
                line = await reader.readline()
                size += len(line)
        words = request.decode("latin-1").split()
        if size > limits.head_bytes or not words or not re.fullmatch(r"HTTP/\d\.\d", words[-1]):
            return None
        return words

    async def answer(self, words: list[str], client: _Client) -> None:
        method, right = words[0], len(words) == 3 and words[2] in ("HTTP/1.0", "HTTP/1.1")
        # compare_digest: the time taken must not reveal how much of a guess was right.
        right = right and hmac.compare_digest(words[1].encode(), self.path.encode())
        if not (right and method in ("GET", "HEAD") and self.reason is None and not self.reserved):
            self.refused += 1
            self.emit(ServeEvent(EventKind.NOT_FOUND, client.address, count=self.refused))
            await self.respond(client.writer, HTTPStatus.NOT_FOUND, b"")
        elif method == "HEAD":  # headers only; a HEAD is not a download
            await self.respond(client.writer, HTTPStatus.OK, b"", len(self.profile.data))
        else:
            return await self.transfer(client)
        client.writer.write_eof()

    async def transfer(self, client: _Client) -> None:
        """Send the file; then wait for the client's computer to acknowledge every byte."""
        self.reserved = client.sending = True
        self.emit(ServeEvent(EventKind.DOWNLOAD_STARTED, client.address))
        sock = client.writer.get_extra_info("socket")
        # A reset must not close the socket before the acknowledgements are counted.
        transport = client.writer.transport
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()
        try:
            # A fixed buffer: autotuning may take a whole 1 MiB file at once on a fast link, and
            # "all of it handed to the kernel" would then say little.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
            async with asyncio.timeout(self.limits.transfer_seconds):
                await self.respond(client.writer, HTTPStatus.OK, self.profile.data)
        except OSError:
            self.reserved = client.sending = False
            if self.reason is None:  # when the offer has ended, the link does not "still work"
                self.emit(ServeEvent(EventKind.DOWNLOAD_FAILED, client.address))
            return
        client.sending = False  # the whole file has left: the link never reopens
        delivered = await self.acknowledged(client, sock)
        self.decide(StopReason.DOWNLOADED if delivered else StopReason.UNCONFIRMED)
        with contextlib.suppress(OSError):
            client.writer.write_eof()  # the end of the file, for the client

    async def respond(
        self, writer: asyncio.StreamWriter, status: HTTPStatus, body: bytes, length: int = -1
    ) -> None:
        """Status line and headers (no Server banner), then ``body``, all in the kernel."""
        head = f"HTTP/1.0 {status.value} {status.phrase}\r\n"
        head += f"Date: {email.utils.formatdate(usegmt=True)}\r\n"
        if status is HTTPStatus.OK:
            head += "Content-Type: application/x-apple-aspen-config\r\nCache-Control: no-store\r\n"
            head += f'Content-Disposition: attachment; filename="{download_name(self.profile)}"\r\n'
        head += f"Content-Length: {len(body) if length < 0 else length}\r\nConnection: close\r\n"
        # With no high-water mark, drain() returns once every byte is in the kernel.
        writer.transport.set_write_buffer_limits(high=0)
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()

    async def acknowledged(self, client: _Client, sock: socket.socket) -> bool:
        """True once the client's computer has acknowledged every byte; False if it resets
        first or stays silent for ``ack_seconds``. Where the platform cannot count, a clean
        close or silence counts, a reset does not."""
        writer, loop = client.writer, asyncio.get_running_loop()
        deadline = loop.time() + self.limits.ack_seconds
        while (pending := _unacknowledged_bytes(sock)) != 0:
            if writer.transport.is_closing():  # cut: the offer is ending
                return False
            if pending is None:  # close our side and wait for the client's clean close
                assert isinstance(writer.transport, asyncio.Transport)
                writer.write_eof()
                writer.transport.resume_reading()
                try:
                    await asyncio.wait_for(client.reader.read(), self.limits.ack_seconds)
                except OSError as exc:  # silence counts (a client that keeps it open has it)
                    return isinstance(exc, TimeoutError)  # a reset does not
                return True
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) or loop.time() > deadline:
                # Reset (the acknowledgements came before it, so the count still tells).
                return _unacknowledged_bytes(sock) == 0
            await asyncio.sleep(0.02)
        return True


def _unacknowledged_bytes(sock: socket.socket) -> int | None:
    """Bytes sent but not acknowledged (Linux SIOCOUTQ, macOS SO_NWRITE); None elsewhere."""
    with contextlib.suppress(OSError):
        if sys.platform == "linux":
            import fcntl
            import termios

            answer = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
            return int.from_bytes(answer, sys.byteorder, signed=True)
        if sys.platform == "darwin":
            return sock.getsockopt(socket.SOL_SOCKET, 0x1024)  # SO_NWRITE, <sys/socket.h>
    return None


def _listen_error(exc: OSError, host: str, port: int) -> ServeError:
    if exc.errno == errno.EADDRINUSE:
        return PortInUseError(
            f"port {port} on {host} is already in use by another program.", field="port"
        )
    if exc.errno == errno.EACCES:
        return ServeError(
            f"cannot listen on {host}:{port}: permission denied (use a port above 1023).",
            field="port",
        )
    return ServeError(f"cannot listen on {host}: {exc.strerror or exc}.")
