"""``mailcom-wizard check``: the live check, printed for people or as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.inputs import resolve_inputs
from wizard.console.report import format_report, perform_check


def run(args: argparse.Namespace) -> int:
    with resolve_inputs(args, need_password=True) as inputs:
        account = inputs.account()
        report = perform_check(account, inputs.provider, inputs.options, stream=not args.json)
        # Printed as it is: server replies were cleaned (any password echo withheld) when captured.
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False))
        else:
            flags = inputs.target.flags
            sys.stdout.write(
                format_report(report, flags=flags, rows=False, provider=inputs.provider)
            )
    return EXIT_OK if report.verified else EXIT_FAILED
