"""POP3 through the standard library's poplib, in a daemon thread.

poplib blocks, so each step (connect and secure, login, a round-trip command, QUIT) runs in
a daemon thread of its own (``in_daemon_thread``); cancelling a step aborts the session,
which shuts the socket down so the blocked thread ends with it.

poplib collects a multi-line answer without limit (a server flooding CAPA lines took the
wizard to gigabytes), so it reads through ``LineReader``: bounded, and aware of what it read
ahead, which after the STLS go-ahead must be nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import hashlib
import poplib
import re
import socket
import ssl
from collections.abc import Callable
from typing import BinaryIO, cast

from wizard.core.models import Auth, Endpoint, Phase, Security, Status
from wizard.core.probes.base import (
    MailSession,
    PhaseCallback,
    ProbeFailure,
    Removal,
    in_daemon_thread,
    reply_text,
    require_tls,
    tls_failure,
)
from wizard.core.probes.guard import (
    INJECTED,
    MAX_SESSION_BYTES,
    MAX_SESSION_LINES,
    LineReader,
)

#: How many of the newest messages a poll reads the header of, looking for the test message.
_NEWEST_LOOKED_AT = 20


def _read_lines(client: poplib.POP3) -> LineReader:
    """Make ``client`` read through ``LineReader`` from now on (instead of a file it made)."""
    client.file.close()  # a buffered reader over the socket: the socket stays open
    lines = LineReader(client.sock)
    client.file = cast(BinaryIO, lines)  # poplib only calls readline() and close()
    return lines


class _PreconnectedPOP3(poplib.POP3):
    """poplib's client on a socket we connected ourselves.

    poplib takes no socket, only a host to connect to: overriding ``_create_socket`` is the
    one way to hand it ours (connected apart, to time DNS and TCP on their own). This and
    the implicit-TLS class below are the only places that touch a poplib internal.
    """

    def __init__(self, sock: socket.socket, host: str, timeout: float) -> None:
        self.preconnected = sock
        super().__init__(host, 0, timeout)
        self.lines = _read_lines(self)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        self.preconnected.settimeout(timeout)
        return self.preconnected


class _PreconnectedPOP3SSL(poplib.POP3_SSL):
    """poplib's implicit-TLS client on a socket we connected ourselves; ``secured`` is
    called once the handshake is done, before the greeting is read."""

    def __init__(
        self,
        sock: socket.socket,
        host: str,
        timeout: float,
        context: ssl.SSLContext,
        secured: Callable[[], None],
    ) -> None:
        self.preconnected = sock
        self.on_secured = secured
        super().__init__(host, 0, timeout=timeout, context=context)
        self.lines = _read_lines(self)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        self.preconnected.settimeout(timeout)
        context: ssl.SSLContext = self.context  # type: ignore[attr-defined]
        secured = context.wrap_socket(self.preconnected, server_hostname=self.host)
        self.on_secured()
        return secured


class _AfterGoAhead:
    """What poplib's ``stls`` is handed as its TLS context: before the handshake it makes
    sure nothing came after the server's go-ahead, and says the handshake begins."""

    def __init__(
        self, context: ssl.SSLContext, lines: LineReader, securing: Callable[[], None]
    ) -> None:
        self.context = context
        self.lines = lines
        self.securing = securing

    def wrap_socket(self, sock: socket.socket, server_hostname: str | None = None) -> ssl.SSLSocket:
        """Refuse bytes that came along with the go-ahead; else the real handshake."""
        if self.lines.pending():
            raise ProbeFailure(Status.PLAINTEXT_INJECTED, INJECTED)
        self.securing()
        return self.context.wrap_socket(sock, server_hostname=server_hostname)


_Client = _PreconnectedPOP3 | _PreconnectedPOP3SSL


def _command(client: _Client, line: bytes) -> bytes:
    """Send one line and read the one-line answer (its line end removed).

    For the SASL exchange, which poplib has no public method for; the answer is read
    within the session's budget like every other."""
    client.sock.sendall(line + b"\r\n")
    answer = client.lines.readline(2048)
    if not answer:
        raise EOFError
    return answer.rstrip(b"\r\n")


def _pop3_failure(exc: BaseException, what: str) -> ProbeFailure:
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
        # poplib parsing an answer that is not POP3 (a CAPA line that is not ASCII, a STAT
        # without a number): the server's words are not repeated.
        return ProbeFailure(Status.PROTOCOL_ERROR, f"unexpected POP3 answer during {what}")
    raise exc


