"""What a finished check means for the user (``verdict_of``) and the settings the phone should
use (``settings_from_report``): both front ends show a check through these two."""

from __future__ import annotations

from dataclasses import dataclass, replace

from wizard.core import access
from wizard.core.diagnosis import nothing_answered, password_refused, seen_status, short_words
from wizard.core.models import (
    Account,
    Alternative,
    Attempt,
    CheckReport,
    MailSettings,
    Plan,
    Role,
    Status,
)
from wizard.core.provider import Provider


@dataclass(frozen=True)
class Verdict:
    """A check in words: the headline, what to do first, the ports used, notes on ports used
    instead, the failures to fix (most telling first, each once) and the test message."""

    verified: bool
    headline: str
    action: str
    uses: str
    notes: tuple[str, ...]
    problems: tuple[Attempt, ...]
    round_trip: str | None
    #: A server refused the password and none accepted it: only then is "change the
    #: password" offered first (otherwise the refusal is about that protocol's access).
    password_in_doubt: bool = False
    #: mail.com's plan rule, said first when a refusal may come from the plan.
    plan_note: str | None = None


def verdict_of(
    report: CheckReport, provider: Provider | None = None, *, plan: Plan | None = None
) -> Verdict:
    """The words for ``report`` (``check`` and the check screen); with mail.com's ``provider``
    and no Premium ``plan``, a refusal brings the plan rule first."""
    chosen = {Role.INCOMING: report.incoming, Role.OUTGOING: report.outgoing}
    failed_roles = [role for role, attempt in chosen.items() if not attempt.verified]
    if report.verified:
        headline = "Verified: these settings work for this account."
    elif failed_roles:
        names = " and ".join(role.value for role in failed_roles)
        servers = "server" if len(failed_roles) == 1 else "servers"
        headline = f"Not verified: the {names} {servers} failed."
    else:
        headline = "Not verified: the logins work, but the test message did not arrive."
    uses = ""
    if report.incoming.verified and report.outgoing.verified:
        uses = (
            f"The iPhone can receive mail on port {report.incoming.endpoint.port} and send "
            f"on port {report.outgoing.endpoint.port}."
        )
    notes = tuple(
        f"{attempt.endpoint.label} did not work ({attempt.title or attempt.status.value}), "
        f"so {chosen[attempt.endpoint.role].endpoint.label} is used instead."
        for attempt in _passed_over(report, chosen)
    )
    problems = _problems(report, failed_roles, chosen)
    if problems:
        action = problems[0].action
    elif not report.verified:
        action = (
            "The logins work, but the test message did not arrive: retry, or go on "
            "without the test message."
        )
    else:
        action = ""
    in_doubt = any(map(password_refused, chosen.values())) and not any(
        attempt.verified for attempt in report.attempts
    )
    mailcom = provider is not None and provider.is_mailcom
    return Verdict(
        verified=report.verified,
        headline=headline,
        action=action,
        uses=uses,
        notes=notes,
        problems=problems,
        round_trip=_round_trip_words(report),
        password_in_doubt=in_doubt,
        plan_note=access.PLAN_NOTE if in_doubt and mailcom and plan is not Plan.PREMIUM else None,
    )


def _passed_over(report: CheckReport, chosen: dict[Role, Attempt]) -> list[Attempt]:
    """Failed endpoints before the one used in a role that verified: the phone tries them first."""
    passed: list[Attempt] = []
    for role, used in chosen.items():
        if not used.verified:
            continue
        for attempt in report.attempts:
            if attempt.endpoint == used.endpoint:
                break
            if attempt.endpoint.role is role and not attempt.ok:
                passed.append(attempt)
    return passed


def _problems(
    report: CheckReport, failed_roles: list[Role], chosen: dict[Role, Attempt]
) -> tuple[Attempt, ...]:
    alike = nothing_answered(seen_status(attempt) for attempt in report.attempts)
    candidates = [chosen[role] for role in failed_roles] + [
        attempt
        for attempt in report.attempts
        if attempt.endpoint.role in failed_roles and not attempt.ok
    ]
    problems: list[Attempt] = []
    seen: set[str] = set()
    for attempt in candidates:
        # One explanation when nothing answered; the same diagnosis for both halves, or the
        # same failure on both ports of one half, is shown once.
        role_key = f"{attempt.endpoint.role.value}:{attempt.status.value}"
        key = attempt.title if alike else attempt.title + attempt.action
        if attempt.ok or key in seen or role_key in seen:
            continue
        seen.update((key, role_key))
        problems.append(attempt)
    return tuple(problems)


@dataclass(frozen=True)
class RoleLine:
    """One half of the account in a line: "works on port 993", "blocked here (ports 465, 587)"."""

    role: Role
    works: bool
    words: str


def role_lines(report: CheckReport) -> tuple[RoleLine, RoleLine]:
    """Receiving and sending in plain words, ports as detail (the check screen's rows)."""
    return _role_line(report, report.incoming), _role_line(report, report.outgoing)


def _role_line(report: CheckReport, used: Attempt) -> RoleLine:
    role = used.endpoint.role
    if used.verified:
        words = f"works on port {used.endpoint.port}"
        passed = _passed_over(report, {role: used})
        if passed:
            ports = ", ".join(str(a.endpoint.port) for a in passed)
            words += f" ({ports} {short_words(passed[0], report)})"
        return RoleLine(role, True, words)
    short = short_words(used, report)
    alike = [
        str(a.endpoint.port)
        for a in report.attempts
        if a.endpoint.role is role and not a.ok and short_words(a, report) == short
    ]
    if len(alike) > 1:
        return RoleLine(role, False, f"{short} (ports {', '.join(alike)})")
    return RoleLine(role, False, f"{short} (port {used.endpoint.port})")


def _round_trip_words(report: CheckReport) -> str | None:
    trip = report.round_trip
    if trip is None:
        return None
    if trip.status is not Status.OK:
        return f"Test message: not received: {trip.detail or trip.status.value}."
    removed = " (and deleted again)" if trip.removed else f"; {trip.detail}"
    return f"Test message: sent and arrived in {trip.elapsed_ms / 1000:.1f} s{removed}."


def settings_from_report(report: CheckReport, account: Account, provider: Provider) -> MailSettings:
    """The settings the phone should use after a check: a half that verified is kept, a failed
    half falls back to the provider's preferred server."""
    preferred = preferred_settings(account, provider)
    found = {attempt.endpoint: attempt.ok for attempt in report.attempts}
    return replace(
        preferred,
        incoming=report.incoming.endpoint if report.incoming.verified else preferred.incoming,
        outgoing=report.outgoing.endpoint if report.outgoing.verified else preferred.outgoing,
        verified=report.verified,
        checked_at=report.checked_at,
        alternatives=tuple(
            Alternative(alt.endpoint, found.get(alt.endpoint)) for alt in preferred.alternatives
        ),
    )


def preferred_settings(account: Account, provider: Provider) -> MailSettings:
    """Unverified settings: the provider's most preferred servers (for ``--no-verify``)."""
    provider = provider.for_address(account.email)
    return MailSettings(
        email=account.email,
        incoming_choice=account.incoming,
        incoming=provider.incoming(account.incoming)[0],
        outgoing=provider.smtp[0],
        verified=False,
        name=account.name,
        app_password=account.app_password,
        checked_at=None,
        provider_name=provider.display_name,
        mailcom=provider.is_mailcom,
        provider_notes=provider.notes,
        alternatives=tuple(
            Alternative(endpoint)
            for endpoint in (*provider.incoming(account.incoming), *provider.smtp)
        ),
    )
