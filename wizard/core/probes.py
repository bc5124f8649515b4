"""Talking to one endpoint: connect, secure, read the greeting, log in, close.

IMAP goes through aioimaplib, SMTP through aiosmtplib, POP3 through the standard library's
poplib in a daemon thread. Every function here is meant to run under a caller's
``asyncio.timeout``; cancellation closes the socket at once.

Expected failures are raised as ``ProbeFailure`` carrying a status code; the caller turns
them into ``Attempt`` results. The one rule that matters most: credentials are only ever
sent on a connection whose TLS handshake (implicit or STARTTLS) has completed and verified;
``_require_tls`` checks it again right before every login.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import poplib
import socket
import ssl
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

import aioimaplib
import aiosmtplib

from wizard.core.models import Endpoint, Phase, Protocol, Security, Status
from wizard.core.tls import classify_tls_error, tls_error_text

T = TypeVar("T")

PhaseCallback = Callable[[Phase], None]

# Reply texts longer than this are cut: a reply is shown to people, not archived.
_MAX_REPLY = 500


class ProbeFailure(Exception):
    """An expected failure of one endpoint: a status code, what happened, the server's words."""

    def __init__(
        self,
        status: Status,
        detail: str,
        reply: str | None = None,
        *,
        during_login: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reply = None if reply is None else reply[:_MAX_REPLY]
        self.during_login = during_login


class MailSession(ABC):
    """A connected, secured session with a greeting read; ready for one login."""

    endpoint: Endpoint
    greeting: str = ""

    @abstractmethod
    async def login(self, username: str, password: str) -> str:
        """Log in once; returns the server's reply, or raises ProbeFailure."""

    @abstractmethod
    async def close(self, timeout: float = 1.0) -> None:
        """Say goodbye politely (LOGOUT / QUIT) within ``timeout``, then drop the connection."""

    @abstractmethod
    def abort(self) -> None:
        """Drop the connection at once, without a word."""

    @abstractmethod
    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER), when TLS is up."""


# --------------------------------------------------------------------------- connecting


async def connect_socket(endpoint: Endpoint) -> socket.socket:
    """Resolve the host name and open a TCP connection (non-blocking socket)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            endpoint.host, endpoint.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except socket.gaierror as exc:
        raise ProbeFailure(
            Status.DNS_FAILED, f"cannot look up {endpoint.host}: {exc.strerror}"
        ) from None
    if not infos:
        raise ProbeFailure(Status.DNS_FAILED, f"{endpoint.host} has no address")
    last_error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    assert last_error is not None
    if isinstance(last_error, ConnectionRefusedError):
        raise ProbeFailure(
            Status.CONNECTION_REFUSED,
            f"{endpoint.host} refused the connection on port {endpoint.port}",
        )
    if last_error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        raise ProbeFailure(
            Status.CONNECTION_REFUSED,
            f"{endpoint.host} port {endpoint.port} cannot be reached from this network "
            f"({last_error.strerror})",
        )
    if isinstance(last_error, TimeoutError):
        raise ProbeFailure(Status.TIMEOUT, f"no answer from {endpoint.host}:{endpoint.port}")
    raise ProbeFailure(
        Status.CONNECTION_REFUSED,
        f"cannot connect to {endpoint.host}:{endpoint.port} ({last_error.strerror or last_error})",
    )


def _tls_failure(exc: ssl.SSLError) -> ProbeFailure:
    return ProbeFailure(classify_tls_error(exc), tls_error_text(exc))


def _reply_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace").strip()
    return str(value).strip()


def _require_tls(transport_ssl: object | None, endpoint: Endpoint) -> None:
    # The last line of defence: never send a password on a connection without TLS.
    if transport_ssl is None:
        raise ProbeFailure(
            Status.STARTTLS_UNAVAILABLE,
            f"{endpoint.label}: the connection is not encrypted, so no password was sent",
        )


async def open_session(
    endpoint: Endpoint,
    context: ssl.SSLContext,
    on_phase: PhaseCallback | None = None,
) -> MailSession:
    """Connect to ``endpoint`` and secure it; the returned session is ready to log in."""
    phase = on_phase or (lambda _phase: None)
    phase(Phase.CONNECTING)
    sock = await connect_socket(endpoint)
    try:
        if endpoint.protocol is Protocol.IMAP:
            return await _ImapSession.open(endpoint, sock, context, phase)
        if endpoint.protocol is Protocol.SMTP:
            return await _SmtpSession.open(endpoint, sock, context, phase)
        return await _Pop3Session.open(endpoint, sock, context, phase)
    except BaseException:
        with contextlib.suppress(OSError):
            sock.close()
        raise


