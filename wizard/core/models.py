"""The data that crosses boundaries: endpoints, accounts, attempts and check reports, as
frozen dataclasses and enums, so no front end changes what another sees."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from wizard.core.caveat import Caveat
from wizard.core.text import clean_line


class Role(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Protocol(StrEnum):
    IMAP = "imap"
    POP3 = "pop3"
    SMTP = "smtp"

    @property
    def role(self) -> Role:
        return Role.OUTGOING if self is Protocol.SMTP else Role.INCOMING

    @property
    def label(self) -> str:
        return self.value.upper()


class IncomingChoice(StrEnum):
    """What the user picks for incoming mail: IMAP or POP (as iOS names them)."""

    IMAP = "imap"
    POP = "pop"

    @property
    def protocol(self) -> Protocol:
        return Protocol.IMAP if self is IncomingChoice.IMAP else Protocol.POP3


class Security(StrEnum):
    """How an endpoint is secured: TLS from the first byte, or upgraded with STARTTLS."""

    SSL = "ssl"
    STARTTLS = "starttls"

    @property
    def label(self) -> str:
        return "SSL/TLS" if self is Security.SSL else "STARTTLS"


class Status(StrEnum):
    """The stable result code of one attempt (scripts may rely on these strings); each
    names the stage that failed, so the words can name what to change."""

    OK = "ok"
    #: The server's name has no address (or the lookup failed).
    DNS_FAILED = "dns_failed"
    #: This network has no route to any of the server's addresses (unreachable).
    NO_ROUTE = "no_route"
    #: The server's computer answered the connection with a refusal (port closed).
    CONNECTION_REFUSED = "connection_refused"
    #: Nothing answered the connection at all within the time limit.
    TIMEOUT = "timeout"
    #: The connection was accepted, but the TLS handshake got no answer in time.
    TLS_STALLED = "tls_stalled"
    #: Connected (and secured, where TLS comes first), then no greeting or answer in time.
    SERVER_SILENT = "server_silent"
    TLS_FAILED = "tls_failed"
    CERTIFICATE_UNTRUSTED = "certificate_untrusted"
    CERTIFICATE_HOSTNAME_MISMATCH = "certificate_hostname_mismatch"
    CERTIFICATE_EXPIRED = "certificate_expired"
    STARTTLS_UNAVAILABLE = "starttls_unavailable"
    #: Bytes came with the STARTTLS answer, before the handshake: inserted on the way.
    PLAINTEXT_INJECTED = "plaintext_injected"
    AUTH_FAILED = "auth_failed"
    PROTOCOL_ERROR = "protocol_error"

    @property
    def is_certificate_problem(self) -> bool:
        return self.value.startswith("certificate_")


class Phase(StrEnum):
    WAITING = "waiting"
    CONNECTING = "connecting"
    #: A TLS handshake is under way (implicit TLS, or after the server's STARTTLS OK).
    SECURING = "securing"
    #: Connected (and secured): waiting for the greeting or EHLO/CAPA/CAPABILITY reply.
    GREETING = "greeting"
    #: Connected and secured; waiting for its turn to log in (or for the role to finish).
    SECURED = "secured"
    LOGGING_IN = "logging in"
    DONE = "done"


class Plan(StrEnum):
    """Which mail.com plan the user says they have: mail.com lets other mail apps in only
    with Premium for accounts made in recent years (older free accounts usually still can)."""

    PREMIUM = "premium"
    OLD_FREE = "old-free"
    NOT_SURE = "not-sure"


class Auth(StrEnum):
    """How the password is proven inside TLS (autoconfig ``authentication``): sent as it is
    (AUTH PLAIN/LOGIN, IMAP LOGIN, USER/PASS), or CRAM-MD5 (POP3 also APOP), iOS's "MD5
    Challenge-Response"."""

    PASSWORD = "password"
    CRAM_MD5 = "cram-md5"


@dataclass(frozen=True)
class Endpoint:
    """One server address to try: protocol, host, port, how it is secured and logged in to."""

    protocol: Protocol
    host: str
    port: int
    security: Security
    username_template: str = "%EMAILADDRESS%"
    auth: Auth = Auth.PASSWORD

    @property
    def role(self) -> Role:
        return self.protocol.role

    @property
    def key(self) -> str:
        """A short stable name, for example ``imap-993``."""
        return f"{self.protocol.value}-{self.port}"

    @property
    def label(self) -> str:
        return f"{self.protocol.label} {self.port} ({self.security.label})"

    def username(self, email: str) -> str:
        return fill_in(self.username_template, email)


#: The placeholders of an autoconfig file, filled in from the address.
PLACEHOLDER = re.compile(r"%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN)%")


def fill_in(template: str, email: str) -> str:
    """``template`` with its placeholders filled in, in one pass: a local part that itself
    holds ``%EMAILDOMAIN%`` stays as typed."""
    local, _, domain = email.partition("@")
    parts = {"EMAILADDRESS": email, "EMAILLOCALPART": local, "EMAILDOMAIN": domain}
    return PLACEHOLDER.sub(lambda match: parts[match.group(1)], template)


@dataclass(frozen=True)
class Account:
    """What the user typed: address, password (never shown), sender name, incoming choice."""

    email: str
    password: str = field(repr=False)
    name: str = ""
    incoming: IncomingChoice = IncomingChoice.IMAP
    app_password: bool = False
    #: The user's answer to the plan question (None: not asked, as in the headless commands).
    plan: Plan | None = None


