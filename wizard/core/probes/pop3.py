"""POP3 through the standard library's poplib, in a daemon thread.

poplib blocks, so each step (connect and secure, login, a round-trip command, QUIT) runs in
a daemon thread of its own (``in_daemon_thread``); cancelling a step aborts the session,
which shuts the socket down so the blocked thread ends with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import poplib
import socket
import ssl

from wizard.core.models import Endpoint, Phase, Security, Status
from wizard.core.probes.base import (
    MailSession,
    PhaseCallback,
    ProbeFailure,
    in_daemon_thread,
    reply_text,
    require_tls,
    tls_failure,
)


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
    raise exc


class Pop3Session(MailSession):
    """A POP3 session: greeting read, STLS done if asked for, ready for one login."""

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
    ) -> Pop3Session:
        """Secure the connected ``sock`` and read the greeting; raises ProbeFailure."""
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
                        reply_text(exc.args[0]) if exc.args else None,
                    ) from None
            return client

        try:
            session.client = await in_daemon_thread(connect, session.abort, "pop3-connect")
        except BaseException as exc:
            session.abort()
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise _pop3_failure(exc, "the greeting") from None
        require_tls(
            session.client.sock if isinstance(session.client.sock, ssl.SSLSocket) else None,
            endpoint,
        )
        return session

    async def _login(self, username: str, password: str) -> str:
        client = self.client
        assert client is not None
        require_tls(client.sock if isinstance(client.sock, ssl.SSLSocket) else None, self.endpoint)

        def authenticate() -> str:
            try:
                client.user(username)
                reply = client.pass_(password)
            except poplib.error_proto as exc:
                text = reply_text(exc.args[0]) if exc.args else "-ERR"
                raise ProbeFailure(
                    Status.AUTH_FAILED, "the server refused the login", text
                ) from None
            return reply_text(reply)

        try:
            return await in_daemon_thread(authenticate, self.abort, "pop3-login")
        except ProbeFailure:
            raise
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise _pop3_failure(exc, "login") from None

    async def _delete_marked(self, header: str, token: str) -> bool:
        client = self.client
        assert client is not None
        marker = f"{header}: {token}".encode().lower()

        def find_and_delete() -> bool:
            _, listing, _ = client.list()
            found = False
            for entry in listing:
                number = entry.split()[0].decode("ascii")
                _, lines, _ = client.top(number, 0)
                if any(line.strip().lower() == marker for line in lines):
                    client.dele(number)
                    found = True
            return found

        return await in_daemon_thread(find_and_delete, self.abort, "pop3-command")

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
