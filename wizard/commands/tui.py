"""``mailcom-wizard`` with no subcommand: the Textual wizard."""

from __future__ import annotations

import argparse

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.options import check_cafile, load_selected_provider
from wizard.core.models import CheckOptions


def run(args: argparse.Namespace) -> int:
    """Build the wizard from the arguments and run it (inside the demo when asked)."""
    from wizard.app import WizardApp
    from wizard.screens.welcome import DemoInfo

    if args.demo:
        from wizard.demo.practice import demo_banner, start_demo

        banner = demo_banner(args.demo_fault)
        with start_demo(args.demo_fault) as demo:
            app = WizardApp(
                demo.provider,
                CheckOptions(timeout=args.timeout, cafile=demo.cafile),
                demo=DemoInfo(email=demo.email, password=demo.password, banner=banner),
            )
            app.run()
            return EXIT_OK if app.return_code in (None, 0) else EXIT_FAILED
    provider = load_selected_provider(args.provider)
    cafile = check_cafile(args.cafile)
    app = WizardApp(provider, CheckOptions(timeout=args.timeout, cafile=cafile))
    app.run()
    return EXIT_OK if app.return_code in (None, 0) else EXIT_FAILED
