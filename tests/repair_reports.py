"""One check report per check outcome, worded by the real diagnosis (built with the helpers
of the README pictures), and the phone settings a repair is asked about."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from screenshots import states as pictures
from screenshots.states import attempt, ok, report
from wizard.core.models import Attempt, CheckReport, Endpoint, RoundTrip, Status
from wizard.core.repair.outcomes import CheckOutcome
from wizard.core.repair.symptoms import PhoneIncoming, PhoneSettings

__all__ = [
    "EMAIL",
    "IMAP_143",
    "IMAP_993",
    "PHONES",
    "REPORTS",
    "SMTP_465",
    "SMTP_587",
    "access_refused",
    "all_intercepted",
    "attempt",
    "ok",
    "pictures",
    "report",
    "silent",
    "timeout",
]

IMAP_993, IMAP_143 = pictures.IMAP_993, pictures.IMAP_143
SMTP_465, SMTP_587 = pictures.SMTP_465, pictures.SMTP_587
EMAIL = pictures.EMAIL


def timeout(endpoint: Endpoint) -> Attempt:
    return attempt(endpoint, Status.TIMEOUT, elapsed_ms=10000, detail="no answer within 10 s")


def refused(endpoint: Endpoint) -> Attempt:
    return attempt(
        endpoint,
        Status.CONNECTION_REFUSED,
        detail=f"{endpoint.host} refused the connection on port {endpoint.port}",
    )


def incoming_port_blocked() -> CheckReport:
    a = [
        timeout(IMAP_993),
        ok(IMAP_143, login=True),
        ok(SMTP_465, login=True),
        ok(SMTP_587, login=False),
    ]
    return report(a, a[1], a[2])


def ports_blocked() -> CheckReport:
    a = [
        timeout(IMAP_993),
        ok(IMAP_143, login=True),
        timeout(SMTP_465),
        ok(SMTP_587, login=True),
    ]
    return report(a, a[1], a[3])


def outgoing_blocked() -> CheckReport:
    a = [
        ok(IMAP_993, login=True),
        ok(IMAP_143, login=False),
        refused(SMTP_465),
        refused(SMTP_587),
    ]
    return report(a, a[0], a[2])


def busy() -> CheckReport:
    reply = "NO [UNAVAILABLE] Maximum number of connections from user+IP exceeded"
    a = [
        attempt(IMAP_993, Status.AUTH_FAILED, login_tested=True, reply=reply),
        ok(IMAP_143, login=False),
        ok(SMTP_465, login=True),
        ok(SMTP_587, login=False),
    ]
    return report(a, a[0], a[2])


def access_refused() -> CheckReport:
    """IMAP refuses the login while SMTP accepts the same password (access switched off)."""
    a = [
        attempt(IMAP_993, Status.AUTH_FAILED, login_tested=True, reply="NO [AUTHENTICATIONFAILED]"),
        ok(IMAP_143, login=False),
        ok(SMTP_465, login=True),
        ok(SMTP_587, login=False),
    ]
    return report(a, a[0], a[2])


def silent() -> CheckReport:
    """Every server accepts the connection and then says nothing (the demo's silent fault)."""
    return pictures.failure_report(
        lambda ep: attempt(
            ep,
            Status.TLS_STALLED if ep.security.value == "ssl" else Status.SERVER_SILENT,
            elapsed_ms=10000,
        ),
        smtp_ok=False,
    )


def all_intercepted() -> CheckReport:
    return pictures.failure_report(
        lambda ep: attempt(ep, Status.CERTIFICATE_UNTRUSTED, certificate=pictures.INTERCEPTOR),
        smtp_ok=False,
    )


#: One report per check outcome, worded by the real diagnosis.
REPORTS: dict[CheckOutcome, Callable[[], CheckReport]] = {
    CheckOutcome.ALL_VERIFIED: pictures.verified_report,
    CheckOutcome.TEST_MESSAGE_LOST: lambda: dataclasses.replace(
        pictures.verified_report(), round_trip=RoundTrip(Status.TIMEOUT, 60000, "not received")
    ),
    CheckOutcome.INCOMING_PORT_BLOCKED_HERE: incoming_port_blocked,
    CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: pictures.fallback_report,
    CheckOutcome.PORTS_BLOCKED_HERE: ports_blocked,
    CheckOutcome.INCOMING_BLOCKED: pictures.FAILURES["timeout"],
    CheckOutcome.OUTGOING_BLOCKED: outgoing_blocked,
    CheckOutcome.BLOCKED_EVERYWHERE: lambda: pictures.failure_report(refused, smtp_ok=False),
    CheckOutcome.UNREACHABLE: lambda: pictures.failure_report(timeout, smtp_ok=False),
    CheckOutcome.LOGIN_REFUSED: pictures.wrong_password_report,
    CheckOutcome.ACCESS_REFUSED: access_refused,
    CheckOutcome.MAILBOX_BUSY: busy,
    CheckOutcome.SERVER_TROUBLE: pictures.FAILURES["protocol"],
    CheckOutcome.INTERCEPTED: all_intercepted,
    CheckOutcome.CERTIFICATE_EXPIRED: pictures.FAILURES["expired"],
    CheckOutcome.NO_STARTTLS: pictures.no_starttls_report,
    CheckOutcome.SERVER_SILENT: silent,
}

PHONES = (
    PhoneSettings(),
    PhoneSettings(PhoneIncoming.IMAP, 465),
    PhoneSettings(PhoneIncoming.IMAP, 587),
    PhoneSettings(PhoneIncoming.POP, 25),
)
