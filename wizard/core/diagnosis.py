"""What the wizard says about a check: ``explain`` words every attempt from the whole check's
evidence and the one table (``wording.STATUS_WORDS``); the advice never suggests SSL off."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from wizard.core import access, wording
from wizard.core.facts import mailcom
from wizard.core.models import Account, Attempt, CertificateInfo, CheckReport, Plan, Role, Status

if TYPE_CHECKING:
    from wizard.core.provider import Provider

#: Failures that are about reaching a port: the advice says which addresses were tried.
_UNREACHED = frozenset({Status.TIMEOUT, Status.CONNECTION_REFUSED, Status.NO_ROUTE})


@dataclass(frozen=True)
class Context:
    """Who the words are for: the address, the provider, what the user said, the time limit
    (per server, in seconds). ``mailcom``: only mail.com's own record names its settings."""

    email: str
    provider_name: str = "mail.com"
    mailcom: bool = True
    plan: Plan | None = None
    app_password: bool = False
    timeout: float = 10.0

    @classmethod
    def of(cls, account: Account, provider: Provider, timeout: float = 10.0) -> Context:
        return cls(
            account.email,
            provider.display_name,
            provider.is_mailcom,
            account.plan,
            account.app_password,
            timeout,
        )


class Explained(NamedTuple):
    """A check in words: every attempt with its words, and the one each half should use."""

    attempts: tuple[Attempt, ...]
    incoming: Attempt
    outgoing: Attempt


def explain(attempts: Iterable[Attempt], context: Context) -> Explained:
    """Word every attempt from all the evidence of the check, and choose each half's attempt."""
    check = _Check(tuple(attempts), context)
    worded = tuple(check.worded(attempt) for attempt in check.attempts)
    return Explained(worded, _choose(worded, Role.INCOMING), _choose(worded, Role.OUTGOING))


def explain_attempt(attempt: Attempt, context: Context) -> Attempt:
    """Preliminary words for one finished attempt, before the rest of the check is known."""
    return _Check((attempt,), context, alone=True).worded(attempt)


def _choose(attempts: Sequence[Attempt], role: Role) -> Attempt:
    """The attempt of ``role`` the account should use, or its most telling failure."""
    mine = [attempt for attempt in attempts if attempt.endpoint.role is role]
    order = list(wording.STATUS_WORDS)
    verified = next((attempt for attempt in mine if attempt.verified), None)
    return verified or min(mine, key=lambda attempt: order.index(attempt.status))


def refusal_kind(reply: str | None) -> str | None:
    """What a refused login's reply says besides "wrong password" (``too_many``...), or None."""
    text = (reply or "").lower()
    kinds = (
        ("too_many", ("too many", "maximum number of connections")),
        ("unavailable", ("[unavailable]", "[sys/temp]", "temporar")),
        ("in_use", ("[in-use]",)),
        ("alert", ("[alert]",)),
        ("disabled", ("disabled", "not enabled", "not activated", "not allowed")),
    )
    return next((kind for kind, marks in kinds if any(mark in text for mark in marks)), None)


def password_refused(attempt: Attempt) -> bool:
    """A refused login that may be about the password or the account's access."""
    return (
        attempt.status is Status.AUTH_FAILED
        and refusal_kind(attempt.server_reply) not in wording.REFUSALS
    )


def seen_status(attempt: Attempt) -> Status:
    """The status the words follow: a time-out on an accepted connection (it has an address,
    or a login was sent) is a server that went quiet, whatever stage the engine named."""
    accepted = attempt.address is not None or attempt.login_tested
    return Status.SERVER_SILENT if attempt.status is Status.TIMEOUT and accepted else attempt.status


def nothing_answered(statuses: Iterable[Status]) -> bool:
    """Nothing answered at all: only then is "this computer seems offline" said."""
    seen = set(statuses)
    return bool(seen) and seen <= wording.UNANSWERED


