"""``mailcom-wizard`` with no subcommand: the Textual wizard."""

from __future__ import annotations

import argparse

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.options import open_target


def run(args: argparse.Namespace) -> int:
    """Run the wizard (with any servers started for the run, as long as it runs)."""
    from wizard.app import WizardApp

    with open_target(args) as target:
        app = WizardApp(target)
        app.run()
    return EXIT_OK if app.return_code in (None, 0) else EXIT_FAILED
