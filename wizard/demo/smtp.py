"""SMTP submission for the practice server (aiosmtpd): AUTH before MAIL, never a password
outside TLS; mail to the demo address goes to its INBOX, anything else is refused."""

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
    """Drops the deprecation warning aiosmtpd 1.4 logs (about itself) on every AUTH: it would
    print on the terminal the TUI is drawing on."""
    return not str(record.msg).startswith("Session.login_data is deprecated")


class DeliveryHandler:
    """aiosmtpd hooks: authenticated senders only, demo recipient only, deliver on DATA."""

    def __init__(self, mailbox: DemoMailbox) -> None:
        self.mailbox = mailbox

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
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
        # A submission server takes mail only from logged-in users (RFC 6409 section 4.3).
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
        if address.strip().lower() != self.mailbox.account.email.lower():
            return (
                "550 5.7.1 The practice server only delivers to "
                f"{self.mailbox.account.email}; nothing is sent to other addresses"
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        sender = envelope.mail_from or ""
        await self.mailbox.deliver(f"Return-Path: <{sender}>\r\n".encode() + content)
        return "250 2.0.0 OK: delivered to the practice mailbox"

    async def handle_exception(self, error: Exception) -> str:
        """A failed STARTTLS handshake (demo faults) or a bug."""
        _log.debug("SMTP session error: %r", error)
        return "421 4.3.0 practice server error, closing"


def smtp_factory(
    handler: DeliveryHandler,
    loop: asyncio.AbstractEventLoop,
    *,
    starttls_context: ssl.SSLContext | None,
    implicit_tls: bool,
) -> Callable[[], SMTP]:
    """A protocol factory for ``loop.create_server``. A STARTTLS listener without a context
    offers neither STARTTLS nor AUTH (a misconfigured server); on the implicit-TLS listener
    aiosmtpd cannot see the TLS, so it must not require it."""
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
