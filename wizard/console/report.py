"""Running the check from a command, and its report as text for a terminal (80 columns)."""

from __future__ import annotations

import asyncio
import re
import sys
import textwrap

from wizard.console.inputs import CommandInputs
from wizard.core.check import Decided, Progress, run_check
from wizard.core.diagnosis import certificate_lines
from wizard.core.models import Account, Attempt, CheckOptions, CheckReport, MailSettings
from wizard.core.provider import Provider
from wizard.core.verdict import preferred_settings, settings_from_report, verdict_of

#: Every line of text output fits a terminal this wide.
WIDTH = 80


def perform_check(
    account: Account,
    provider: Provider,
    options: CheckOptions,
    *,
    intro: str | None = None,
    stream: bool = False,
) -> CheckReport:
    """Run the check, saying on stderr that it started (``intro``); with ``stream`` the header
    and each attempt's line go to stdout as known (``format_report(rows=False)`` adds the rest)."""
    protocols = f"{account.incoming.value.upper()} and SMTP"
    intro = intro or (
        f"Checking {account.email}: logging in to the {protocols} servers "
        f"(up to {options.timeout:g} s each)…"
    )
    print(_fit(intro), file=sys.stderr, flush=True)
    printed: set[int] = set()
    width = max((len(e.label) for e in provider.endpoints(account.incoming)), default=0)

    def print_line(event: Progress | Decided) -> None:
        if isinstance(event, Progress) and event.attempt and event.position not in printed:
            printed.add(event.position)
            print(_fit(attempt_line(event.attempt, width)), flush=True)

    if stream:
        print(f"Checked {account.email} ({protocols}):", flush=True)
    # An unusable CA file raises TLSConfigError, a UsageError (exit 2).
    return asyncio.run(run_check(account, provider, options, print_line if stream else None))


def attempt_line(attempt: Attempt, width: int) -> str:
    """The result, the endpoint, its own time, the host (and code)."""
    result = "OK" if attempt.verified else "reachable" if attempt.ok else "FAILED"
    ms = attempt.elapsed_ms
    seconds = f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
    host = attempt.endpoint.host
    where = host if attempt.ok else f"{host}: {attempt.status.value}"
    return f"  {result:<9} {attempt.endpoint.label:<{width}} {seconds:>7}  {where}"


def _fit(line: str) -> str:
    """``line`` within WIDTH columns, continued under its own indentation."""
    if len(line) <= WIDTH:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.fill(
        line.strip(),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "   ",
        break_on_hyphens=False,
    )


def _wrap(text: str, indent: str = "  ") -> str:
    """Each line of ``text`` a paragraph within WIDTH, numbered ones indented under their text."""
    return "\n".join(
        textwrap.fill(
            paragraph,
            width=WIDTH,
            break_on_hyphens=False,
            initial_indent=indent,
            subsequent_indent=indent + "   " if re.match(r"\d+\. ", paragraph) else indent,
        )
        for paragraph in text.splitlines()
    )


def format_report(
    report: CheckReport, *, provider: Provider | None = None, flags: str = "", rows: bool = True
) -> str:
    """The human output: a line per attempt (without ``rows``: already streamed), the settings
    that work, the diagnosis; ``flags`` (those that chose the run) recur in the next commands."""
    out = []
    if rows:
        out.append(f"Checked {report.email} ({report.incoming_choice.value.upper()} and SMTP):")
        width = max(len(a.endpoint.label) for a in report.attempts)
        out.extend(attempt_line(attempt, width) for attempt in report.attempts)
    verdict = verdict_of(report, provider)
    out.append("")
    # mail.com's plan rule first, when a refused password may come from the plan.
    if verdict.plan_note:
        out += [_wrap(verdict.plan_note, indent=""), ""]
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
    out.extend(_wrap(note) for note in verdict.notes)
    for attempt in verdict.problems:
        out += ["", f"{attempt.endpoint.label}: {attempt.title}", _wrap(attempt.advice)]
        if attempt.certificate is not None:
            out.append(_wrap(certificate_lines(attempt.certificate)))
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
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out))
    return "\n".join(_fit(line) for line in text.split("\n")) + "\n"


def checked_settings(inputs: CommandInputs, *, name: str, verify: bool) -> MailSettings | None:
    """Verified settings from a live check (None, after printing the diagnosis to stderr,
    when it fails), or the provider's preferred ones without one; marked by the target."""
    if not verify:  # no check, so no password
        account = Account(email=inputs.email, password="", name=name, incoming=inputs.incoming)
        return inputs.target.mark(preferred_settings(account, inputs.provider))
    account = inputs.account(name)
    report = perform_check(account, inputs.provider, inputs.options)
    if not report.verified:
        sys.stderr.write(format_report(report, provider=inputs.provider))
        return None
    return inputs.target.mark(settings_from_report(report, account, inputs.provider))
