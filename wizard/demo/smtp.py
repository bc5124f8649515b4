"""SMTP submission for the practice server: aiosmtpd, delivering into the demo mailbox.

Both listeners require AUTH (PLAIN or LOGIN) before MAIL and never accept a password
outside TLS; mail to the demo address is delivered to its INBOX, anything else is refused,
so nothing ever leaves this computer.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from functools import partial
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from wizard.demo.mailbox import SERVER_NAME, DemoMailbox

_log = logging.getLogger(__name__)


def _without_deprecation_noise(record: logging.LogRecord) -> bool:
    """Drops aiosmtpd 1.4's own deprecation warning, which it logs on every successful AUTH.

    aiosmtpd sets its deprecated ``Session.login_data`` itself, so the warning is not about
    our code; left alone it would print on the terminal the TUI is drawing on.
    """
    return not str(record.msg).startswith("Session.login_data is deprecated")


class DeliveryHandler:
    """aiosmtpd hooks: authenticated senders only, demo recipient only, deliver on DATA."""

    def __init__(self, mailbox: DemoMailbox) -> None:
        self.mailbox = mailbox

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """aiosmtpd ``authenticator``: the demo address with the accepted password."""
        if isinstance(auth_data, LoginPassword):
            username = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            if self.mailbox.account.accepts(username, password):
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        """A submission server takes mail only from logged-in users (RFC 6409 section 4.3)."""
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        """Only the demo address: the practice server never relays mail anywhere."""
        if address.strip().lower() != self.mailbox.account.email.lower():
            return (
                "550 5.7.1 The practice server only delivers to "
                f"{self.mailbox.account.email}; nothing is sent to other addresses"
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Deliver into the demo INBOX, with the Return-Path a delivering server adds."""
        content = envelope.original_content or b""
        sender = envelope.mail_from or ""
        await self.mailbox.deliver(f"Return-Path: <{sender}>\r\n".encode() + content)
        return "250 2.0.0 OK: delivered to the practice mailbox"

    async def handle_exception(self, error: Exception) -> str:
        """A failed STARTTLS handshake (rehearsed faults) or a bug: one quiet debug line."""
        _log.debug("SMTP session error: %r", error)
        return "421 4.3.0 practice server error, closing"


def smtp_factory(
    handler: DeliveryHandler,
    loop: asyncio.AbstractEventLoop,
    *,
    starttls_context: ssl.SSLContext | None,
    implicit_tls: bool,
) -> Callable[[], SMTP]:
    """A protocol factory for ``loop.create_server`` serving SMTP submission.

    On the implicit-TLS listener the server wraps the socket itself, so aiosmtpd does not
    know the session is encrypted: ``auth_require_tls`` is off there, which is safe because
    nothing on that port is ever unencrypted. On the STARTTLS listener, AUTH is offered only
    after STARTTLS; with ``starttls_context=None`` STARTTLS is not offered at all (and so
    neither is AUTH, as on a misconfigured server).
    """
    logging.getLogger("mail.log").addFilter(_without_deprecation_noise)  # added once only
    return partial(
        SMTP,
        handler,
        hostname=SERVER_NAME,
        ident="mailcom-wizard practice SMTP server",
        tls_context=starttls_context,
        require_starttls=starttls_context is not None,
        auth_require_tls=not implicit_tls,
        authenticator=handler.authenticate,
        loop=loop,
    )
