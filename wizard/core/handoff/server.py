"""The one-time link: a small HTTP server that serves one profile once at a secret path.

Plain HTTP (the phone would not trust a self-made certificate), so the path carries 128
random bits, only one copy of the file ever leaves, and the server stops by itself after
that download or after a time limit. Clients cannot hold it: see ``connections``.
``stop()`` is safe at any time, from any thread; ``wait()`` then returns ``cancelled``.

One copy: a GET on the secret path claims the link for its transfer. If the connection
breaks before the whole file was handed to the network, nothing complete left and the
link works again (a phone that lost Wi-Fi can retry). Once the whole file was handed over,
the link never works again: the download is ``downloaded`` when the client's computer
acknowledged every byte, ``unconfirmed`` when it did not (it reset or went silent).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import io
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from http.server import BaseHTTPRequestHandler
from typing import Any

from wizard.core.errors import ServeError
from wizard.core.handoff.connections import (
    CappedTCPServer,
    confirm_delivery,
    read_request_head,
)
from wizard.core.handoff.listening import bind_target, listen_error, url_host
from wizard.core.handoff.profile_file import ProfileFile

PROFILE_CONTENT_TYPE = "application/x-apple-aspen-config"
DEFAULT_MINUTES = 10.0
# A client has this long from connecting to the end of its request line and headers;
# a phone needs a fraction of a second.
DEFAULT_REQUEST_SECONDS = 10.0
# Connections served at once; a phone opens one or two. Those over the cap are closed.
DEFAULT_MAX_CONNECTIONS = 8
# 16 random bytes = 128 bits; token_urlsafe makes them 22 URL-safe characters, which keeps
# the whole URL short enough for a small QR code (version 3 or 4 for an IPv4 address).
TOKEN_BYTES = 16
# A phone's request head is well under 1 KiB; a bigger one is not worth reading.
_MAX_HEAD_BYTES = 16 * 1024
# Sending the whole file (at most 1 MiB) may take this long, even on a poor Wi-Fi link.
_TRANSFER_SECONDS = 30.0
# The kernel's send buffer for a client. Left to itself (autotuning) it may take in a whole
# 1 MiB file at once on a fast link, and "all of it handed over" would say little; with a
# fixed buffer at most this much (Linux doubles it) is still on its way when it is.
_SEND_BUFFER_BYTES = 64 * 1024
# How long the phone has to acknowledge the last bytes (see connections.confirm_delivery).
_ACK_GRACE_SECONDS = 5.0
# On stop, a request already on its way gets this long to be answered (with a 404) before
# every connection is cut; a client that sends nothing is cut after it too.
_STOP_GRACE_SECONDS = 0.1
# Then the connections' threads (woken by the cut) are given this long to end.
_STOP_JOIN_SECONDS = 0.5


class StopReason(StrEnum):
    """Why a ProfileServer stopped."""

    DOWNLOADED = "downloaded"
    # The whole file was sent but the client never acknowledged all of it: it may or may
    # not have it, and the link no longer works.
    UNCONFIRMED = "unconfirmed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    """Something the user may want to see while waiting."""

    DOWNLOAD_STARTED = "download_started"
    DOWNLOAD_FAILED = "download_failed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ServeEvent:
    """A request seen by the server (reported from a server thread)."""

    kind: EventKind
    client: str


EventCallback = Callable[[ServeEvent], None]


class _HTTPServer(CappedTCPServer):
    """The capped server that knows its ProfileServer and keeps quiet."""

    def __init__(
        self, family: socket.AddressFamily, address: tuple[str, int], owner: ProfileServer
    ) -> None:
        self.owner = owner
        # No HTTPServer.server_bind: it calls socket.getfqdn(), a reverse DNS lookup that
        # can stall and would leave this computer; the name is never used.
        super().__init__(address, _Handler, family=family, max_connections=owner.max_connections)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A phone that walks away mid-request is not an error worth a traceback on stderr.
        pass


class _Handler(BaseHTTPRequestHandler):
    """Serves the profile at the secret path; everything else is an empty 404."""

    server: _HTTPServer
    # One request per connection keeps the download accounting simple.
    protocol_version = "HTTP/1.0"

    def setup(self) -> None:
        """Note when the client connected: its whole request must arrive by the deadline."""
        self.deadline = time.monotonic() + self.server.owner.request_timeout
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SEND_BUFFER_BYTES)

    def handle(self) -> None:
        """Read the request head within the deadline, then answer it (nothing if it is late)."""
        self.close_connection = True
        head = read_request_head(self.connection, self.deadline, _MAX_HEAD_BYTES)
        if head is None:
            return
        self.connection.settimeout(_TRANSFER_SECONDS)
        # http.server parses the head as if it read it itself.
        self.rfile.close()
        self.rfile = io.BytesIO(head)
        self.handle_one_request()

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
        if send_body and not self.server.begin_transfer(self.connection):
            return  # the offer ended a moment ago: the file must not leave now
        data = owner.profile.data
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
            self.wfile.write(data)  # one sendall: returns when all of it is in the kernel
        except OSError:
            if send_body:
                owner.download_failed(self.client_address)
            return
        # From here on the whole file has left this program: the link never reopens.
        delivered = confirm_delivery(
            self.connection, _ACK_GRACE_SECONDS, lambda: self.server.closing
        )
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)  # the end of the file, for the client
        owner.download_sent(delivered=delivered)

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
    from server threads (a Textual app should use ``call_from_thread``). ``request_timeout``
    (seconds for a whole request head) and ``max_connections`` bound what clients can hold.
    """

    def __init__(
        self,
        profile: ProfileFile,
        host: str,
        port: int = 0,
        *,
        time_limit: float = DEFAULT_MINUTES * 60,
        on_event: EventCallback | None = None,
        request_timeout: float = DEFAULT_REQUEST_SECONDS,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ServeError(
                "no such port; a port is a number from 1 to 65535 (0: any).",
                field="port",
            )
        if time_limit <= 0:
            raise ServeError("the time limit must be more than zero.", field="minutes")
        if request_timeout <= 0 or max_connections < 1:
            raise ValueError("request_timeout and max_connections must be positive")
        self.profile = profile
        self.host = host
        self.port = port
        self.time_limit = time_limit
        self.request_timeout = request_timeout
        self.max_connections = max_connections
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
            family, bind_address = bind_target(self.host, self.port)
            try:
                httpd = _HTTPServer(family, (bind_address, self.port), self)
            except OSError as exc:
                raise listen_error(exc, self.host, self.port) from None
            self._httpd = httpd
            self.port = int(httpd.server_address[1])
            self.url = f"http://{url_host(self.host)}:{self.port}{self._path}"
            # Daemon threads (the connections' too): a program that exits without stop()
            # must not hang until the time limit. wait() joins them, so after stop() +
            # wait() nothing runs.
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

    @property
    def reason(self) -> StopReason | None:
        """Why the offer ended, as soon as that is decided (the server may still be closing)."""
        return self._reason

    async def wait_async(self) -> StopReason:
        """``wait()`` for asyncio code; cancelling the awaiting task stops the server."""
        try:
            reason = await asyncio.to_thread(self.wait)
        except asyncio.CancelledError:
            self.stop()
            raise
        return reason if reason is not None else StopReason.CANCELLED

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
        """The transfer broke off before the whole file was sent: the link is free again."""
        with self._lock:
            self._downloading = False
            over = self._reason is not None
        if not over:  # when the offer has ended, the link does not "still work"
            self.notify(EventKind.DOWNLOAD_FAILED, client)

    def download_sent(self, *, delivered: bool) -> None:
        """The whole file was sent, acknowledged (``delivered``) or not: the offer is over."""
        self._decide(StopReason.DOWNLOADED if delivered else StopReason.UNCONFIRMED)

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
        """Ends the offer at the deadline, or as soon as a reason is decided.

        Then, within about half a second whatever the clients do: no new connections, no
        transfer goes on, requests already sent get their 404, and every connection is cut.
        """
        if not self._decided.wait(self.time_limit):
            self._decide(StopReason.TIMED_OUT)
        grace_ends = time.monotonic() + _STOP_GRACE_SECONDS
        httpd = self._httpd
        assert httpd is not None
        httpd.close_connections(transfers_only=True)  # and accept no new ones
        httpd.shutdown()  # stops serve_forever (running in the other thread)
        httpd.server_close()  # closes the listening socket: new connections are refused
        if not httpd.join_handlers(grace_ends):
            httpd.close_connections()  # idle, slow or silent clients
            httpd.join_handlers(time.monotonic() + _STOP_JOIN_SECONDS)
        self._closed.set()