# --------------------------------------------------------------------------- IMAP


class _GreetingProtocol(aioimaplib.IMAP4ClientProtocol):  # type: ignore[misc]
    """Keeps the greeting line, and reports a refused greeting at once instead of hanging."""

    greeting: bytes = b""
    on_welcome_failure: Callable[[ProbeFailure], None] = staticmethod(lambda _failure: None)

    async def welcome(self, command: bytes) -> None:
        self.greeting = command
        try:
            await super().welcome(command)
        except Exception as exc:
            text = _reply_text(command)
            if text.upper().startswith("* BYE") or text.upper().startswith("BYE"):
                detail = "the server said goodbye instead of hello"
            else:
                detail = f"unexpected IMAP greeting ({type(exc).__name__})"
            self.on_welcome_failure(ProbeFailure(Status.PROTOCOL_ERROR, detail, text))


class _PreconnectedIMAP(aioimaplib.IMAP4):  # type: ignore[misc]
    """aioimaplib's client on a socket we connected ourselves (to time DNS and TCP apart)."""

    def __init__(
        self,
        sock: socket.socket,
        host: str,
        ssl_context: ssl.SSLContext | None,
        conn_lost_cb: Callable[[Exception | None], None],
    ) -> None:
        self._preconnected = sock
        super().__init__(
            host=host, port=0, timeout=3600, conn_lost_cb=conn_lost_cb, ssl_context=ssl_context
        )

    def create_client(
        self,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop | None,
        conn_lost_cb: Callable[[Exception | None], None] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        local_loop = loop if loop is not None else asyncio.get_running_loop()
        self.protocol = _GreetingProtocol(local_loop, conn_lost_cb)
        self._client_task = local_loop.create_task(
            local_loop.create_connection(
                lambda: self.protocol,
                sock=self._preconnected,
                ssl=ssl_context,
                server_hostname=host if ssl_context is not None else None,
            )
        )


class _ImapSession(MailSession):
    def __init__(
        self,
        endpoint: Endpoint,
        client: _PreconnectedIMAP,
        lost: asyncio.Future[ProbeFailure | None],
    ):
        self.endpoint = endpoint
        self.client = client
        self.lost = lost

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        sock: socket.socket,
        context: ssl.SSLContext,
        phase: PhaseCallback,
    ) -> _ImapSession:
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[ProbeFailure | None] = loop.create_future()

        def connection_lost(exc: Exception | None) -> None:
            if not lost.done():
                lost.set_result(None)

        def welcome_failed(failure: ProbeFailure) -> None:
            if not lost.done():
                lost.set_result(failure)

        implicit = endpoint.security is Security.SSL
        if implicit:
            phase(Phase.SECURING)
        client = _PreconnectedIMAP(
            sock, endpoint.host, context if implicit else None, connection_lost
        )
        client.protocol.on_welcome_failure = welcome_failed
        session = cls(endpoint, client, lost)
        try:
            try:
                await client._client_task
            except ssl.SSLError as exc:
                raise _tls_failure(exc) from None
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise ProbeFailure(
                    Status.TLS_FAILED,
                    f"the connection was reset during the secure handshake ({exc.strerror})",
                ) from None
            await session._until_lost(client.protocol.wait("AUTH|NONAUTH"), "greeting")
            session.greeting = _reply_text(getattr(client.protocol, "greeting", ""))
            if not implicit:
                await session._starttls(context, phase)
            _require_tls(client.protocol.transport.get_extra_info("ssl_object"), endpoint)
        except BaseException:
            session.abort()
            raise
        return session

    async def _until_lost(self, awaitable: Any, what: str) -> Any:
        """Await ``awaitable`` but fail fast if the server hangs up meanwhile."""
        task = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait({task, self.lost}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            task.cancel()
            raise
        if task in done:
            try:
                return task.result()
            except aioimaplib.AioImapException as exc:
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR, f"unexpected IMAP answer during {what}", str(exc)
                ) from None
            except (ssl.SSLError, ConnectionError) as exc:
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR, f"the connection broke during {what}: {exc}"
                ) from None
        task.cancel()
        failure = self.lost.result()
        if failure is not None:
            raise failure
        raise ProbeFailure(
            Status.PROTOCOL_ERROR,
            f"the server closed the connection during {what}",
        )

    async def _starttls(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        protocol = self.client.protocol
        if "STARTTLS" not in protocol.capabilities:
            raise ProbeFailure(
                Status.STARTTLS_UNAVAILABLE,
                f"{self.endpoint.label}: the server does not offer STARTTLS",
            )
        phase(Phase.SECURING)
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        response = await self._until_lost(protocol.execute(command), "STARTTLS")
        if response.result != "OK":
            raise ProbeFailure(
                Status.STARTTLS_UNAVAILABLE,
                f"{self.endpoint.label}: the server refused STARTTLS",
                _reply_text(response.lines[-1] if response.lines else response.result),
            )
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                protocol.transport, protocol, context, server_hostname=self.endpoint.host
            )
        except ssl.SSLError as exc:
            raise _tls_failure(exc) from None
        except ConnectionError as exc:
            raise ProbeFailure(
                Status.TLS_FAILED, f"the connection broke during the secure handshake: {exc}"
            ) from None
        if transport is None:  # pragma: no cover - asyncio returns None only on closed loops
            raise ProbeFailure(Status.TLS_FAILED, "the secure handshake did not complete")
        protocol.transport = transport
        # RFC 3501 6.2.1: capabilities seen before STARTTLS must be forgotten.
        await self._until_lost(protocol.capability(), "CAPABILITY after STARTTLS")

    async def login(self, username: str, password: str) -> str:
        protocol = self.client.protocol
        _require_tls(protocol.transport.get_extra_info("ssl_object"), self.endpoint)
        if "LOGINDISABLED" in protocol.capabilities:
            raise ProbeFailure(
                Status.PROTOCOL_ERROR,
                "the server does not allow password login (LOGINDISABLED)",
                during_login=True,
            )
        if password.isascii() or "AUTH=PLAIN" not in protocol.capabilities:
            response = await self._until_lost(protocol.login(username, password), "login")
        else:
            # A non-ASCII password does not fit an IMAP quoted string (7-bit); AUTHENTICATE
            # PLAIN carries it as UTF-8 inside base64 (RFC 4616).
            response = await self._until_lost(self._authenticate_plain(username, password), "login")
        reply = _reply_text(response.lines[-1]) if response.lines else ""
        if response.result == "OK":
            return reply
        status = Status.AUTH_FAILED if response.result == "NO" else Status.PROTOCOL_ERROR
        raise ProbeFailure(status, "the server refused the login", reply, during_login=True)

    async def _authenticate_plain(self, username: str, password: str) -> Any:
        protocol = self.client.protocol
        token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
        if "SASL-IR" in protocol.capabilities:
            command = aioimaplib.Command(
                "AUTHENTICATE", protocol.new_tag(), "PLAIN", token, loop=protocol.loop
            )
            response = await protocol.execute(command, scrub=token)
        else:
            response = await self._authenticate_continuation(token)
        if response.result == "OK":
            protocol.state = aioimaplib.AUTH
        return response

    async def _authenticate_continuation(self, token: str) -> Any:
        protocol = self.client.protocol
        command = aioimaplib.Command(
            "AUTHENTICATE", protocol.new_tag(), "PLAIN", loop=protocol.loop
        )
        original_flush = command.flush

        def send_token() -> None:
            protocol.transport.write(token.encode("ascii") + b"\r\n")
            command.flush = original_flush

        command.flush = send_token
        return await protocol.execute(command)

    async def close(self, timeout: float = 1.0) -> None:
        with contextlib.suppress(Exception):  # goodbye is best effort
            await asyncio.wait_for(self.client.protocol.logout(), timeout)
        self.abort()

    def abort(self) -> None:
        for task in list(getattr(self.client.protocol, "tasks", ())):
            task.cancel()  # aioimaplib's greeting handler may still be waiting
        transport = getattr(self.client.protocol, "transport", None)
        if transport is not None:
            transport.abort()
        else:
            self.client._client_task.cancel()
            with contextlib.suppress(OSError):
                self.client._preconnected.close()

    def peer_certificate(self) -> bytes | None:
        transport = self.client.protocol.transport
        ssl_object = None if transport is None else transport.get_extra_info("ssl_object")
        return None if ssl_object is None else ssl_object.getpeercert(binary_form=True)


