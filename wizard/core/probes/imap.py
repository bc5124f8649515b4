"""IMAP through aioimaplib, on a socket connected by ``connect_socket``.

aioimaplib would wait forever on a greeting it does not accept and cannot upgrade a
connection with STARTTLS, so both are done here; every wait also watches for the server
hanging up, so a dropped connection fails at once instead of at the caller's timeout.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import ssl
from collections.abc import Callable
from typing import Any

import aioimaplib

from wizard.core.models import Endpoint, Phase, Security, Status
from wizard.core.probes.base import (
    MailSession,
    PhaseCallback,
    ProbeFailure,
    reply_text,
    require_tls,
    tls_failure,
)


class _GreetingProtocol(aioimaplib.IMAP4ClientProtocol):  # type: ignore[misc]
    """Reports a refused greeting at once instead of hanging."""

    on_welcome_failure: Callable[[ProbeFailure], None] = staticmethod(lambda _failure: None)

    async def welcome(self, command: bytes) -> None:
        try:
            await super().welcome(command)
        except Exception as exc:
            text = reply_text(command)
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


class ImapSession(MailSession):
    """An IMAP session: greeting read, STARTTLS done if asked for, ready for one login."""

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
    ) -> ImapSession:
        """Secure the connected ``sock`` and read the greeting; raises ProbeFailure."""
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
                raise tls_failure(exc) from None
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise ProbeFailure(
                    Status.TLS_FAILED,
                    f"the connection was reset during the secure handshake ({exc.strerror})",
                ) from None
            await session._until_lost(client.protocol.wait("AUTH|NONAUTH"), "greeting")
            if not implicit:
                await session._starttls(context, phase)
            require_tls(client.protocol.transport.get_extra_info("ssl_object"), endpoint)
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
                reply_text(response.lines[-1] if response.lines else response.result),
            )
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                protocol.transport, protocol, context, server_hostname=self.endpoint.host
            )
        except ssl.SSLError as exc:
            raise tls_failure(exc) from None
        except ConnectionError as exc:
            raise ProbeFailure(
                Status.TLS_FAILED, f"the connection broke during the secure handshake: {exc}"
            ) from None
        if transport is None:  # pragma: no cover - asyncio returns None only on closed loops
            raise ProbeFailure(Status.TLS_FAILED, "the secure handshake did not complete")
        protocol.transport = transport
        # RFC 3501 6.2.1: capabilities seen before STARTTLS must be forgotten.
        await self._until_lost(protocol.capability(), "CAPABILITY after STARTTLS")

    async def _login(self, username: str, password: str) -> str:
        protocol = self.client.protocol
        require_tls(protocol.transport.get_extra_info("ssl_object"), self.endpoint)
        if "LOGINDISABLED" in protocol.capabilities:
            raise ProbeFailure(
                Status.PROTOCOL_ERROR,
                "the server does not allow password login (LOGINDISABLED)",
            )
        if password.isascii() or "AUTH=PLAIN" not in protocol.capabilities:
            response = await self._until_lost(protocol.login(username, password), "login")
        else:
            # A non-ASCII password does not fit an IMAP quoted string (7-bit); AUTHENTICATE
            # PLAIN carries it as UTF-8 inside base64 (RFC 4616).
            response = await self._until_lost(self._authenticate_plain(username, password), "login")
        reply = reply_text(response.lines[-1]) if response.lines else ""
        if response.result == "OK":
            return reply
        status = Status.AUTH_FAILED if response.result == "NO" else Status.PROTOCOL_ERROR
        raise ProbeFailure(status, "the server refused the login", reply)

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

    async def _delete_marked(self, header: str, token: str) -> bool:
        protocol = self.client.protocol
        response = await protocol.select("INBOX")
        if response.result != "OK":
            raise ProbeFailure(Status.PROTOCOL_ERROR, "the inbox could not be opened")
        response = await protocol.search("HEADER", header, token, charset=None)
        numbers: list[str] = []
        for line in response.lines:
            text = bytes(line).decode("ascii", errors="replace")
            if text.startswith("SEARCH"):
                numbers += text.split()[1:]
            elif text and text.split()[0].isdigit() and response.result == "OK":
                numbers += [part for part in text.split() if part.isdigit()]
        if not numbers:
            return False
        await protocol.store(",".join(numbers), "+FLAGS.SILENT", r"(\Deleted)")
        await protocol.expunge()
        with contextlib.suppress(aioimaplib.AioImapException):
            await protocol.close()
        return True

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
