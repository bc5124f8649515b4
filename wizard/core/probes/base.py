"""What every protocol shares: the session interface, the failure, small helpers.
A server's words are untrusted: ``reply_text`` and ``ProbeFailure`` clean them on capture."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import email
import re
import ssl
import threading
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiosmtplib
from aiosmtplib.auth import auth_crammd5_verify

from wizard.core.models import Endpoint, Phase, Status
from wizard.core.text import clean_line, quotes

T = TypeVar("T")

#: Told each phase an endpoint enters while its session opens (connecting, securing).
PhaseCallback = Callable[[Phase], None]

# A reply is shown to people, not archived.
_MAX_REPLY = 500
# OpenSSL's X509_V_ERR_* codes (x509_vfy.h): not yet valid, expired, host name, IP mismatch.
_VERIFY_STATUS = {
    9: Status.CERTIFICATE_EXPIRED,
    10: Status.CERTIFICATE_EXPIRED,
    62: Status.CERTIFICATE_HOSTNAME_MISMATCH,
    64: Status.CERTIFICATE_HOSTNAME_MISMATCH,
}


class ProbeFailure(Exception):
    """An expected failure: status, detail and the server's words (both texts cleaned)."""

    def __init__(self, status: Status, detail: str, reply: str | None = None) -> None:
        detail = clean_line(detail)
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reply = None if reply is None else clean_line(reply, _MAX_REPLY)


@dataclass(frozen=True)
class Removal:
    """What became of the test message; not ``purged`` when IMAP could only flag it."""

    found: bool
    purged: bool = False


