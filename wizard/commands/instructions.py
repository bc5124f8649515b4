"""``mailcom-wizard instructions``: check the account, then print iPhone Settings steps."""

from __future__ import annotations

import argparse
import sys

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.inputs import checked_name, resolve_inputs
from wizard.console.report import checked_settings
from wizard.core.errors import UsageError
from wizard.core.instructions import (
    IOS_18,
    IosLayout,
    build_instructions,
    layout_for,
    render_markdown,
    render_text,
)


def run(args: argparse.Namespace) -> int:
    """Print the steps; exit 1 (printing the diagnosis) when the check fails, 2 on bad input."""
    verify = not args.no_verify
    name = checked_name(args.name)
    ios: int | IosLayout = IOS_18
    if args.ios is not None:
        # Checked before the account is: a version the steps do not cover needs no password.
        try:
            layout_for(args.ios)
        except UsageError as exc:
            raise UsageError(f"--ios {args.ios}: {exc}", field=exc.field) from None
        ios = args.ios
    with resolve_inputs(args, need_password=verify) as inputs:
        settings = checked_settings(inputs, name=name, verify=verify)
    if settings is None:
        print("No instructions were printed, because the check failed.", file=sys.stderr)
        return EXIT_FAILED
    instructions = build_instructions(settings, ios)
    if args.format == "markdown":
        sys.stdout.write(render_markdown(instructions))
    else:
        sys.stdout.write(render_text(instructions))
    return EXIT_OK