@dataclass(frozen=True)
class _Check:
    """The evidence of a whole check that one attempt's words may draw on (``alone``: a
    preliminary row, so no conclusions about the whole check)."""

    attempts: tuple[Attempt, ...]
    context: Context
    alone: bool = False

    def verified(self, role: Role | None = None) -> Attempt | None:
        return next(
            (a for a in self.attempts if a.verified and role in (None, a.endpoint.role)), None
        )

    def worded(self, attempt: Attempt) -> Attempt:
        if attempt.status is Status.OK:
            title, advice = self._ok(attempt)
            return replace(attempt, title=title, action="", advice=advice)
        fields = self._fields(attempt)
        fallback = self.verified(attempt.endpoint.role)
        words = self.variant(attempt)
        extra = self._refusal(attempt, fields) if attempt.status is Status.AUTH_FAILED else ""
        title, action = words.title.format(**fields), words.action.format(**fields)
        advice = words.advice.format(**fields) + extra
        if fallback is not None:
            port = fallback.endpoint.port
            advice += (
                f" Port {port} works and will be used instead, so you do not need to do anything."
            )
            action = (
                f"Port {attempt.endpoint.port} does not work on this network, but port {port} "
                "does and is used instead: nothing to do."
            )
        elif attempt.status in _UNREACHED and attempt.address is None:
            advice += address_families_sentence(attempt.endpoint.host, attempt.families)
        return replace(attempt, title=title, action=action, advice=advice)

    def variant(self, attempt: Attempt) -> wording.StatusWords:
        status = seen_status(attempt)
        if status is Status.AUTH_FAILED:
            kind = refusal_kind(attempt.server_reply)
            if kind in wording.REFUSALS:
                return wording.REFUSALS[kind]
            return (
                wording.STATUS_WORDS[status] if self.verified() is None else wording.ACCESS_REFUSED
            )
        if self.context.timeout < wording.SHORT_LIMIT_SECONDS and status in wording.OUT_OF_TIME:
            return wording.SHORT_LIMIT
        if not self.alone and nothing_answered(seen_status(a) for a in self.attempts):
            return wording.OFFLINE
        return wording.STATUS_WORDS[status]

    def _refusal(self, attempt: Attempt, fields: dict[str, str]) -> str:
        """Fills a refusal's fields; returns what follows its advice: the checklist."""
        reply = attempt.server_reply
        kind = refusal_kind(reply)
        fields["said"] = f" The server said: \u201c{reply.rstrip('.')}\u201d." if reply else ""
        accepted = self.verified()
        items = access.refusal_checklist(
            self.context.provider_name,
            self.context.mailcom,
            plan=self.context.plan,
            app_password=self.context.app_password,
            password_right=accepted is not None,
            protocol=attempt.endpoint.protocol,
        )
        fields["causes"] = access.in_order(items)
        if kind in wording.REFUSALS:
            return ""
        intro = "Please check each, in this order:"
        if accepted is not None:
            endpoint = accepted.endpoint
            fields["accepted"] = "sending" if endpoint.role is Role.OUTGOING else "receiving"
            fields["accepted_label"] = f"{endpoint.protocol.label} on port {endpoint.port}"
        elif self.context.mailcom:
            intro = f"{mailcom.SAME_REPLY.text}, so please check each, in this order:"
        said = fields["said"] if kind in ("alert", "disabled") else ""
        if kind == "alert":
            said = f" {fields['name']} sent an alert with its refusal; read it carefully:{said}"
        return f"{said}\n{intro}\n{access.numbered(items)}"

    def _ok(self, attempt: Attempt) -> tuple[str, str]:
        if attempt.login_tested:
            return (
                "Login works",
                f"{attempt.endpoint.protocol.label} on port {attempt.endpoint.port} accepted the "
                "address and password over an encrypted connection.",
            )
        role = attempt.endpoint.role
        tried = next((a for a in self.attempts if a.login_tested and a.endpoint.role is role), None)
        if tried is not None and tried.status is Status.AUTH_FAILED:
            return (
                "Reachable (login not repeated)",
                "A secure connection works. The password was already refused on port "
                f"{tried.endpoint.port}, so it was not tried again here: "
                f"{self.context.provider_name} may lock an account after repeated failed logins.",
            )
        where = f"on port {tried.endpoint.port}" if tried is not None else "elsewhere"
        return (
            f"Reachable (login tested {where})",
            "A secure connection works. The password is tested on one port per server only, "
            "so that a wrong password never counts twice against the account.",
        )

    def _fields(self, attempt: Attempt) -> dict[str, str]:
        endpoint = attempt.endpoint
        short = wording.STATUS_WORDS[seen_status(attempt)].short
        alike = [
            a.endpoint.port
            for a in self.attempts
            if a.endpoint.role is endpoint.role
            and wording.STATUS_WORDS[seen_status(a)].short == short
        ] or [endpoint.port]
        cert = attempt.certificate
        return {
            "name": self.context.provider_name,
            "host": endpoint.host,
            "port": str(endpoint.port),
            "ports": wording.ports_words(alike),
            "protocol": endpoint.protocol.label,
            "limit": f"{self.context.timeout:g}",
            "issuer": f" It was issued by \u201c{cert.issuer_name}\u201d." if cert else "",
            "valid": (
                f" It is valid from {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}."
                if cert
                else ""
            ),
            "subject": f" (it names {cert.subject_name})" if cert else "",
            "causes": "",
            "said": "",
        }


def short_words(attempt: Attempt, report: CheckReport) -> str:
    """An attempt of ``report`` in a few words, for a line with room for little more."""
    context = Context(report.email, timeout=report.timeout)
    return _Check(report.attempts, context).variant(attempt).short


def address_families_sentence(host: str, families: Sequence[str]) -> str:
    """Which kinds of address of ``host`` were tried and all failed (empty for a host typed
    as an address, and when nothing was looked up)."""
    with suppress(ValueError):
        ipaddress.ip_address(host.strip("[]"))
        return ""
    if not families:
        return ""
    if len(families) == 1:
        other = {"IPv4": "IPv6", "IPv6": "IPv4"}.get(families[0], "other kind of")
        return f" The wizard tried {host} over {families[0]} (it has no {other} address)."
    kinds = sorted(families, key=lambda family: (family != "IPv6", family))
    return f" The wizard tried {host} over both {' and '.join(kinds)}; neither worked."


def certificate_lines(certificate: CertificateInfo) -> str:
    return (
        f"Certificate presented: {certificate.subject}\n"
        f"Issued by: {certificate.issuer}\n"
        f"Valid from {certificate.not_before:%Y-%m-%d} to {certificate.not_after:%Y-%m-%d}"
    )


def row_words(attempt: Attempt) -> str:
    """One attempt in a few words, for a row of the check: "✓ logged in", "✗ blocked here"."""
    if attempt.ok:
        return "✓ logged in" if attempt.login_tested else "✓ connects securely"
    return f"✗ {wording.STATUS_WORDS[seen_status(attempt)].short}"
