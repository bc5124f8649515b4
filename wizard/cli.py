"""Command line: no subcommand opens the wizard; subcommands run the same engine headless.

Exit codes: 0 success (repair: a cause named), 1 failed (repair: could not tell), 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from wizard import __version__
from wizard.console.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from wizard.core.errors import WizardError
from wizard.core.repair.symptoms import Symptom
from wizard.core.text import WithheldLoopPolicy
from wizard.demo.faults import DEMO_FAULTS

__all__ = ["DEMO_FAULTS", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 and at most 600 seconds")
    return value


def _ios_version(text: str) -> int:
    try:
        return int(text.strip().split(".")[0])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an iOS version; give its major number, e.g. 26"
        ) from None


def _option(*flags: str, **keywords: Any) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(*flags, **keywords)
    return parent


def _connection_options() -> argparse.ArgumentParser:
    """Options shared by the wizard and the commands that talk to the servers.

    SUPPRESS: a subcommand's own default would overwrite the value given before it
    (``--demo check``); only the top-level parser sets defaults.
    """
    options = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    options.add_argument(
        "--provider",
        metavar="FILE",
        help="use this autoconfig (clientConfig) file instead of the built-in mail.com servers",
    )
    options.add_argument(
        "--cafile",
        metavar="FILE",
        help="also trust the CA certificates in FILE (PEM); SSL_CERT_FILE works too",
    )
    options.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        help="time limit per server (default: 10)",
    )
    options.add_argument(
        "--demo",
        action="store_true",
        help="use a practice mail server on this computer instead of mail.com",
    )
    options.add_argument(
        "--demo-fault",
        choices=DEMO_FAULTS,
        metavar="FAULT",
        help="with --demo, practise a failure: " + ", ".join(DEMO_FAULTS),
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailcom-wizard",
        description="Get a mail.com mailbox working on an iPhone: check the settings live, "
        "then follow iPhone steps or install a configuration profile.",
        parents=[_connection_options()],
    )
    parser.set_defaults(provider=None, cafile=None, timeout=10.0, demo=False, demo_fault=None)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    connection = _connection_options()
    email = _option("--email", metavar="ADDR", help="the mail.com address (not needed with --demo)")
    password_stdin = _option(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input "
        "(otherwise: the keyring, then a hidden prompt)",
    )
    account = [
        email,
        _option(
            "--protocol",
            choices=("imap", "pop"),
            default="imap",
            help="incoming mail: imap (mail stays on the server, default) or pop (downloads)",
        ),
        password_stdin,
        connection,
    ]
    ios = _option(
        "--ios",
        metavar="N",
        type=_ios_version,
        default=None,
        help="the iPhone's iOS version, 11 or later, e.g. 26 (Settings > General > About); "
        "default: the steps for iOS 18, 26 and 27",
    )
    name = _option(
        "--name", metavar="NAME", default="", help="your name, as shown to people you write to"
    )
    round_trip = _option(
        "--round-trip",
        action="store_true",
        help="also send a test message to yourself and wait until it arrives",
    )
    json_output = _option("--json", action="store_true", help="print one JSON object")
    no_verify = _option(
        "--no-verify",
        action="store_true",
        help="skip the live check (no password needed); the result then says it is unverified",
    )

    commands.add_parser(
        "check",
        parents=[*account, round_trip, json_output],
        help="log in to the incoming and outgoing servers and say what works",
        description="Log in to the incoming (IMAP or POP3) and outgoing (SMTP) servers, "
        "try the other secure port when one is blocked, and explain any failure.",
    )

    instructions = commands.add_parser(
        "instructions",
        parents=[*account, ios, name, no_verify],
        help="print step-by-step iPhone Settings instructions",
        description="Print iPhone Settings steps with the values that passed the check.",
    )
    instructions.add_argument(
        "--format", choices=("text", "markdown"), default="text", help="output format"
    )

    export = commands.add_parser(
        "export",
        parents=[*account, name, no_verify],
        help="write an Apple configuration profile (.mobileconfig)",
        description="Check the account, then write a configuration profile of the settings "
        "that worked. Nothing is written when the check fails.",
    )
    export.add_argument("--output", "-o", metavar="FILE", required=True, help="profile to write")
    export.add_argument(
        "--include-password",
        action="store_true",
        help="put the password in the profile (not recommended; the file is made private)",
    )
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    export.add_argument("--sign-cert", metavar="PEM", help="sign with this certificate")
    export.add_argument("--sign-key", metavar="PEM", help="the certificate's private key")
    export.add_argument("--sign-chain", metavar="PEM", help="intermediate certificates")
    export.add_argument(
        "--serve", action="store_true", help="then offer the profile to the phone (QR code)"
    )

    # The raw formatter keeps the layout, so the descriptions are wrapped here.
    symptoms = "\n".join(
        f"  {symptom.value}\n"
        + textwrap.fill(symptom.description, 78, initial_indent=" " * 6, subsequent_indent=" " * 6)
        for symptom in Symptom
    )
    repair = commands.add_parser(
        "repair",
        parents=[
            _option("--symptom", metavar="CODE", help="what the iPhone shows (codes below)"),
            email,
            password_stdin,
            ios,
            round_trip,
            json_output,
            connection,
        ],
        help="the iPhone stopped getting or sending mail: name the most likely cause and its fix",
        description=textwrap.fill(
            "Say what the iPhone shows. The live check runs with the current password, as in "
            "setup; the answer puts both together and names the most likely cause and its fix "
            "on the iPhone's own menus. Exit 0: a cause was named; 1: the check could not "
            "tell; 2: bad input.",
            78,
        ),
        epilog=f"symptoms (--symptom CODE):\n{symptoms}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    repair.add_argument(
        "--incoming",
        metavar="imap|pop|unknown",
        default="unknown",
        help="what the iPhone uses for incoming mail, if you know; the check uses the same "
        "(default: unknown, checked as IMAP)",
    )
    repair.add_argument(
        "--outgoing-port",
        metavar="465|587|N|unknown",
        default="unknown",
        help="the Server Port of the iPhone's outgoing (SMTP) server, if you know "
        "(default: unknown)",
    )

    serve = commands.add_parser(
        "serve",
        help="offer a profile to the iPhone over the local network, with a QR code",
        description="Serve one profile once at a secret link on this network and show the "
        "link as a QR code for the iPhone's camera.",
    )
    serve.add_argument("file", metavar="FILE", help="the .mobileconfig file")
    serve.add_argument("--host", metavar="ADDR", help="local address to serve on")
    serve.add_argument("--port", metavar="N", type=int, default=0, help="port (default: any free)")
    serve.add_argument(
        "--minutes", metavar="M", type=float, default=10.0, help="stop after M minutes (10)"
    )
    serve.add_argument(
        "--yes-serve-password",
        action="store_true",
        help="serve a profile that contains a password over plain HTTP without asking",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``mailcom-wizard`` and ``python -m wizard``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo_fault and not args.demo:
        parser.error("--demo-fault needs --demo")
    # A library's unexpected exception text may quote a password: tell its kind only.
    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(WithheldLoopPolicy())
    try:
        # Imported when chosen: ``--help`` and the wizard start without the others' libraries.
        if args.command == "check":
            from wizard.commands.check import run
        elif args.command == "instructions":
            from wizard.commands.instructions import run
        elif args.command == "export":
            from wizard.commands.export import run
        elif args.command == "serve":
            from wizard.commands.serve import run
        elif args.command == "repair":
            from wizard.commands.repair import run
        else:
            from wizard.commands.tui import run
        return run(args)
    except WizardError as exc:
        print(f"mailcom-wizard: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.bad_input else EXIT_FAILED
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``serve | head``); devnull so Python's exit flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    finally:
        asyncio.set_event_loop_policy(previous)
