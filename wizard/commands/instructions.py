"""``mailcom-wizard instructions``: check the account, then print iPhone Settings steps."""

from __future__ import annotations

import argparse
import sys

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.inputs import checked_ios, checked_name, resolve_inputs
from wizard.console.report import checked_settings
from wizard.core.instructions import build_instructions, render_markdown, render_text


def run(args: argparse.Namespace) -> int:
    verify = not args.no_verify
    name = checked_name(args.name)
    ios = checked_ios(args.ios)
    with resolve_inputs(args, need_password=verify) as inputs:
        settings = checked_settings(inputs, name=name, verify=verify)
    if settings is None:
        print("No instructions were printed, because the check failed.", file=sys.stderr)
        return EXIT_FAILED
    render = render_markdown if args.format == "markdown" else render_text
    sys.stdout.write(render(build_instructions(settings, ios)))
    return EXIT_OK
