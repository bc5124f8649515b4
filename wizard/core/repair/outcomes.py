"""A check report in one stable code (``CheckOutcome``) and what each port did: a refused login
first, then certificates and encryption (never worked around), then reachability."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.diagnosis import nothing_answered, password_refused, refusal_kind, seen_status
from wizard.core.models import Attempt, CheckReport, Role, Status


class CheckOutcome(StrEnum):
    """What a whole check found, in one stable code."""

    ALL_VERIFIED = "all-verified"
    TEST_MESSAGE_LOST = "test-message-lost"
    INCOMING_PORT_BLOCKED_HERE = "incoming-port-blocked-here"
    OUTGOING_PORT_BLOCKED_HERE = "outgoing-port-blocked-here"
    PORTS_BLOCKED_HERE = "ports-blocked-here"
    INCOMING_BLOCKED = "incoming-blocked"
    OUTGOING_BLOCKED = "outgoing-blocked"
    BLOCKED_EVERYWHERE = "blocked-everywhere"
    UNREACHABLE = "unreachable"
    LOGIN_REFUSED = "login-refused"
    ACCESS_REFUSED = "access-refused"
    MAILBOX_BUSY = "mailbox-busy"
    SERVER_TROUBLE = "server-trouble"
    INTERCEPTED = "intercepted"
    CERTIFICATE_EXPIRED = "certificate-expired"
    NO_STARTTLS = "no-starttls"
    SERVER_SILENT = "server-silent"


#: Statuses that mean a certificate or a handshake that is not the provider's own.
_INTERCEPTION = {
    Status.CERTIFICATE_UNTRUSTED,
    Status.CERTIFICATE_HOSTNAME_MISMATCH,
    Status.TLS_FAILED,
    Status.PLAINTEXT_INJECTED,
}
#: A server that accepted the connection and then went quiet: this computer is online.
_SILENT = (Status.SERVER_SILENT, Status.TLS_STALLED)
#: Both logins work, but some ports fail here: which halves they belong to.
_BLOCKED_HERE = {
    frozenset({Role.INCOMING}): CheckOutcome.INCOMING_PORT_BLOCKED_HERE,
    frozenset({Role.OUTGOING}): CheckOutcome.OUTGOING_PORT_BLOCKED_HERE,
    frozenset({Role.INCOMING, Role.OUTGOING}): CheckOutcome.PORTS_BLOCKED_HERE,
}


@dataclass(frozen=True)
class Findings:
    """A check report classified: its outcome, whether any server accepted the password, what
    each port did, and the time limit per server (seconds): a short one explains a silence."""

    outcome: CheckOutcome
    login_worked: bool
    ports: tuple[Attempt, ...]
    time_limit: float = 10.0

    @property
    def failures(self) -> tuple[Attempt, ...]:
        """Every port that failed, incoming first."""
        return tuple(port for port in self.ports if not port.ok)


def classify(report: CheckReport) -> Findings:
    """The outcome of ``report``, and what each port did."""
    login_worked = report.incoming.verified or report.outgoing.verified
    return Findings(_outcome(report), login_worked, report.attempts, report.timeout)


def _outcome(report: CheckReport) -> CheckOutcome:
    verified = {Role.INCOMING: report.incoming.verified, Role.OUTGOING: report.outgoing.verified}
    chosen = (report.incoming, report.outgoing)
    refusals = [attempt for attempt in chosen if attempt.status is Status.AUTH_FAILED]
    if any(map(password_refused, refusals)):
        return CheckOutcome.ACCESS_REFUSED if any(verified.values()) else CheckOutcome.LOGIN_REFUSED
    if refusals:
        # Refused because the mailbox is busy ("too many", "in use") or the server unavailable.
        if {refusal_kind(attempt.server_reply) for attempt in refusals} & {"too_many", "in_use"}:
            return CheckOutcome.MAILBOX_BUSY
        return CheckOutcome.SERVER_TROUBLE
    failures = [attempt for attempt in report.attempts if not attempt.ok]
    statuses = {seen_status(attempt) for attempt in failures}
    if statuses & _INTERCEPTION:
        return CheckOutcome.INTERCEPTED
    if Status.CERTIFICATE_EXPIRED in statuses:
        return CheckOutcome.CERTIFICATE_EXPIRED
    # A port that offered no encryption matters unless its server works on another port.
    stripped = {a.endpoint.role for a in failures if a.status is Status.STARTTLS_UNAVAILABLE}
    if not all(verified[role] for role in stripped):
        return CheckOutcome.NO_STARTTLS
    if all(verified.values()):
        roles = frozenset(attempt.endpoint.role for attempt in failures)
        if roles:
            return _BLOCKED_HERE[roles]
        trip = report.round_trip
        if trip is not None and trip.status is not Status.OK:
            return CheckOutcome.TEST_MESSAGE_LOST
        return CheckOutcome.ALL_VERIFIED
    if nothing_answered(seen_status(attempt) for attempt in report.attempts):
        return CheckOutcome.UNREACHABLE
    failed = [attempt for attempt in chosen if not attempt.verified]
    if any(attempt.status is Status.PROTOCOL_ERROR for attempt in failed):
        return CheckOutcome.SERVER_TROUBLE
    if any(seen_status(attempt) in _SILENT for attempt in failed):
        return CheckOutcome.SERVER_SILENT
    if verified[Role.INCOMING]:
        return CheckOutcome.OUTGOING_BLOCKED
    if verified[Role.OUTGOING]:
        return CheckOutcome.INCOMING_BLOCKED
    return CheckOutcome.BLOCKED_EVERYWHERE
