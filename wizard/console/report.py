"""Running the check from a command, and its report as text for a terminal."""

from __future__ import annotations

import asyncio
import re
import sys
import textwrap

from wizard.console.inputs import CommandInputs
from wizard.core.check import run_check
from wizard.core.errors import TLSConfigError, UsageError
from wizard.core.models import Account, Attempt, CheckOptions, CheckReport, MailSettings
from wizard.core.provider import Provider
from wizard.core.verdict import preferred_settings, settings_from_report, verdict_of


def perform_check(account: Account, provider: Provider, options: CheckOptions) -> CheckReport:
    """Run the check to completion (for the headless commands)."""
    try:
        return asyncio.run(run_check(account, provider, options))
    except TLSConfigError as exc:
        raise UsageError(str(exc)) from None


def _status_word(attempt: Attempt) -> str:
    if attempt.verified:
        return "OK"
    if attempt.ok:
        return "reachable"
    return "FAILED"


def _wrap(text: str, indent: str = "  ") -> str:
    lines = []
    for paragraph in text.splitlines():
        lines.append(
            textwrap.fill(
                paragraph,
                width=88,
                break_on_hyphens=False,
                initial_indent=indent,
                subsequent_indent=indent + "   " if paragraph[:2].rstrip(".").isdigit() else indent,
            )
        )
    return "\n".join(lines)


def format_report(report: CheckReport, *, flags: str = "") -> str:
    """The human output: one line per attempt, the settings that work, then the diagnosis.

    ``flags`` are repeated in the next commands it suggests (those that chose the run).
    """
    out = []
    out.append(f"Checked {report.email} ({report.incoming_choice.value.upper()} and SMTP):")
    width = max(len(a.endpoint.label) for a in report.attempts)
    for attempt in report.attempts:
        ms = attempt.elapsed_ms
        seconds = f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
        out.append(
            f"  {_status_word(attempt):<9} {attempt.endpoint.label:<{width}}  "
            f"{attempt.endpoint.host}  {attempt.status.value:<14} {seconds:>7}  {attempt.title}"
        )
    verdict = verdict_of(report)
    out.append("")
    out.append(verdict.headline)
    if verdict.action:
        out.append(_wrap(f"What to do: {verdict.action}", indent=""))
    for label, attempt in (("Incoming", report.incoming), ("Outgoing", report.outgoing)):
        if attempt.verified:
            endpoint = attempt.endpoint
            out.append(
                f"  {label}: {endpoint.protocol.label} {endpoint.host}, port {endpoint.port}, "
                f"{endpoint.security.label}, user name {endpoint.username(report.email)}"
            )
    if verdict.round_trip is not None:
        out.append(f"  {verdict.round_trip}")
    for note in verdict.notes:
        out.append(_wrap(note))
    for attempt in verdict.problems:
        out.append("")
        out.append(f"{attempt.endpoint.label}: {attempt.title}")
        out.append(_wrap(attempt.advice))
        if attempt.server_reply:
            out.append(f"  Server reply: {attempt.server_reply}")
    out.append("")
    if report.verified:
        out.append(
            f"Next: `mailcom-wizard instructions{flags}` for the iPhone steps, or "
            f"`mailcom-wizard export{flags}` for a configuration profile."
        )
    else:
        out.append("Fix the problem above, then run the check again.")
    # Sections add their own blank lines; never print two in a row.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)) + "\n"


def checked_settings(inputs: CommandInputs, *, name: str, verify: bool) -> MailSettings | None:
    """Verified settings from a live check, or the provider's preferred ones without one.

    Returns None after printing the diagnosis to stderr when the check fails: the caller
    then writes nothing and exits 1. The settings are marked as the target hands them on.
    """
    settings = _checked_settings(inputs, name=name, verify=verify)
    return None if settings is None else inputs.target.mark(settings)


def _checked_settings(inputs: CommandInputs, *, name: str, verify: bool) -> MailSettings | None:
    if not verify:
        # No check, so no password is needed: the account is only a carrier for the
        # address, the name and the protocol choice.
        account = Account(email=inputs.email, password="", name=name, incoming=inputs.incoming)
        return preferred_settings(account, inputs.provider)
    account = inputs.account(name)
    print(
        f"Checking {inputs.email}: logging in to the {inputs.incoming.value.upper()} and "
        "SMTP servers…",
        file=sys.stderr,
    )
    report = perform_check(account, inputs.provider, inputs.options)
    if not report.verified:
        # The same diagnosis `mailcom-wizard check` prints.
        sys.stderr.write(format_report(report))
        return None
    return settings_from_report(report, account, inputs.provider)
