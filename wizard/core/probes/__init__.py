"""Talking to one endpoint: connect, secure, read the greeting, log in, close.

``open_mail_session`` connects (``connect``: Happy Eyeballs) and hands the socket to the
endpoint's protocol: ``imap`` (aioimaplib), ``smtp`` (aiosmtplib) or ``pop3`` (poplib in a
daemon thread), each a ``MailSession`` (``base``). Everything runs under a caller's
``asyncio.timeout``; expected failures are raised as ``ProbeFailure`` with a status code.

The rule that matters most: credentials are only ever sent on a connection whose TLS
handshake (implicit or STARTTLS) has completed and verified; ``require_tls`` checks it again
right before every login.
"""

from __future__ import annotations

import contextlib
import ssl

from wizard.core.models import Endpoint, Phase, Protocol
from wizard.core.probes.base import MailSession, PhaseCallback, ProbeFailure, Removal
from wizard.core.probes.connect import Route, RouteCallback, connect_socket
from wizard.core.probes.imap import ImapSession
from wizard.core.probes.pop3 import Pop3Session
from wizard.core.probes.smtp import SmtpSession

__all__ = ["MailSession", "ProbeFailure", "Removal", "Route", "open_mail_session"]

_SESSIONS: dict[Protocol, type[ImapSession | Pop3Session | SmtpSession]] = {
    Protocol.IMAP: ImapSession,
    Protocol.POP3: Pop3Session,
    Protocol.SMTP: SmtpSession,
}


async def open_mail_session(
    endpoint: Endpoint,
    context: ssl.SSLContext,
    on_phase: PhaseCallback | None = None,
    on_route: RouteCallback | None = None,
) -> MailSession:
    """Connect to ``endpoint`` and secure it; the returned session is ready to log in.

    ``on_phase`` hears each phase entered; ``on_route`` the name's address families, then
    the address that accepted the connection.
    """
    phase = on_phase or (lambda _phase: None)
    phase(Phase.CONNECTING)
    sock = await connect_socket(endpoint, on_route)
    try:
        return await _SESSIONS[endpoint.protocol].open(endpoint, sock, context, phase)
    except BaseException:
        with contextlib.suppress(OSError):
            sock.close()
        raise
