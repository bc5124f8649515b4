"""SMTP through aiosmtplib (which bounds each answer to 32 KiB). For STARTTLS a ``WireGuard``
steps in: clear text sent with the go-ahead ends the check (aiosmtplib would drop it)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
from typing import Any, cast

import aiosmtplib

from wizard.core.models import Auth, Endpoint, Phase, Security, Status
from wizard.core.probes.base import (
    MailSession,
    PhaseCallback,
    ProbeFailure,
    reply_text,
    require_tls,
    tls_failure,
)
from wizard.core.probes.guard import WireGuard


class SmtpSession(MailSession):
    """An SMTP session: greeting read, EHLO (and STARTTLS if asked for) done, ready to log in."""

    def __init__(self, endpoint: Endpoint, sock: socket.socket):
        self.endpoint = endpoint
        self.client = aiosmtplib.SMTP(
            hostname=endpoint.host,
            sock=sock,
            use_tls=endpoint.security is Security.SSL,
            start_tls=False,
            timeout=3600,  # the caller's asyncio.timeout is the real bound
            local_hostname="mailcom-wizard.localhost",
        )

    async def secure(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        client = self.client
        implicit = self.endpoint.security is Security.SSL
        try:
            if implicit:
                await self._connect_securely(context, phase)
            else:
                phase(Phase.GREETING)
                await client.connect(tls_context=context)
            await client.ehlo()
            if not implicit:
                await self._starttls(context, phase)
                await client.ehlo()
            require_tls(self.ssl_object(), self.endpoint)
        except Exception as exc:
            raise _smtp_failure(exc, securing=implicit) from None

    async def _connect_securely(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        """connect() makes the handshake (done once aiosmtplib has its transport), then reads
        the greeting. Cancelled, it aborts first: aiosmtplib would wait for a TLS goodbye."""
        client = self.client
        told: list[Phase] = []

        def greeting() -> None:
            if not told and client.transport is not None:
                told.append(Phase.GREETING)
                phase(Phase.GREETING)

        phase(Phase.SECURING)
        connecting = asyncio.ensure_future(client.connect(tls_context=context))
        connecting.add_done_callback(_retrieve)
        try:
            while not connecting.done():
                await asyncio.wait({connecting}, timeout=0.02)
                greeting()
        except BaseException:
            greeting()
            self.abort()
            connecting.cancel()
            # Let the cancelled connect() put its connection away before the socket closes.
            with contextlib.suppress(BaseException):
                await asyncio.wait({connecting}, timeout=0.2)
            raise
        connecting.result()

    async def _starttls(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        client = self.client
        if not client.supports_extension("starttls") or client.transport is None:
            raise self._no_tls("does not offer STARTTLS")
        assert client.protocol is not None
        guard = WireGuard(client.protocol)
        guard.take_over(client.transport)
        guard.expect_go_ahead(_FINAL_220.match, then=lambda: phase(Phase.SECURING))
        try:
            await client.starttls(tls_context=context, server_hostname=self.endpoint.host)
        except aiosmtplib.SMTPResponseException as exc:
            raise self._no_tls("refused STARTTLS", f"{exc.code} {exc.message}") from None
        except aiosmtplib.SMTPException:
            if guard.failure is not None:
                raise guard.failure from None
            raise
        phase(Phase.GREETING)

    async def _login(self, username: str, password: str) -> str:
        client = self.client
        require_tls(self.ssl_object(), self.endpoint)
        methods = client.server_auth_methods
        # One attempt: login() tries every method, counting a wrong password twice.
        try:
            if self.endpoint.auth is Auth.CRAM_MD5:
                if "cram-md5" not in methods:
                    raise self._no_cram_md5()
                response = await self._auth_cram_md5(username, password)
            elif "plain" in methods:
                response = await client.auth_plain(username, password)
            elif "login" in methods:
                response = await client.auth_login(username, password)
            else:
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR,
                    "the server does not offer password login (AUTH PLAIN or LOGIN)",
                )
        except aiosmtplib.SMTPAuthenticationError as exc:
            status = Status.AUTH_FAILED if exc.code in (535, 454, 534) else Status.PROTOCOL_ERROR
            reply = f"{exc.code} {exc.message}"
            raise ProbeFailure(status, "the server refused the login", reply) from None
        except Exception as exc:
            raise _smtp_failure(exc) from None
        return reply_text(f"{response.code} {response.message}")

    async def _auth_cram_md5(self, username: str, password: str) -> aiosmtplib.SMTPResponse:
        """aiosmtplib's auth_crammd5, with the answer noted as sent (``_cram_md5``)."""
        client = self.client
        challenge = await client.execute_command(b"AUTH", b"CRAM-MD5")
        if challenge.code != aiosmtplib.SMTPStatus.auth_continue:
            raise aiosmtplib.SMTPAuthenticationError(challenge.code, challenge.message)
        answer = self._cram_md5(username, password, challenge.message.encode("ascii", "replace"))
        response = await client.execute_command(answer)
        if response.code != aiosmtplib.SMTPStatus.auth_successful:
            raise aiosmtplib.SMTPAuthenticationError(response.code, response.message)
        return response

    async def _send_message(self, message: bytes, sender: str, recipient: str) -> None:
        try:
            await self.client.sendmail(sender, [recipient], message)
        except Exception as exc:  # aiosmtplib's refusals: recipient, sender, data
            raise ProbeFailure(
                Status.PROTOCOL_ERROR, "the server did not accept the test message", str(exc)
            ) from None

    async def _goodbye(self, timeout: float) -> object:
        return await self.client.quit()

    def abort(self) -> None:
        # At once: close() would wait for a TLS goodbye, and the socket's number is reused.
        if self.client.transport is not None:
            cast(asyncio.Transport, self.client.transport).abort()
        self.client.close()

    def ssl_object(self) -> ssl.SSLObject | None:
        # Raises SMTPServerDisconnected once the server has hung up.
        return cast("ssl.SSLObject | None", self.client.get_transport_info("ssl_object"))


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a finished task's exception as seen (it is raised where it matters)."""
    if not task.cancelled():
        task.exception()


