"""``mailcom-wizard check``: the live check, printed for people or as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.inputs import resolve_inputs
from wizard.console.report import format_report, perform_check
from wizard.core.secrets import scrub


def run(args: argparse.Namespace) -> int:
    """``mailcom-wizard check``."""
    with resolve_inputs(args, need_password=True) as inputs:
        account = inputs.account()
        report = perform_check(account, inputs.provider, inputs.options)
        if args.json:
            text = json.dumps(report.to_json(), ensure_ascii=False)
            print(scrub(text, account.password))
        else:
            sys.stdout.write(scrub(format_report(report), account.password))
    return EXIT_OK if report.verified else EXIT_FAILED
