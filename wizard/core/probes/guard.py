"""What a server may send: bounded (the libraries are not: a POP3 CAPA flood took gigabytes),
and nothing between a STARTTLS go-ahead and the handshake (RFC 3207 4.2, RFC 2595 3.1): bytes
there were inserted on the way. ``WireGuard`` watches asyncio (IMAP, SMTP), ``LineReader`` POP3."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import cast

from wizard.core.models import Status
from wizard.core.probes.base import ProbeFailure

# Bytes and lines a server may send while a session opens, and once open (a login, a round trip).
_OPENING = (64 * 1024, 500, "before the login")
_OPEN = (4 * 1024 * 1024, 50_000, "in one session")

INJECTED = (
    "clear text came with the server's go-ahead for STARTTLS, before the secure handshake: "
    "something on the network inserted it, so the connection was closed and nothing more "
    "was read or sent"
)


class _Budget:
    """How much more a server may send; a flood ends the session."""

    def budget(self, opened: bool = False) -> None:
        """From now on: the budget while the session opens, or once it is ``opened``."""
        max_bytes, self.lines_left, when = _OPEN if opened else _OPENING
        self.bytes_left = max_bytes
        kib = max_bytes // 1024
        self.flood = f"the server sent more than {kib} KiB {when}, so the connection was closed"

    def spend(self, nbytes: int, nlines: int) -> bool:
        """False once over budget."""
        self.bytes_left -= nbytes
        self.lines_left -= nlines
        return self.bytes_left >= 0 and self.lines_left >= 0


class WireGuard(_Budget, asyncio.Protocol):
    """Between a connection and a library's protocol: a flood, or clear text after a go-ahead,
    ends it with a ProbeFailure."""

    def __init__(
        self,
        inner: asyncio.Protocol,
        on_failure: Callable[[ProbeFailure], None] = lambda _failure: None,
    ) -> None:
        self.inner = inner
        self.on_failure = on_failure
        self.transport: asyncio.Transport | None = None
        self.failure: ProbeFailure | None = None
        self._go_ahead: Callable[[bytes], object] | None = None
        self._then: Callable[[], object] = lambda: None
        self._partial = b""
        self._clear_closed = False  # from the go-ahead until the handshake starts
        self.budget()

    def expect_go_ahead(
        self, is_go_ahead: Callable[[bytes], object], then: Callable[[], object]
    ) -> None:
        """STARTTLS was sent: the line ``is_go_ahead`` accepts ends the clear text."""
        self._go_ahead, self._then, self._partial = is_go_ahead, then, b""

    def take_over(self, transport: asyncio.BaseTransport) -> None:
        """Step in on a connection a library opened."""
        self.transport = cast(asyncio.Transport, transport)
        transport.set_protocol(self)

    def securing(self) -> None:
        """The handshake starts (raises the failure if there was one)."""
        if self.failure is not None:
            raise self.failure
        self._clear_closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def data_received(self, data: bytes) -> None:
        if self.failure is not None:
            return
        if not self.spend(len(data), data.count(b"\n")):
            self._fail(Status.PROTOCOL_ERROR, self.flood)
            return
        if self._clear_closed or (self._go_ahead is not None and self._injected(data)):
            self._fail(Status.PLAINTEXT_INJECTED, INJECTED)
            return
        self.inner.data_received(data)
        if self._clear_closed:
            self._then()

    def _injected(self, data: bytes) -> bool:
        """Whether ``data`` goes on past the go-ahead line (noting when that line came)."""
        seen, start = self._partial + data, 0
        assert self._go_ahead is not None
        while (end := seen.find(b"\n", start)) != -1:
            line, start = seen[start:end], end + 1
            if self._go_ahead(line.rstrip(b"\r")):
                self._go_ahead, self._clear_closed = None, True
                return start < len(seen)
        self._partial = seen[start:]
        return False

    def _fail(self, status: Status, detail: str) -> None:
        self.failure = ProbeFailure(status, detail)
        if self.transport is not None:
            self.transport.abort()
        self.on_failure(self.failure)


class LineReader(_Budget):
    """Lines from a blocking socket, within a budget: poplib's ``file``. What came past the
    last line is kept, so a byte sent along with a STARTTLS go-ahead is seen (``pending``)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.budget()

    def readline(self, size: int = -1) -> bytes:
        """One line (with its end), at most ``size`` bytes; b"" once the server hung up."""
        while (end := self.buffer.find(b"\n")) == -1 and not 0 <= size <= len(self.buffer):
            if len(self.buffer) > self.bytes_left:
                break  # over budget: said below
            chunk = self.sock.recv(16384)
            if not chunk:
                end = len(self.buffer) - 1
                break
            self.buffer += chunk
        cut = end + 1 if end != -1 else len(self.buffer)
        if 0 <= size < cut:
            cut = size
        if not self.spend(cut, 1):
            raise ProbeFailure(Status.PROTOCOL_ERROR, self.flood)
        line = bytes(self.buffer[:cut])
        del self.buffer[:cut]
        return line

    def pending(self) -> bool:
        """Whether the server sent anything not read yet: kept here, or waiting in the socket."""
        if self.buffer:
            return True
        timeout = self.sock.gettimeout()
        self.sock.setblocking(False)
        try:
            return bool(self.sock.recv(1, socket.MSG_PEEK))
        except (BlockingIOError, InterruptedError):
            return False
        finally:
            self.sock.settimeout(timeout)

    def close(self) -> None: ...  # poplib closes the socket itself
