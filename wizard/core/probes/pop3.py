"""POP3 through poplib, each blocking step in a daemon thread; cancelling one shuts the
socket, ending the thread. poplib reads through a ``LineReader`` (bounded, and aware of what
it read ahead, which after the STLS go-ahead must be nothing)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import poplib
import re
import socket
import ssl
from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import BinaryIO, TypeVar, cast

from wizard.core.models import Auth, Endpoint, Phase, Security, Status
from wizard.core.probes.base import (
    MailSession,
    PhaseCallback,
    ProbeFailure,
    Removal,
    carries_marker,
    in_daemon_thread,
    reply_text,
    require_tls,
    tls_failure,
)
from wizard.core.probes.guard import INJECTED, LineReader

T = TypeVar("T")

#: How many of the newest messages' headers a poll reads, looking for the test message.
_NEWEST_LOOKED_AT = 20


class _PreconnectedPOP3(poplib.POP3):
    """poplib's client on our socket, secured at once given a ``context`` (then ``secured`` is
    called), reading through a ``LineReader``. poplib only connects to a host: overriding
    ``_create_socket`` is the one way to hand it our socket (its only internal we touch)."""

    def __init__(
        self,
        sock: socket.socket,
        host: str,
        context: ssl.SSLContext | None = None,
        secured: Callable[[], object] = lambda: None,
    ) -> None:
        self.preconnected, self.implicit_tls, self.on_secured = sock, context, secured
        # The caller's asyncio.timeout is the bound; cancelling it shuts the socket.
        super().__init__(host, 0, 3600)
        self.read_lines()

    def _create_socket(self, timeout: float | None) -> socket.socket:
        self.preconnected.settimeout(timeout)
        if self.implicit_tls is None:
            return self.preconnected
        secured = self.implicit_tls.wrap_socket(self.preconnected, server_hostname=self.host)
        self.on_secured()
        return secured

    def read_lines(self) -> None:
        self.file.close()  # a buffered reader over the socket: the socket stays open
        self.lines = LineReader(self.sock)
        self.file = cast(BinaryIO, self.lines)  # poplib only calls readline() and close()

    def command(self, line: bytes) -> bytes:
        """Send one line, read the one-line answer (SASL: poplib has no method for it)."""
        self.sock.sendall(line + b"\r\n")
        answer = self.lines.readline(2048)
        if not answer:
            raise EOFError
        return answer.rstrip(b"\r\n")


def _pop3_failure(exc: Exception, what: str) -> ProbeFailure:
    """What a poplib step's exception means; anything unforeseen (a bug) is raised."""
    if isinstance(exc, ProbeFailure):
        return exc
    if isinstance(exc, ssl.SSLError):
        return tls_failure(exc)
    if isinstance(exc, TimeoutError):
        return ProbeFailure(Status.TIMEOUT, f"the server stopped answering during {what}")
    if isinstance(exc, poplib.error_proto):
        reply = reply_text(exc.args[0]) if exc.args else ""
        return ProbeFailure(Status.PROTOCOL_ERROR, f"unexpected POP3 answer during {what}", reply)
    if isinstance(exc, ConnectionError | EOFError):
        return ProbeFailure(
            Status.PROTOCOL_ERROR, f"the server closed the connection during {what}"
        )
    if isinstance(exc, OSError):
        return ProbeFailure(Status.PROTOCOL_ERROR, f"the connection broke during {what}: {exc}")
    if isinstance(exc, ValueError | IndexError):
        # poplib parsing what is not POP3 (a non-ASCII CAPA, say): its words are not repeated.
        return ProbeFailure(Status.PROTOCOL_ERROR, f"unexpected POP3 answer during {what}")
    raise exc