class Pop3Session(MailSession):
    """A POP3 session: greeting read, STLS done if asked for, ready for one login."""

    def __init__(self, endpoint: Endpoint, sock: socket.socket):
        self.endpoint = endpoint
        self.sock = sock
        self.client: _Client | None = None

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        sock: socket.socket,
        context: ssl.SSLContext,
        phase: PhaseCallback,
    ) -> Pop3Session:
        """Secure the connected ``sock`` and read the greeting; raises ProbeFailure."""
        session = cls(endpoint, sock)
        implicit = endpoint.security is Security.SSL
        loop = asyncio.get_running_loop()

        def tell(what: Phase) -> Callable[[], None]:
            def told() -> None:
                loop.call_soon_threadsafe(phase, what)

            return told

        def connect() -> _PreconnectedPOP3 | _PreconnectedPOP3SSL:
            sock.setblocking(True)
            if implicit:
                return _PreconnectedPOP3SSL(
                    sock, endpoint.host, 3600, context, tell(Phase.GREETING)
                )
            client = _PreconnectedPOP3(sock, endpoint.host, 3600)
            try:
                capabilities = client.capa()
            except poplib.error_proto:
                # poplib reports a hang-up and an unknown CAPA alike; a NOOP tells
                # them apart (a server without CAPA certainly has no STLS either).
                try:
                    client.noop()
                except (poplib.error_proto, OSError):
                    raise ProbeFailure(
                        Status.PROTOCOL_ERROR,
                        "the server closed the connection right after its greeting",
                    ) from None
                capabilities = {}
            if "STLS" not in capabilities:
                raise ProbeFailure(
                    Status.STARTTLS_UNAVAILABLE,
                    f"{endpoint.label}: the server does not offer STARTTLS (STLS)",
                )
            secure = _AfterGoAhead(context, client.lines, tell(Phase.SECURING))
            try:
                client.stls(cast(ssl.SSLContext, secure))
            except poplib.error_proto as exc:
                raise ProbeFailure(
                    Status.STARTTLS_UNAVAILABLE,
                    f"{endpoint.label}: the server refused STARTTLS",
                    reply_text(exc.args[0]) if exc.args else None,
                ) from None
            client.lines = _read_lines(client)
            tell(Phase.GREETING)()
            return client

        phase(Phase.SECURING if implicit else Phase.GREETING)
        try:
            client = await in_daemon_thread(connect, session.abort, "pop3-connect")
        except BaseException as exc:
            session.abort()
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise _pop3_failure(exc, "the greeting") from None
        session.client = client
        require_tls(client.sock if isinstance(client.sock, ssl.SSLSocket) else None, endpoint)
        client.lines.budget(MAX_SESSION_BYTES, MAX_SESSION_LINES, "in one session")
        return session

    async def _login(self, username: str, password: str) -> str:
        client = self.client
        assert client is not None
        require_tls(client.sock if isinstance(client.sock, ssl.SSLSocket) else None, self.endpoint)

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

        try:
            return await in_daemon_thread(authenticate, self.abort, "pop3-login")
        except ProbeFailure:
            raise
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise _pop3_failure(exc, "login") from None

    def _challenged(self, client: _Client, username: str, password: str) -> str:
        """The CRAM-MD5 login: AUTH CRAM-MD5 (RFC 5034) where CAPA's SASL offers it, else
        APOP where the greeting carries a timestamp (RFC 1939); else none at all."""
        try:
            sasl = [method.upper() for method in client.capa().get("SASL", [])]
        except poplib.error_proto:  # no CAPA: no SASL either
            sasl = []
        if "CRAM-MD5" in sasl:
            challenge = _command(client, b"AUTH CRAM-MD5")
            if not challenge.startswith(b"+"):
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR,
                    "the server offers CRAM-MD5 but would not start it",
                    reply_text(challenge),
                )
            reply = _command(client, self._cram_md5(username, password, challenge[1:].strip()))
            if not reply.startswith(b"+OK"):
                raise poplib.error_proto(reply)
            return reply_text(reply)
        # poplib's own pattern for the timestamp (bytes; typeshed has it as text).
        stamp = cast("re.Pattern[bytes]", client.timestamp).match(client.getwelcome())
        if stamp is None:
            raise self._no_cram_md5()
        # What poplib's apop() sends, recomputed only to know it if the server repeats it:
        # APOP is MD5 by definition.
        digest = hashlib.md5(stamp.group(1) + password.encode())  # noqa: S324
        self._derived(digest.hexdigest())
        return reply_text(client.apop(username, password))

    async def _delete_marked(self, header: str, token: str) -> Removal:
        client = self.client
        assert client is not None

        def find_and_delete() -> Removal:
            count, _size = client.stat()
            # The test message is among the newest; the user's older mail is not read.
            for number in range(count, max(0, count - _NEWEST_LOOKED_AT), -1):
                _, lines, _ = client.top(str(number), 0)
                values = email.message_from_bytes(b"\r\n".join(lines)).get_all(header) or []
                if token in [str(value).strip() for value in values]:
                    client.dele(str(number))  # carried out at QUIT (RFC 1939)
                    return Removal(found=True, purged=True)
            return Removal(found=False)

        try:
            return await in_daemon_thread(find_and_delete, self.abort, "pop3-command")
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise _pop3_failure(exc, "the search for the test message") from None

    async def close(self, timeout: float = 1.0) -> None:
        client = self.client
        if client is not None:
            with contextlib.suppress(Exception):
                client.sock.settimeout(timeout)
                await asyncio.wait_for(
                    in_daemon_thread(client.quit, self.abort, "pop3-quit"), timeout
                )
        self.abort()

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

    def peer_certificate(self) -> bytes | None:
        sock = self.client.sock if self.client is not None else None
        if isinstance(sock, ssl.SSLSocket):
            return sock.getpeercert(binary_form=True)
        return None
