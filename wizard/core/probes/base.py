"""What every protocol module shares: the session interface, the failure, small helpers.

A server's words are untrusted: ``reply_text`` and ``ProbeFailure`` clean them where they
are captured (``wizard.core.text``).
"""

from __future__ import annotations

import asyncio
import base64
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
from wizard.core.tls import classify_tls_error, tls_error_text

T = TypeVar("T")

#: Told each phase an endpoint enters while its session opens (connecting, securing).
PhaseCallback = Callable[[Phase], None]

# Reply texts longer than this are cut: a reply is shown to people, not archived.
_MAX_REPLY = 500


class ProbeFailure(Exception):
    """An expected failure of one endpoint: a status code, what happened, the server's words.

    Both texts are cleaned here: a detail may quote a library's message that quotes the server.
    """

    def __init__(self, status: Status, detail: str, reply: str | None = None) -> None:
        detail = clean_line(detail)
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reply = None if reply is None else clean_line(reply, _MAX_REPLY)


@dataclass(frozen=True)
class Removal:
    """What became of the round trip's test message in the inbox."""

    #: The message was there (its marker read).
    found: bool
    #: It was removed for good; False when the server could only flag it as deleted
    #: (IMAP without UIDPLUS): purging would also purge the user's own flagged mail.
    purged: bool = False


class MailSession(ABC):
    """A connected, secured session with a greeting read; ready for one login.

    Each protocol implements ``_login`` (and ``_send_message`` or ``_delete_marked`` where
    it can); the public methods here guard what goes in and what comes back.
    """

    endpoint: Endpoint
    # The password sent by ``login``, and what was derived from it on the wire (a CRAM-MD5
    # answer): what the server says afterwards is checked for an echo of any of them.
    _sent_password: str | None = None
    _sent_forms: tuple[str, ...] = ()

    async def login(self, username: str, password: str) -> str:
        """Log in once; returns the server's reply, or raises ProbeFailure."""
        # The inputs refuse these where they come in; this guard keeps them off the wire
        # whatever the caller, since a line break would end the login command early.
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
        """Delete the one inbox message whose ``header`` is ``token`` (incoming servers),
        and nothing else: it is read (its marker seen) before it is deleted."""
        return await self._echo_free(self._delete_marked(header, token))

    async def _echo_free(self, step: Awaitable[T]) -> T:
        """``step``'s result; a failure's reply is withheld when it echoes what was sent."""
        try:
            return await step
        except ProbeFailure as failure:
            if self._sent_password is None or failure.reply is None:
                raise
            reply = withhold_echo(failure.reply, self._sent_password, *self._sent_forms)
            if reply == failure.reply:
                raise
            raise ProbeFailure(failure.status, failure.detail, reply) from None

    def _cram_md5(self, username: str, password: str, challenge: bytes) -> bytes:
        """The CRAM-MD5 answer (RFC 2195) to a base64 ``challenge``: the user name and a
        keyed digest, never the password; noted as sent, since with the challenge it would
        let the password be guessed offline."""
        try:
            answer = auth_crammd5_verify(username, password, challenge)
        except aiosmtplib.SMTPAuthenticationError:  # aiosmtplib's word for "not base64"
            raise ProbeFailure(
                Status.PROTOCOL_ERROR, "the server's CRAM-MD5 challenge is not base64"
            ) from None
        digest = base64.b64decode(answer).rpartition(b" ")[2]
        self._sent_forms += (answer.decode("ascii"), digest.decode("ascii"))
        return answer

    def _no_cram_md5(self) -> ProbeFailure:
        """The login the provider names (CRAM-MD5) is not offered: never another instead."""
        return ProbeFailure(
            Status.PROTOCOL_ERROR,
            f"{self.endpoint.label}: the server does not offer CRAM-MD5 (MD5 "
            "Challenge-Response), the login the provider's settings name, so no password "
            "was sent",
        )

    @abstractmethod
    async def _login(self, username: str, password: str) -> str:
        """The protocol's login: the server's reply, or ProbeFailure."""

    async def _send_message(self, message: bytes, sender: str, recipient: str) -> None:
        raise ProbeFailure(Status.PROTOCOL_ERROR, f"{self.endpoint.label} cannot send mail")

    async def _delete_marked(self, header: str, token: str) -> Removal:
        raise ProbeFailure(Status.PROTOCOL_ERROR, f"{self.endpoint.label} has no inbox")

    @abstractmethod
    async def close(self, timeout: float = 1.0) -> None:
        """Say goodbye politely (LOGOUT / QUIT) within ``timeout``, then drop the connection."""

    @abstractmethod
    def abort(self) -> None:
        """Drop the connection at once, without a word."""

    @abstractmethod
    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER), when TLS is up."""


#: Shown instead of a server reply that repeated the password it was sent.
ECHO_WITHHELD = "(not shown: the server's reply repeated your password)"

# A run of base64 characters: AUTH PLAIN and LOGIN carry the password this way.
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")


def withhold_echo(reply: str, password: str, *derived: str) -> str:
    """``reply``, or ECHO_WITHHELD when it repeats the password as a word of its own.

    Repeats in the forms the password travels in count too: as an IMAP quoted string
    (``\\"`` and ``\\\\`` escaped), inside base64 (AUTH PLAIN's ``\\0user\\0password`` blob
    with any authorization name, AUTH LOGIN's encoded password), and ``derived`` values (a
    CRAM-MD5 answer or digest, from which the password can be guessed offline).

    The whole reply is withheld, never cut around the password: marks in the text would
    show where the password was. A password inside a longer word is no echo (a one-letter
    password is inside nearly every sentence), so ordinary replies stay as they came.
    """
    # The reply was cleaned when it was captured; a password with a tab in it would be too.
    escaped = password.replace("\\", "\\\\").replace('"', '\\"')
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
    return ProbeFailure(classify_tls_error(exc), tls_error_text(exc))


def reply_text(value: Any) -> str:
    """A server's reply (bytes or text) as one clean line, undecodable bytes replaced."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    return clean_line(str(value), _MAX_REPLY)


def require_tls(transport_ssl: object | None, endpoint: Endpoint) -> None:
    """Refuse to go on unless the connection is encrypted (``transport_ssl`` is not None):
    the last line of defence, so that no password is ever sent in clear text."""
    if transport_ssl is None:
        raise ProbeFailure(
            Status.STARTTLS_UNAVAILABLE,
            f"{endpoint.label}: the connection is not encrypted, so no password was sent",
        )


def carries_marker(header_fields: bytes, header: str, token: str) -> bool:
    """Whether a message's header fields (raw) hold ``header: token``."""
    values = email.message_from_bytes(header_fields).get_all(header) or []
    return token in [str(value).strip() for value in values]


def der_certificate(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> bytes | None:
    """The peer's certificate (DER) on a TLS connection; None without one."""
    return None if ssl_object is None else ssl_object.getpeercert(binary_form=True)


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
        outcome: tuple[Callable[[Any], None], Any]
        try:
            outcome = (future.set_result, function())
        except BaseException as exc:
            outcome = (future.set_exception, exc)
        with contextlib.suppress(RuntimeError):  # the loop may be gone already
            loop.call_soon_threadsafe(deliver, *outcome)

    threading.Thread(target=runner, name=name, daemon=True).start()
    try:
        return await future
    except asyncio.CancelledError:
        on_cancel()
        raise
