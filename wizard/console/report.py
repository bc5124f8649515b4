"""Running the check from a command, and its report as text for a terminal."""

from __future__ import annotations

import asyncio
import re
import sys
import textwrap

from wizard.console.inputs import CommandInputs
from wizard.core.check import run_check
from wizard.core.diagnosis import certificate_lines
from wizard.core.errors import TLSConfigError, UsageError
from wizard.core.models import Account, Attempt, CheckOptions, CheckReport, MailSettings
from wizard.core.provider import Provider, builtin_provider
from wizard.core.rehearsal import practice_settings, practice_uses
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


def format_report(
    report: CheckReport,
    *,
    practice_for: Provider | None = None,
    provider: Provider | None = None,
) -> str:
    """The human output: one line per attempt, the settings that work, then the diagnosis.

    ``practice_for`` (the demo): the real provider the practice server stands in for; the
    report then says which of its ports a phone would use, and the next commands are the
    demo's.
    """
    verdict = verdict_of(report, provider)
    # mail.com's plan rule first, when a refused password may come from the plan.
    out = [_wrap(verdict.plan_note, indent="")] if verdict.plan_note else []
    out.append(f"Checked {report.email} ({report.incoming_choice.value.upper()} and SMTP):")
    width = max(len(a.endpoint.label) for a in report.attempts)
    for attempt in report.attempts:
        ms = attempt.elapsed_ms
        seconds = f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
        out.append(
            f"  {_status_word(attempt):<9} {attempt.endpoint.label:<{width}}  "
            f"{attempt.endpoint.host}  {attempt.status.value:<14} {seconds:>7}  {attempt.title}"
        )
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
    if practice_for is not None and verdict.uses:
        out.append(_wrap(practice_uses(report, practice_for)))
    if verdict.round_trip is not None:
        out.append(f"  {verdict.round_trip}")
    for note in verdict.notes:
        out.append(_wrap(note))
    for attempt in verdict.problems:
        out.append("")
        out.append(f"{attempt.endpoint.label}: {attempt.title}")
        out.append(_wrap(attempt.advice))
        if attempt.certificate is not None:
            out.append(_wrap(certificate_lines(attempt.certificate)))
        if attempt.server_reply:
            out.append(f"  Server reply: {attempt.server_reply}")
    out.append("")
    if report.verified:
        demo = " --demo" if practice_for is not None else ""
        out.append(
            f"Next: `mailcom-wizard instructions{demo}` for the iPhone steps, or "
            f"`mailcom-wizard export{demo}` for a configuration profile."
        )
    else:
        out.append("Fix the problem above, then run the check again.")
    # Sections add their own blank lines; never print two in a row.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)) + "\n"


def checked_settings(inputs: CommandInputs, *, name: str, verify: bool) -> MailSettings | None:
    """Verified settings from a live check, or the provider's preferred ones without one.

    Returns None after printing the diagnosis to stderr when the check fails: the caller
    then writes nothing and exits 1. In the demo the settings are a real mail.com account's
    values, marked as practice: the practice server's address must never reach a phone.
    """
    settings = _checked_settings(inputs, name=name, verify=verify)
    if settings is not None and inputs.demo:
        settings = practice_settings(settings, builtin_provider())
    return settings


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
        sys.stderr.write(format_report(report, provider=inputs.provider))
        return None
    return settings_from_report(report, account, inputs.provider)