# The last line of a 220 answer: STARTTLS's go-ahead.
_FINAL_220 = re.compile(rb"220( |\Z)")


def _smtp_failure(exc: Exception, *, securing: bool = False) -> ProbeFailure:
    """An aiosmtplib failure as a ProbeFailure (a bug is raised); ``securing``: implicit TLS."""
    if isinstance(exc, ProbeFailure):
        return exc
    if isinstance(exc, ssl.SSLError):
        return tls_failure(exc)
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError):
        return tls_failure(cause)
    if isinstance(exc, aiosmtplib.SMTPConnectError):
        # asyncio reports a handshake the server broke off as a reset, not as the TLS error.
        if securing and isinstance(cause, ConnectionError):
            return ProbeFailure(
                Status.TLS_FAILED, "the connection was reset during the secure handshake"
            )
        return ProbeFailure(Status.PROTOCOL_ERROR, f"the connection broke: {cause or exc}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if exc.code == aiosmtplib.SMTPStatus.invalid_response:
            # aiosmtplib's words may quote the server's: they go where replies go.
            return ProbeFailure(
                Status.PROTOCOL_ERROR, "the server's answer was not SMTP", exc.message
            )
        return ProbeFailure(
            Status.PROTOCOL_ERROR, "unexpected SMTP answer", f"{exc.code} {exc.message}"
        )
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return ProbeFailure(Status.PROTOCOL_ERROR, "the server closed the connection")
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return ProbeFailure(Status.TIMEOUT, "the server stopped answering")
    if isinstance(exc, aiosmtplib.SMTPException):
        return ProbeFailure(Status.PROTOCOL_ERROR, "unexpected SMTP answer", exc.message)
    if isinstance(exc, ConnectionError):
        return ProbeFailure(Status.PROTOCOL_ERROR, f"the connection broke: {exc}")
    raise exc
