"""``mailcom-wizard repair``: what the iPhone shows, a live check, the likely cause and its fix
(exit 1 when the check could not tell)."""

from __future__ import annotations

import argparse
import json
import sys

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.inputs import checked_ios, resolve_inputs
from wizard.console.report import perform_check
from wizard.core.errors import UsageError
from wizard.core.repair.answer import RepairAnswer, diagnose_repair
from wizard.core.repair.render import render_text
from wizard.core.repair.symptoms import (
    SYMPTOM_CODES,
    PhoneIncoming,
    PhoneSettings,
    Symptom,
    symptom_from_code,
)


def run(args: argparse.Namespace) -> int:
    # Everything typed is checked before the password is asked for or a server contacted.
    symptom = _symptom(args.symptom)
    phone = PhoneSettings(
        incoming=_incoming(args.incoming), outgoing_port=_outgoing_port(args.outgoing_port)
    )
    ios = checked_ios(args.ios)
    # The check looks at what the phone uses: POP when it uses POP, otherwise IMAP.
    protocol = "pop" if phone.incoming is PhoneIncoming.POP else "imap"
    checked = argparse.Namespace(**{**vars(args), "protocol": protocol})
    with resolve_inputs(checked, need_password=True) as inputs:
        account = inputs.account()
        intro = (
            f"Checking {inputs.email} with the current password: logging in to the "
            f"{protocol.upper()} and SMTP servers (up to {inputs.options.timeout:g} s each)…"
        )
        report = perform_check(account, inputs.provider, inputs.options, intro=intro)
        answer = diagnose_repair(
            symptom, phone, report, ios, provider=inputs.provider, mark=inputs.target.mark
        )
        if args.json:
            text = json.dumps(answer.to_json(), ensure_ascii=False) + "\n"
        else:
            text = render_text(answer) + _next_step(answer, flags=inputs.target.flags)
        sys.stdout.write(text)
    return EXIT_OK if answer.conclusive else EXIT_FAILED


def _symptom(code: str | None) -> Symptom:
    if not code:
        raise UsageError(f"--symptom is required: one of {', '.join(SYMPTOM_CODES)}.")
    try:
        return symptom_from_code(code)
    except UsageError as exc:
        raise UsageError(f"--symptom: {exc}", field=exc.field) from None


def _incoming(text: str) -> PhoneIncoming:
    try:
        return PhoneIncoming(text.strip().lower())
    except ValueError:
        raise UsageError(
            f"--incoming {text!r}: choose one of {', '.join(PhoneIncoming)}.", field="incoming"
        ) from None


def _outgoing_port(text: str) -> int | None:
    value = text.strip().lower()
    if value in ("", "unknown"):
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise UsageError(
            f"--outgoing-port {text!r}: give the port the iPhone shows (465, 587 or another "
            "number), or unknown.",
            field="outgoing_port",
        )
    return int(value)


def _next_step(answer: RepairAnswer, *, flags: str) -> str:
    """The command that makes the fresh profile a "nothing found" answer offers."""
    if not answer.fresh_profile:
        return ""
    return (
        "\nTo make the fresh profile and offer it to the iPhone:\n"
        f"  mailcom-wizard export{flags} --email {answer.report.email} "
        "-o mail.mobileconfig --serve\n"
    )
