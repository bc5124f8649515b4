"""``mailcom-wizard instructions``: check the account, then print iPhone Settings steps."""

from __future__ import annotations

import argparse
import sys

from wizard.cli import EXIT_FAILED, EXIT_OK
from wizard.commands.check import format_report, perform_check
from wizard.commands.common import Session, open_session
from wizard.core.check import preferred_settings, settings_from_report
from wizard.core.instructions import build_instructions, render_markdown, render_text
from wizard.core.models import Account, MailSettings
from wizard.core.secrets import scrub


def run(args: argparse.Namespace) -> int:
    """Print the steps; exit 1 (printing the diagnosis) when the check fails."""
    verify = not args.no_verify
    with open_session(args, need_password=verify) as session:
        settings = settings_for(session, name=args.name, verify=verify)
    if settings is None:
        print("No instructions were printed, because the check failed.", file=sys.stderr)
        return EXIT_FAILED
    instructions = build_instructions(settings, int(args.ios))
    if args.format == "markdown":
        sys.stdout.write(render_markdown(instructions))
    else:
        sys.stdout.write(render_text(instructions))
    return EXIT_OK


def settings_for(session: Session, *, name: str, verify: bool) -> MailSettings | None:
    """Verified settings from a live check, or the provider's preferred ones without one.

    Returns None after printing the diagnosis to stderr when the check fails: the caller
    then writes nothing and exits 1.
    """
    if not verify:
        # No check, so no password is needed: the account is only a carrier for the
        # address, the name and the protocol choice.
        account = Account(email=session.email, password="", name=name, incoming=session.incoming)
        return preferred_settings(account, session.provider)
    account = session.account(name)
    print(
        f"Checking {session.email}: logging in to the {session.incoming.value.upper()} and "
        "SMTP servers…",
        file=sys.stderr,
    )
    report = perform_check(account, session.provider, session.options)
    if not report.verified:
        # The same diagnosis `mailcom-wizard check` prints; a server may echo what it was
        # sent, so the password is scrubbed as there.
        sys.stderr.write(scrub(format_report(report), account.password))
        return None
    return settings_from_report(report, account, session.provider)
