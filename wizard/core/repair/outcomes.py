"""A check report in one word: which of a few check outcomes it is, and what each port did.

A repair does not need every detail of a check, only what kind of situation it found: the
logins work here, one port is blocked here, the password is refused (or only one protocol
is, while another server accepts the password), a certificate is not mail.com's, a server
answers and then stalls, nothing answers. ``classify`` turns any report the engine can
produce into exactly one ``CheckOutcome`` (stable codes), by a fixed order of precedence: a
refused login first (the password reached the server, so the answer is about the account),
then certificates and encryption (never to be worked around), then reachability. The
README says what each code means.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.diagnosis import nothing_answered, password_refused, refusal_kind, seen_status
from wizard.core.models import Attempt, CheckReport, Endpoint, Role, Status


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
_INTERCEPTION = (
    Status.CERTIFICATE_UNTRUSTED,
    Status.CERTIFICATE_HOSTNAME_MISMATCH,
    Status.TLS_FAILED,
    Status.PLAINTEXT_INJECTED,
)
#: A server that accepted the connection and then went quiet: it answered, so this
#: computer is online.
_SILENT = (Status.SERVER_SILENT, Status.TLS_STALLED)


@dataclass(frozen=True)
class PortResult:
    """What one port did, with its endpoint in the phone's terms."""

    endpoint: Endpoint
    status: Status
    #: The login was tried here and worked.
    verified: bool

    @property
    def ok(self) -> bool:
        """A secure connection worked (with or without a login)."""
        return self.status is Status.OK


@dataclass(frozen=True)
class Findings:
    """A check report classified: its outcome, and each port's result in the phone's terms."""

    outcome: CheckOutcome
    #: At least one server accepted the password: the password the check used is right.
    login_worked: bool
    ports: tuple[PortResult, ...]
    #: The check's time limit per server (seconds): a short one explains a silence.
    time_limit: float = 10.0

    def working(self, role: Role) -> tuple[PortResult, ...]:
        """The ports of ``role`` that worked, the one logged in to first."""
        found = [port for port in self.ports if port.endpoint.role is role and port.ok]
        return tuple(sorted(found, key=lambda port: not port.verified))

    def failing(self, role: Role) -> tuple[PortResult, ...]:
        """The ports of ``role`` that failed."""
        return tuple(p for p in self.ports if p.endpoint.role is role and not p.ok)

    @property
    def failures(self) -> tuple[PortResult, ...]:
        """Every port that failed, incoming first."""
        return tuple(port for port in self.ports if not port.ok)

    def used(self, role: Role) -> PortResult | None:
        """The port of ``role`` whose login worked, if one did."""
        return next((p for p in self.ports if p.endpoint.role is role and p.verified), None)


def classify(report: CheckReport) -> Findings:
    """The outcome of ``report``, and what each of its ports did."""
    # Statuses as the words read them: a connection accepted and then quiet is silence.
    ports = tuple(
        PortResult(attempt.endpoint, seen_status(attempt), attempt.verified)
        for attempt in report.attempts
    )
    login_worked = report.incoming.verified or report.outgoing.verified
    return Findings(_outcome(report), login_worked, ports, report.timeout)


def _outcome(report: CheckReport) -> CheckOutcome:
    chosen = (report.incoming, report.outgoing)
    refusals = [attempt for attempt in chosen if attempt.status is Status.AUTH_FAILED]
    if any(map(password_refused, refusals)):
        if report.incoming.verified or report.outgoing.verified:
            return CheckOutcome.ACCESS_REFUSED
        return CheckOutcome.LOGIN_REFUSED
    if refusals:
        # Refused because the mailbox is busy ("too many", "in use") or the server unavailable.
        kinds = {refusal_kind(attempt.server_reply) for attempt in refusals}
        return (
            CheckOutcome.MAILBOX_BUSY
            if kinds & {"too_many", "in_use"}
            else CheckOutcome.SERVER_TROUBLE
        )
    failures = [attempt for attempt in report.attempts if not attempt.ok]
    statuses = {seen_status(attempt) for attempt in failures}
    if statuses & set(_INTERCEPTION):
        return CheckOutcome.INTERCEPTED
    if Status.CERTIFICATE_EXPIRED in statuses:
        return CheckOutcome.CERTIFICATE_EXPIRED
    incoming_ok, outgoing_ok = report.incoming.verified, report.outgoing.verified
    if Status.STARTTLS_UNAVAILABLE in statuses and not _stripped_roles_work(report, failures):
        return CheckOutcome.NO_STARTTLS
    if incoming_ok and outgoing_ok:
        return _both_logins_work(report, failures)
    if nothing_answered(seen_status(attempt) for attempt in report.attempts):
        return CheckOutcome.UNREACHABLE
    failed = [attempt for attempt in chosen if not attempt.verified]
    if any(attempt.status is Status.PROTOCOL_ERROR for attempt in failed):
        return CheckOutcome.SERVER_TROUBLE
    if any(seen_status(attempt) in _SILENT for attempt in failed):
        return CheckOutcome.SERVER_SILENT
    if incoming_ok:
        return CheckOutcome.OUTGOING_BLOCKED
    if outgoing_ok:
        return CheckOutcome.INCOMING_BLOCKED
    return CheckOutcome.BLOCKED_EVERYWHERE


def _stripped_roles_work(report: CheckReport, failures: list[Attempt]) -> bool:
    """True when every server with a port that offered no encryption still works on another."""
    working = {
        Role.INCOMING: report.incoming.verified,
        Role.OUTGOING: report.outgoing.verified,
    }
    return all(
        working[attempt.endpoint.role]
        for attempt in failures
        if attempt.status is Status.STARTTLS_UNAVAILABLE
    )


def _both_logins_work(report: CheckReport, failures: list[Attempt]) -> CheckOutcome:
    roles = {attempt.endpoint.role for attempt in failures}
    if roles == {Role.INCOMING, Role.OUTGOING}:
        return CheckOutcome.PORTS_BLOCKED_HERE
    if roles == {Role.INCOMING}:
        return CheckOutcome.INCOMING_PORT_BLOCKED_HERE
    if roles == {Role.OUTGOING}:
        return CheckOutcome.OUTGOING_PORT_BLOCKED_HERE
    trip = report.round_trip
    if trip is not None and trip.status is not Status.OK:
        return CheckOutcome.TEST_MESSAGE_LOST
    return CheckOutcome.ALL_VERIFIED