# aioimaplib only knows the commands in its table; AUTHENTICATE is valid before login.
if "AUTHENTICATE" not in aioimaplib.Commands:
    aioimaplib.Commands["AUTHENTICATE"] = aioimaplib.Cmd(
        "AUTHENTICATE", (aioimaplib.NONAUTH,), aioimaplib.Exec.is_sync
    )


# --------------------------------------------------------------------------- SMTP


class _SmtpSession(MailSession):
    def __init__(self, endpoint: Endpoint, client: aiosmtplib.SMTP):
        self.endpoint = endpoint
        self.client = client

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        sock: socket.socket,
        context: ssl.SSLContext,
        phase: PhaseCallback,
    ) -> _SmtpSession:
        implicit = endpoint.security is Security.SSL
        client = aiosmtplib.SMTP(
            hostname=endpoint.host,
            sock=sock,
            use_tls=implicit,
            start_tls=False,
            tls_context=context,
            timeout=3600,  # the caller's asyncio.timeout is the real bound
            local_hostname="mailcom-wizard.localhost",
        )
        session = cls(endpoint, client)
        if implicit:
            phase(Phase.SECURING)
        try:
            greeting = await client.connect()
            session.greeting = f"{greeting.code} {greeting.message}"
            await client.ehlo()
            if not implicit:
                if not client.supports_extension("starttls"):
                    raise ProbeFailure(
                        Status.STARTTLS_UNAVAILABLE,
                        f"{endpoint.label}: the server does not offer STARTTLS",
                    )
                phase(Phase.SECURING)
                await client.starttls(tls_context=context, server_hostname=endpoint.host)
                await client.ehlo()
            _require_tls(client.get_transport_info("ssl_object"), endpoint)
        except ProbeFailure:
            session.abort()
            raise
        except BaseException as exc:
            session.abort()
            raise _smtp_failure(exc) from None
        return session

    async def login(self, username: str, password: str) -> str:
        client = self.client
        _require_tls(client.get_transport_info("ssl_object"), self.endpoint)
        methods = client.server_auth_methods
        # One attempt only: aiosmtplib's login() would try every method in turn, and a wrong
        # password would then count twice against the account.
        try:
            if "plain" in methods:
                response = await client.auth_plain(username, password)
            elif "login" in methods:
                response = await client.auth_login(username, password)
            else:
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR,
                    "the server does not offer password login (AUTH PLAIN or LOGIN)",
                    during_login=True,
                )
        except aiosmtplib.SMTPAuthenticationError as exc:
            status = Status.AUTH_FAILED if exc.code in (535, 454, 534) else Status.PROTOCOL_ERROR
            raise ProbeFailure(
                status,
                "the server refused the login",
                f"{exc.code} {exc.message}",
                during_login=True,
            ) from None
        except ProbeFailure:
            raise
        except BaseException as exc:
            failure = _smtp_failure(exc)
            failure.during_login = True
            raise failure from None
        return f"{response.code} {response.message}"

    async def send(self, message: bytes, sender: str, recipient: str) -> None:
        """Send one message (used by the round trip)."""
        await self.client.sendmail(sender, [recipient], message)

    async def close(self, timeout: float = 1.0) -> None:
        with contextlib.suppress(Exception):  # goodbye is best effort
            await asyncio.wait_for(self.client.quit(), timeout)
        self.abort()

    def abort(self) -> None:
        self.client.close()

    def peer_certificate(self) -> bytes | None:
        ssl_object = self.client.get_transport_info("ssl_object")
        return None if ssl_object is None else ssl_object.getpeercert(binary_form=True)


