"""The profile server's connections: how many, how long, and when a copy has left.

Anyone on the network can connect to the server, so nothing a client does may hold it:
each connection gets one deadline for its whole request (not one per read, which a client
sending a byte now and then would renew forever), only a few connections are served at
once (the rest are closed at once, without a thread), and on stop every connection is shut
down, so the program is free within a second whatever the clients do.

A copy counts as delivered when the client's computer has acknowledged every byte of it:
only then is it sure that the whole file left, and from then on nothing (not even a reset
by the client) makes the link work again.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

# How often the wait for the client's acknowledgement looks at the send queue; a phone on
# the same network acknowledges within milliseconds.
_ACK_POLL_SECONDS = 0.02
# The end of a request head: an empty line (CRLF, or a bare LF from a sloppy client).
_HEAD_ENDS = (b"\r\n\r\n", b"\n\n")


class CappedTCPServer(socketserver.TCPServer):
    """A TCP server with a thread per connection, at most ``max_connections`` at once.

    A connection over the cap is closed as soon as it is accepted, without a thread. The
    threads are daemons and every connection can be shut down from another thread, so
    nothing a client does keeps the program alive after ``close_connections``.
    """

    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[socketserver.BaseRequestHandler],
        *,
        family: socket.AddressFamily,
        max_connections: int,
    ) -> None:
        self.address_family = family
        self.max_connections = max_connections
        self._guard = threading.Lock()
        # Each open connection, and whether it is receiving the profile.
        self._connections: dict[socket.socket, bool] = {}
        self._handlers: set[threading.Thread] = set()
        self._closing = False
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread of its own, or close it if the server is full."""
        with self._guard:
            refused = self._closing or len(self._connections) >= self.max_connections
            if not refused:
                self._connections[request] = False
                # Ended threads are forgotten here, not by themselves: a thread is joined
                # until its very last step (closing its socket).
                self._handlers = {h for h in self._handlers if h.is_alive()}
                handler = threading.Thread(
                    target=self._serve_connection,
                    args=(request, client_address),
                    name="profile-server-client",
                    daemon=True,
                )
                self._handlers.add(handler)
                handler.start()
        if refused:
            self.shutdown_request(request)

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._guard:
                del self._connections[request]
            self.shutdown_request(request)

    @property
    def closing(self) -> bool:
        """True once ``close_connections`` was called: the server is going away."""
        return self._closing

    def begin_transfer(self, connection: socket.socket) -> bool:
        """Mark ``connection`` as receiving the profile; False if the server is closing."""
        with self._guard:
            if self._closing:
                return False
            self._connections[connection] = True
            return True

    def close_connections(self, *, transfers_only: bool = False) -> None:
        """Accept nothing more and shut down the connections (or only the transfers).

        A shut-down socket wakes its thread at once: a read returns nothing, a write fails.
        """
        with self._guard:
            self._closing = True
            # Under the lock: a connection's thread closes its socket only after removing
            # it from the table, so no socket is shut down after it was closed.
            for connection, sending in self._connections.items():
                if sending or not transfers_only:
                    with contextlib.suppress(OSError):
                        connection.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, deadline: float) -> bool:
        """Wait until every connection's thread has ended or ``deadline`` (monotonic) passes."""
        with self._guard:
            handlers = list(self._handlers)
        for handler in handlers:
            handler.join(max(0.0, deadline - time.monotonic()))
        return not any(handler.is_alive() for handler in handlers)


def read_request_head(connection: socket.socket, deadline: float, limit: int) -> bytes | None:
    """The request line and headers, read by ``deadline`` (monotonic); None if they were not.

    None when the deadline passes, the head grows beyond ``limit`` bytes, or the client
    goes away without sending anything. A client that closes its side after an unfinished
    head gets what it sent parsed as it is.
    """
    head = b""
    while not any(end in head for end in _HEAD_ENDS):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or len(head) > limit:
            return None
        connection.settimeout(remaining)
        try:
            chunk = connection.recv(4096)
        except OSError:  # the deadline (TimeoutError), a reset, or the server shutting down
            return None
        if not chunk:
            return head or None
        head += chunk
    return head if len(head) <= limit else None


def unacknowledged_bytes(connection: socket.socket) -> int | None:
    """Bytes sent on ``connection`` that the client has not acknowledged yet; None if unknown.

    Linux (SIOCOUTQ) and macOS (SO_NWRITE) tell; elsewhere the answer is None.
    """
    try:
        if sys.platform == "linux":
            import fcntl
            import termios

            # SIOCOUTQ, which Linux defines as TIOCOUTQ: unsent plus unacknowledged bytes.
            answer = fcntl.ioctl(connection.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
            return int(struct.unpack("i", answer)[0])
        if sys.platform == "darwin":
            so_nwrite = 0x1024  # <sys/socket.h>: bytes in the send buffer (not yet acknowledged)
            return connection.getsockopt(socket.SOL_SOCKET, so_nwrite)
    except OSError:
        return None
    return None


def confirm_delivery(connection: socket.socket, grace: float, closing: Callable[[], bool]) -> bool:
    """After the whole response was handed to the kernel: did the client get every byte?

    True once the client's computer has acknowledged everything (a reset after that does
    not matter: the file is there); False if it resets first or stays silent for ``grace``
    seconds, or if ``closing()`` says the server is going away. Where the platform cannot
    tell (see ``unacknowledged_bytes``), a clean close or silence counts, a reset does not.
    """
    deadline = time.monotonic() + grace
    client_closed = False
    while True:
        pending = unacknowledged_bytes(connection)
        if pending is None:
            return _await_close(connection, deadline)
        if pending == 0:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0 or closing():
            return False
        pause = min(_ACK_POLL_SECONDS, remaining)
        if client_closed:
            time.sleep(pause)
            continue
        connection.settimeout(pause)
        try:
            # Reading also drains what a client sends after its request, and shows a reset.
            client_closed = not connection.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            # Reset. The acknowledgements came before it, so the count still tells.
            return unacknowledged_bytes(connection) == 0


def _await_close(connection: socket.socket, deadline: float) -> bool:
    """Without a send-queue count: close our side and wait for the client's clean close."""
    try:
        connection.shutdown(socket.SHUT_WR)
        while (remaining := deadline - time.monotonic()) > 0:
            connection.settimeout(remaining)
            if not connection.recv(4096):
                return True
    except TimeoutError:
        return True  # nothing was refused; a client that keeps the connection open has it
    except OSError:
        return False
    return True
