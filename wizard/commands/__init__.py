"""Headless commands: each module's ``run(args) -> int`` is one subcommand of the CLI."""