def _smtp_failure(exc: BaseException) -> ProbeFailure:
    if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
        raise exc
    if isinstance(exc, ssl.SSLError):
        return _tls_failure(exc)
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError):
        return _tls_failure(cause)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return ProbeFailure(
            Status.PROTOCOL_ERROR, "unexpected SMTP answer", f"{exc.code} {exc.message}"
        )
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return ProbeFailure(Status.PROTOCOL_ERROR, "the server closed the connection")
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return ProbeFailure(Status.TIMEOUT, "the server stopped answering")
    if isinstance(exc, aiosmtplib.SMTPException):
        return ProbeFailure(Status.PROTOCOL_ERROR, exc.message)
    if isinstance(exc, ConnectionError):
        return ProbeFailure(Status.PROTOCOL_ERROR, f"the connection broke: {exc}")
    raise exc


# --------------------------------------------------------------------------- POP3


class _PreconnectedPOP3(poplib.POP3):
    """poplib's client on a socket we connected ourselves."""

    def __init__(self, sock: socket.socket, host: str, timeout: float) -> None:
        self._preconnected = sock
        super().__init__(host, 0, timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        self._preconnected.settimeout(timeout)
        return self._preconnected


class _PreconnectedPOP3SSL(poplib.POP3_SSL):
    """poplib's implicit-TLS client on a socket we connected ourselves."""

    def __init__(
        self, sock: socket.socket, host: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        self._preconnected = sock
        super().__init__(host, 0, timeout=timeout, context=context)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        self._preconnected.settimeout(timeout)
        context: ssl.SSLContext = self.context  # type: ignore[attr-defined]
        return context.wrap_socket(self._preconnected, server_hostname=self.host)


async def in_daemon_thread(
    function: Callable[[], T], on_cancel: Callable[[], None], name: str
) -> T:
    """Run blocking ``function`` in its own daemon thread; on cancel call ``on_cancel``.

    Not the default executor: ``asyncio.run`` waits for that at exit, which would make a
    cancelled check linger until a blocked socket times out.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(setter: Callable[[Any], None], value: Any) -> None:
        if not future.done():
            setter(value)

    def runner() -> None:
        try:
            result = function()
        except BaseException as exc:
            with contextlib.suppress(RuntimeError):  # the loop may be gone already
                loop.call_soon_threadsafe(deliver, future.set_exception, exc)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, future.set_result, result)

    threading.Thread(target=runner, name=name, daemon=True).start()
    try:
        return await future
    except asyncio.CancelledError:
        on_cancel()
        raise


def _pop3_failure(exc: BaseException, what: str) -> ProbeFailure:
    if isinstance(exc, ProbeFailure):
        return exc
    if isinstance(exc, ssl.SSLError):
        return _tls_failure(exc)
    if isinstance(exc, TimeoutError):
        return ProbeFailure(Status.TIMEOUT, f"the server stopped answering during {what}")
    if isinstance(exc, poplib.error_proto):
        reply = _reply_text(exc.args[0]) if exc.args else ""
        return ProbeFailure(Status.PROTOCOL_ERROR, f"unexpected POP3 answer during {what}", reply)
    if isinstance(exc, ConnectionError | EOFError):
        return ProbeFailure(
            Status.PROTOCOL_ERROR, f"the server closed the connection during {what}"
        )
    if isinstance(exc, OSError):
        return ProbeFailure(Status.PROTOCOL_ERROR, f"the connection broke during {what}: {exc}")
    raise exc


class _Pop3Session(MailSession):
    def __init__(self, endpoint: Endpoint, sock: socket.socket):
        self.endpoint = endpoint
        self.sock = sock
        self.client: poplib.POP3 | None = None

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        sock: socket.socket,
        context: ssl.SSLContext,
        phase: PhaseCallback,
    ) -> _Pop3Session:
        session = cls(endpoint, sock)
        implicit = endpoint.security is Security.SSL
        loop = asyncio.get_running_loop()
        if implicit:
            phase(Phase.SECURING)

        def secure_later() -> None:
            loop.call_soon_threadsafe(phase, Phase.SECURING)

        def connect() -> poplib.POP3:
            sock.setblocking(True)
            client: poplib.POP3
            if implicit:
                client = _PreconnectedPOP3SSL(sock, endpoint.host, 3600, context)
            else:
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
                secure_later()
                try:
                    client.stls(context)
                except poplib.error_proto as exc:
                    raise ProbeFailure(
                        Status.STARTTLS_UNAVAILABLE,
                        f"{endpoint.label}: the server refused STARTTLS",
                        _reply_text(exc.args[0]) if exc.args else None,
                    ) from None
            return client

        try:
            session.client = await in_daemon_thread(connect, session.abort, "pop3-connect")
        except BaseException as exc:
            session.abort()
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise _pop3_failure(exc, "the greeting") from None
        session.greeting = _reply_text(session.client.getwelcome())
        _require_tls(
            session.client.sock if isinstance(session.client.sock, ssl.SSLSocket) else None,
            endpoint,
        )
        return session

    async def login(self, username: str, password: str) -> str:
        client = self.client
        assert client is not None
        _require_tls(client.sock if isinstance(client.sock, ssl.SSLSocket) else None, self.endpoint)

        def authenticate() -> str:
            try:
                client.user(username)
                reply = client.pass_(password)
            except poplib.error_proto as exc:
                text = _reply_text(exc.args[0]) if exc.args else "-ERR"
                raise ProbeFailure(
                    Status.AUTH_FAILED, "the server refused the login", text, during_login=True
                ) from None
            return _reply_text(reply)

        try:
            return await in_daemon_thread(authenticate, self.abort, "pop3-login")
        except ProbeFailure:
            raise
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            failure = _pop3_failure(exc, "login")
            failure.during_login = True
            raise failure from None

    async def run(self, function: Callable[[poplib.POP3], T]) -> T:
        """Run one blocking poplib call sequence against this session (round trip)."""
        client = self.client
        assert client is not None
        return await in_daemon_thread(lambda: function(client), self.abort, "pop3-command")

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
