"""Talking to one endpoint: connect, secure, read the greeting, log in, close; each protocol
a ``MailSession``. Credentials only go over verified TLS: ``require_tls`` checks it at the end
of ``secure`` and again right before every login."""

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
    """Connect to ``endpoint`` and secure it; the returned session is ready to log in."""
    phase = on_phase or (lambda _phase: None)
    phase(Phase.CONNECTING)
    sock = await connect_socket(endpoint, on_route)
    session = _SESSIONS[endpoint.protocol](endpoint, sock)
    try:
        await session.secure(context, phase)
    except BaseException:
        session.abort()
        with contextlib.suppress(OSError):
            sock.close()
        raise
    return session
