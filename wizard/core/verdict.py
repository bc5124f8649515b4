"""What a finished check means for the user, and the settings the phone should use.

Both front ends show a check through ``verdict_of`` (the words) and ``settings_from_report``
(the values), so the command line and the wizard cannot tell the user different things.
They only add their own way to act ("Retry" on a screen, "run the check again" in a shell).
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.diagnosis import failed_alike
from wizard.core.models import (
    Account,
    Attempt,
    CheckReport,
    MailSettings,
    Role,
    Status,
)
from wizard.core.provider import Provider


@dataclass(frozen=True)
class Verdict:
    """A check in words: the headline, notes on ports used instead, and what to fix."""

    verified: bool
    #: One sentence: verified, or which half failed.
    headline: str
    #: For a verified role: which endpoint is used ("The iPhone can use ...").
    uses: str
    #: One line per endpoint that failed while its role still works through another.
    notes: tuple[str, ...]
    #: The failures to fix, most telling first; identical diagnoses appear once.
    problems: tuple[Attempt, ...]
    #: The test message's outcome, when one was asked for.
    round_trip: str | None


def verdict_of(report: CheckReport) -> Verdict:
    """The words for ``report``, shared by ``mailcom-wizard check`` and the check screen."""
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
            f"The iPhone can use {report.incoming.endpoint.label} and "
            f"{report.outgoing.endpoint.label}."
        )
    notes = tuple(
        f"{attempt.endpoint.label} did not work ({attempt.title or attempt.status.value}), "
        f"so {chosen[attempt.endpoint.role].endpoint.label} is used instead."
        for attempt in report.attempts
        if not attempt.ok and chosen[attempt.endpoint.role].verified
    )
    return Verdict(
        verified=report.verified,
        headline=headline,
        uses=uses,
        notes=notes,
        problems=_problems(report, failed_roles, chosen),
        round_trip=_round_trip_words(report),
    )


def _problems(
    report: CheckReport, failed_roles: list[Role], chosen: dict[Role, Attempt]
) -> tuple[Attempt, ...]:
    alike = failed_alike(attempt.status for attempt in report.attempts)
    candidates = [chosen[role] for role in failed_roles] + [
        attempt
        for attempt in report.attempts
        if attempt.endpoint.role in failed_roles and not attempt.ok
    ]
    problems: list[Attempt] = []
    seen: set[str] = set()
    for attempt in candidates:
        # When everything failed the same way (no internet), one explanation is enough.
        key = attempt.title if alike else attempt.title + attempt.advice
        if attempt.ok or key in seen:
            continue
        seen.add(key)
        problems.append(attempt)
    return tuple(problems)


def _round_trip_words(report: CheckReport) -> str | None:
    trip = report.round_trip
    if trip is None:
        return None
    if trip.status is Status.OK:
        seconds = trip.elapsed_ms / 1000
        return f"Test message: sent and arrived in {seconds:.1f} s (and deleted again)."
    return f"Test message: not received: {trip.detail or trip.status.value}."


def settings_from_report(report: CheckReport, account: Account, provider: Provider) -> MailSettings:
    """The settings the phone should use after a check.

    Verified only if the whole check was. A half that verified is always kept: when SMTP
    worked on 587 because 465 is blocked but the incoming login was refused, the settings
    still say 587, and only the failed half falls back to the provider's preferred server.
    """
    preferred = preferred_settings(account, provider)
    incoming = report.incoming.endpoint if report.incoming.verified else preferred.incoming
    outgoing = report.outgoing.endpoint if report.outgoing.verified else preferred.outgoing
    return MailSettings(
        email=account.email,
        incoming_choice=account.incoming,
        incoming=incoming,
        outgoing=outgoing,
        verified=report.verified,
        name=account.name,
        app_password=account.app_password,
        checked_at=report.checked_at,
        provider_name=provider.display_name,
        mailcom=provider.is_mailcom,
    )


def preferred_settings(account: Account, provider: Provider) -> MailSettings:
    """Unverified settings: the provider's most preferred servers (for ``--no-verify``)."""
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
    )