class Pop3Session(MailSession):
    """A POP3 session: greeting read, STLS done if asked for, ready for one login."""

    def __init__(self, endpoint: Endpoint, sock: socket.socket):
        self.endpoint = endpoint
        self.sock = sock
        self.client: _PreconnectedPOP3 | None = None

    async def _in_thread(self, step: Callable[[], T], what: str) -> T:
        try:
            return await in_daemon_thread(step, self.abort, f"pop3: {what}")
        except Exception as exc:
            raise _pop3_failure(exc, what) from None

    async def secure(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        endpoint, sock = self.endpoint, self.sock
        implicit = endpoint.security is Security.SSL
        loop = asyncio.get_running_loop()

        def tell(what: Phase) -> Callable[[], object]:
            return partial(loop.call_soon_threadsafe, phase, what)

        def connect() -> _PreconnectedPOP3:
            sock.setblocking(True)
            if implicit:
                return _PreconnectedPOP3(sock, endpoint.host, context, tell(Phase.GREETING))
            client = _PreconnectedPOP3(sock, endpoint.host)
            try:
                capabilities = client.capa()
            except poplib.error_proto:
                # poplib reports a hang-up and an unknown CAPA alike; a NOOP tells them apart.
                try:
                    client.noop()
                except (poplib.error_proto, OSError):
                    raise ProbeFailure(
                        Status.PROTOCOL_ERROR,
                        "the server closed the connection right after its greeting",
                    ) from None
                capabilities = {}
            if "STLS" not in capabilities:
                raise self._no_tls("does not offer STARTTLS (STLS)")

            def wrap_socket(plain: socket.socket, server_hostname: str) -> ssl.SSLSocket:
                # poplib's stls() calls this: bytes that came with the go-ahead are refused.
                if client.lines.pending():
                    raise ProbeFailure(Status.PLAINTEXT_INJECTED, INJECTED)
                tell(Phase.SECURING)()
                return context.wrap_socket(plain, server_hostname=server_hostname)

            try:
                client.stls(cast(ssl.SSLContext, SimpleNamespace(wrap_socket=wrap_socket)))
            except poplib.error_proto as exc:
                reply = reply_text(exc.args[0]) if exc.args else None
                raise self._no_tls("refused STARTTLS", reply) from None
            client.read_lines()
            tell(Phase.GREETING)()
            return client

        phase(Phase.SECURING if implicit else Phase.GREETING)
        self.client = await self._in_thread(connect, "the greeting")
        require_tls(self.ssl_object(), endpoint)
        self.client.lines.budget(opened=True)

    async def _login(self, username: str, password: str) -> str:
        client = self.client
        assert client is not None
        require_tls(self.ssl_object(), self.endpoint)

        def authenticate() -> str:
            try:
                if self.endpoint.auth is Auth.CRAM_MD5:
                    return self._challenged(client, username, password)
                client.user(username)
                return reply_text(client.pass_(password))
            except poplib.error_proto as exc:
                text = reply_text(exc.args[0]) if exc.args else "-ERR"
                raise ProbeFailure(
                    Status.AUTH_FAILED, "the server refused the login", text
                ) from None

        return await self._in_thread(authenticate, "login")

    def _challenged(self, client: _PreconnectedPOP3, username: str, password: str) -> str:
        """AUTH CRAM-MD5 (RFC 5034) where CAPA's SASL offers it, else APOP where the greeting
        carries a timestamp (RFC 1939); else none at all."""
        try:
            sasl = [method.upper() for method in client.capa().get("SASL", [])]
        except poplib.error_proto:  # no CAPA: no SASL either
            sasl = []
        if "CRAM-MD5" in sasl:
            challenge = client.command(b"AUTH CRAM-MD5")
            if not challenge.startswith(b"+"):
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR,
                    "the server offers CRAM-MD5 but would not start it",
                    reply_text(challenge),
                )
            reply = client.command(self._cram_md5(username, password, challenge[1:].strip()))
            if not reply.startswith(b"+OK"):
                raise poplib.error_proto(reply)
            return reply_text(reply)
        # poplib's own pattern for the timestamp (bytes; typeshed has it as text).
        stamp = cast("re.Pattern[bytes]", client.timestamp).match(client.getwelcome())
        if stamp is None:
            raise self._no_cram_md5()
        # What poplib's apop() sends, to know it if the server repeats it (APOP is MD5).
        digest = hashlib.md5(stamp.group(1) + password.encode())  # noqa: S324
        self._sent_forms += (digest.hexdigest(),)
        return reply_text(client.apop(username, password))

    async def _delete_marked(self, header: str, token: str) -> Removal:
        client = self.client
        assert client is not None

        def find_and_delete() -> Removal:
            count, _size = client.stat()
            # The test message is among the newest: older mail is not read.
            for number in range(count, max(0, count - _NEWEST_LOOKED_AT), -1):
                _, lines, _ = client.top(str(number), 0)
                if carries_marker(b"\r\n".join(lines), header, token):
                    client.dele(str(number))  # carried out at QUIT (RFC 1939)
                    return Removal(found=True, purged=True)
            return Removal(found=False)

        return await self._in_thread(find_and_delete, "the search for the test message")

    async def _goodbye(self, timeout: float) -> object:
        assert self.client is not None
        self.client.sock.settimeout(timeout)
        return await in_daemon_thread(self.client.quit, self.abort, "pop3: QUIT")

    def abort(self) -> None:
        # poplib's quit() sets client.sock to None once it has closed it itself.
        target = self.client.sock if self.client is not None else self.sock
        for sock in (target, self.sock):
            if sock is None:
                continue
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def ssl_object(self) -> ssl.SSLSocket | None:
        sock = None if self.client is None else self.client.sock
        return sock if isinstance(sock, ssl.SSLSocket) else None