class MailSession(ABC):
    """A connected, secured session with a greeting read; ready for one login."""

    endpoint: Endpoint
    # What ``login`` sent and what was derived from it (a CRAM-MD5 answer): checked for echoes.
    _sent_password: str | None = None
    _sent_forms: tuple[str, ...] = ()

    async def login(self, username: str, password: str) -> str:
        """Log in once; returns the server's reply, or raises ProbeFailure."""
        # A line break would end the command early: kept off the wire whatever the caller.
        if any(char in value for value in (username, password) for char in "\r\n\0"):
            raise ProbeFailure(
                Status.PROTOCOL_ERROR,
                "the user name or password contains a line break or NUL, so nothing was sent",
            )
        self._sent_password = password
        reply = await self._echo_free(self._login(username, password))
        return withhold_echo(reply, password, *self._sent_forms)

    async def send_message(self, message: bytes, sender: str, recipient: str) -> None:
        """Send one message after login (outgoing servers); raises ProbeFailure if refused."""
        await self._echo_free(self._send_message(message, sender, recipient))

    async def delete_marked(self, header: str, token: str) -> Removal:
        """Delete the one inbox message whose ``header`` is ``token``, read before deleted."""
        return await self._echo_free(self._delete_marked(header, token))

    async def _echo_free(self, step: Awaitable[T]) -> T:
        """``step``'s result; a failure's reply is withheld when it echoes what was sent."""
        try:
            return await step
        except ProbeFailure as failure:
            if self._sent_password is not None and failure.reply is not None:
                failure.reply = withhold_echo(failure.reply, self._sent_password, *self._sent_forms)
            raise

    def _cram_md5(self, username: str, password: str, challenge: bytes) -> bytes:
        """The CRAM-MD5 answer (RFC 2195), noted as sent: it lets the password be guessed."""
        try:
            answer = auth_crammd5_verify(username, password, challenge)
        except aiosmtplib.SMTPAuthenticationError:  # aiosmtplib's word for "not base64"
            raise ProbeFailure(
                Status.PROTOCOL_ERROR, "the server's CRAM-MD5 challenge is not base64"
            ) from None
        digest = base64.b64decode(answer).rpartition(b" ")[2]
        self._sent_forms += (answer.decode("ascii"), digest.decode("ascii"))
        return answer

    def _no_tls(self, what: str, reply: str | None = None) -> ProbeFailure:
        return ProbeFailure(
            Status.STARTTLS_UNAVAILABLE, f"{self.endpoint.label}: the server {what}", reply
        )

    def _no_cram_md5(self) -> ProbeFailure:
        # Never another login instead of the one the provider names.
        return ProbeFailure(
            Status.PROTOCOL_ERROR,
            f"{self.endpoint.label}: the server does not offer CRAM-MD5 (MD5 "
            "Challenge-Response), the login the provider's settings name, so no password "
            "was sent",
        )

    @abstractmethod
    async def _login(self, username: str, password: str) -> str: ...

    async def _send_message(self, message: bytes, sender: str, recipient: str) -> None:
        raise ProbeFailure(Status.PROTOCOL_ERROR, f"{self.endpoint.label} cannot send mail")

    async def _delete_marked(self, header: str, token: str) -> Removal:
        raise ProbeFailure(Status.PROTOCOL_ERROR, f"{self.endpoint.label} has no inbox")

    @abstractmethod
    async def secure(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        """Secure the connected socket, read the greeting, ``require_tls``; or ProbeFailure."""

    @abstractmethod
    async def _goodbye(self, timeout: float) -> object:
        """LOGOUT or QUIT."""

    async def close(self, timeout: float = 1.0) -> None:
        """Say goodbye politely within ``timeout``, then drop the connection."""
        with contextlib.suppress(Exception):  # goodbye is best effort
            await asyncio.wait_for(self._goodbye(timeout), timeout)
        self.abort()

    @abstractmethod
    def abort(self) -> None:
        """Drop the connection at once, without a word."""

    @abstractmethod
    def ssl_object(self) -> ssl.SSLObject | ssl.SSLSocket | None:
        """The connection's TLS layer; None while it is in clear text."""

    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER), when TLS is up."""
        tls = self.ssl_object()
        return None if tls is None else tls.getpeercert(binary_form=True)


#: Shown instead of a server reply that repeated the password it was sent.
ECHO_WITHHELD = "(not shown: the server's reply repeated your password)"

# A run of base64 characters: AUTH PLAIN and LOGIN carry the password this way.
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")


def withhold_echo(reply: str, password: str, *derived: str) -> str:
    """``reply``, or ECHO_WITHHELD (all of it: a cut would show where the password was) when it
    repeats the password as a word of its own, IMAP-quoted, in base64 or ``derived`` forms."""
    escaped = password.replace("\\", "\\\\").replace('"', '\\"')
    # The reply was cleaned on capture; a password with a tab in it would be too.
    forms = (password, clean_line(password), escaped, *derived)
    if any(quotes(reply, form) for form in forms if form):
        return ECHO_WITHHELD
    for word in _BASE64_WORD.findall(reply):
        try:
            decoded = base64.b64decode(word + "=" * (-len(word) % 4), validate=True).decode()
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            continue
        if any(part == password or quotes(part, password) for part in decoded.split("\0")):
            return ECHO_WITHHELD
    return reply


def tls_failure(exc: ssl.SSLError) -> ProbeFailure:
    """A failed TLS handshake as a ProbeFailure with the matching certificate/TLS status."""
    status = Status.TLS_FAILED
    text = str(getattr(exc, "reason", None) or exc.strerror or exc).replace("_", " ").lower()
    if isinstance(exc, ssl.SSLCertVerificationError):
        status = _VERIFY_STATUS.get(exc.verify_code, Status.CERTIFICATE_UNTRUSTED)
        if exc.verify_message:
            text = f"certificate verify failed: {exc.verify_message}"
    return ProbeFailure(status, text)


def reply_text(value: Any) -> str:
    """A server's reply (bytes or text) as one clean line, undecodable bytes replaced."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    return clean_line(str(value), _MAX_REPLY)


def require_tls(transport_ssl: object | None, endpoint: Endpoint) -> None:
    """Refuse to go on unless the connection is encrypted: no password is sent in clear."""
    if transport_ssl is None:
        raise ProbeFailure(
            Status.STARTTLS_UNAVAILABLE,
            f"{endpoint.label}: the connection is not encrypted, so no password was sent",
        )


def carries_marker(header_fields: bytes, header: str, token: str) -> bool:
    """Whether a message's raw header fields hold ``header: token``."""
    values = email.message_from_bytes(header_fields).get_all(header) or []
    return token in [str(value).strip() for value in values]


async def in_daemon_thread(
    function: Callable[[], T], on_cancel: Callable[[], None], name: str
) -> T:
    """Run blocking ``function`` in its own daemon thread; on cancel call ``on_cancel``.
    Not the default executor: ``asyncio.run`` would wait at exit for a blocked socket."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def runner() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(function())
            except BaseException as exc:
                future.set_exception(exc)

    threading.Thread(target=runner, name=name, daemon=True).start()
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        on_cancel()
        raise