@dataclass(frozen=True)
class CertificateInfo:
    """What a server's certificate says, shown when it cannot be trusted."""

    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str

    @property
    def issuer_name(self) -> str:
        """Who issued it, as people name them: the organisation (O=), else the common name
        ("Antivirus Web/Mail Shield", not "CN=Mail Shield Root,O=Antivirus Web/Mail Shield")."""
        return _name_part(self.issuer, "O") or _name_part(self.issuer, "CN") or self.issuer

    @property
    def subject_name(self) -> str:
        """The name the certificate was made for (CN=), else the whole subject."""
        return _name_part(self.subject, "CN") or self.subject

    def to_json(self) -> dict[str, str]:
        return {
            key: value.isoformat() if isinstance(value, dt.datetime) else value
            for key, value in asdict(self).items()
        }


def _name_part(name: str, short: str) -> str | None:
    """The first ``short`` (CN, O) part of an RFC 4514 name, escapes undone."""
    from cryptography import x509  # only when a certificate is shown: it is slow to import
    from cryptography.x509.oid import NameOID

    oid = NameOID.COMMON_NAME if short == "CN" else NameOID.ORGANIZATION_NAME
    try:
        found = x509.Name.from_rfc4514_string(name).get_attributes_for_oid(oid)
    except ValueError:  # not a distinguished name (shortened, or cleaned for a terminal)
        return None
    if not found:
        return None
    # The string lists the name's parts last first: its first such part is the list's last.
    # Escapes (``\0A``, ``#hex``) may undo the cleaning the whole string had: clean again.
    return clean_line(str(found[-1].value)) or None


@dataclass(frozen=True)
class Attempt:
    """The outcome of trying one endpoint. ``login_tested`` is False where another endpoint
    of the role was logged in to instead (a wrong password must not count twice);
    ``address``: the IP address that accepted the connection."""

    endpoint: Endpoint
    status: Status
    title: str = ""
    advice: str = ""
    server_reply: str | None = None
    elapsed_ms: int = 0
    login_tested: bool = False
    certificate: CertificateInfo | None = None
    address: str | None = None
    #: The one thing to do first, in one sentence (empty when it worked).
    action: str = ""
    #: What the engine saw, for the details and the JSON: "wrong version number".
    detail: str = ""
    #: The kinds of address (IPv6, IPv4) that were tried when none answered.
    families: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def verified(self) -> bool:
        return self.ok and self.login_tested

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "role": self.endpoint.role.value,
            "protocol": self.endpoint.protocol.value,
            "host": self.endpoint.host,
            "port": self.endpoint.port,
            "address": self.address,
            "security": self.endpoint.security.value,
            "status": self.status.value,
            "title": self.title,
            "action": self.action,
            "advice": self.advice,
            "detail": self.detail,
            "server_reply": self.server_reply,
            "elapsed_ms": self.elapsed_ms,
            "login_tested": self.login_tested,
        }
        if self.certificate is not None:
            data["certificate"] = self.certificate.to_json()
        return data


@dataclass(frozen=True)
class RoundTrip:
    """The outcome of sending a test message to oneself and seeing it arrive."""

    status: Status
    elapsed_ms: int
    detail: str = ""
    #: False when the test message could only be marked as deleted (``detail`` says so).
    removed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "elapsed_ms": self.elapsed_ms, "removed": self.removed}


@dataclass(frozen=True)
class CheckReport:
    """Everything one check found: every attempt, and the two the account should use."""

    email: str
    incoming_choice: IncomingChoice
    attempts: tuple[Attempt, ...]
    incoming: Attempt
    outgoing: Attempt
    checked_at: dt.datetime
    round_trip: RoundTrip | None = None
    #: The time limit per server (seconds): a limit too short is named, not the network.
    timeout: float = 10.0

    @property
    def verified(self) -> bool:
        """Both servers accepted the login (and the round trip, if any, worked)."""
        round_trip = self.round_trip is None or self.round_trip.status is Status.OK
        return self.incoming.verified and self.outgoing.verified and round_trip

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "protocol": self.incoming_choice.value,
            "verified": self.verified,
            "incoming": self.incoming.to_json(),
            "outgoing": self.outgoing.to_json(),
            "attempts": [attempt.to_json() for attempt in self.attempts],
            "round_trip": None if self.round_trip is None else self.round_trip.to_json(),
        }


@dataclass(frozen=True)
class Alternative:
    """Another endpoint the provider lists, and whether the check reached it securely
    (None: not checked, as with ``--no-verify``)."""

    endpoint: Endpoint
    works: bool | None = None


@dataclass(frozen=True)
class MailSettings:
    """The settings an iPhone needs, for the steps and the profile; ``verified`` when a
    live check proved them (else they are the provider's preferred servers)."""

    email: str
    incoming_choice: IncomingChoice
    incoming: Endpoint
    outgoing: Endpoint
    verified: bool
    name: str = ""
    app_password: bool = False
    checked_at: dt.datetime | None = None
    provider_name: str = "mail.com"
    #: Mail.com's own record: only then do texts name its settings.
    mailcom: bool = True
    #: Said wherever the values are shown, when they were checked only on a stand-in.
    caveat: Caveat | None = None
    #: Said before step 1 (``Provider.notes``): an app-specific password, unused entries.
    provider_notes: tuple[str, ...] = ()
    #: The provider's endpoints with what the check found: the only ports steps may offer.
    alternatives: tuple[Alternative, ...] = ()

    @property
    def incoming_username(self) -> str:
        return self.incoming.username(self.email)

    @property
    def outgoing_username(self) -> str:
        return self.outgoing.username(self.email)


@dataclass(frozen=True)
class CheckOptions:
    """How to check: the time limit per endpoint, an extra CA file, the round trip, and
    ``dial``: (host, port) -> where to connect instead (a stand-in's listeners; TLS
    still verifies the host name)."""

    timeout: float = 10.0
    cafile: str | None = None
    round_trip: bool = False
    round_trip_timeout: float = 60.0
    dial: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
