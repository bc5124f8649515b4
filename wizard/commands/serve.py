"""``mailcom-wizard serve FILE``: offer a profile once on the local network, with a QR code."""

from __future__ import annotations

import argparse

from wizard.console.offer import serve_file


def run(args: argparse.Namespace) -> int:
    """Serve args.file until one download completes or args.minutes pass."""
    return serve_file(
        args.file,
        host=args.host,
        port=args.port,
        minutes=args.minutes,
        yes_serve_password=args.yes_serve_password,
    )
