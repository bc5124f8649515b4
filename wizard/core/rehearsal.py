"""The demo's settings for the phone: a real account's values, marked as practice.

The demo checks a practice server on this computer (127.0.0.1, random ports). Steps or a
profile with those values would set up an account on the phone that points at this
computer, so the demo shows the values a real account of the provider gets instead (the
same protocols and the same kind of security that passed the practice check: a fallback
from 465 to 587 stays a fallback), and marks them as practice.
"""

from __future__ import annotations

from dataclasses import replace

from wizard.core.models import CheckReport, Endpoint, MailSettings, Protocol
from wizard.core.provider import Provider


def practice_settings(settings: MailSettings, real: Provider) -> MailSettings:
    """``settings`` from the practice server, with ``real``'s servers, marked as practice."""
    return replace(
        settings,
        incoming=counterpart(settings.incoming, real),
        outgoing=counterpart(settings.outgoing, real),
        provider_name=real.display_name,
        mailcom=real.is_mailcom,
        practice=True,
    )


def counterpart(endpoint: Endpoint, real: Provider) -> Endpoint:
    """The real provider's endpoint of the same protocol, with the same security if it has one.

    Used for the settings the demo shows, and for the ports a repair names.
    """
    candidates = {Protocol.IMAP: real.imap, Protocol.POP3: real.pop3, Protocol.SMTP: real.smtp}[
        endpoint.protocol
    ]
    if not candidates:
        raise ValueError(f"{real.display_name} has no {endpoint.protocol.label} server")
    same = [each for each in candidates if each.security is endpoint.security]
    return (same or list(candidates))[0]


def practice_uses(report: CheckReport, real: Provider) -> str:
    """The demo's sentence for the ports the phone would use, after a verified practice check.

    The practice server answers on this computer's random ports; the phone would use the
    real provider's ports they stand in for, so those are what the sentence names.
    """
    incoming, outgoing = report.incoming.endpoint, report.outgoing.endpoint
    return (
        f"Practice run: with a real {real.display_name} account the iPhone would receive "
        f"mail on port {counterpart(incoming, real).port} and send on port "
        f"{counterpart(outgoing, real).port} (here, practice ports {incoming.port} and "
        f"{outgoing.port} stood in for them)."
    )
