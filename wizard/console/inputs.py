"""What every headless command needs: the provider, the address, the password, the options."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from wizard.console.options import open_target
from wizard.core import secrets
from wizard.core.accounts import check_address, name_problem, password_problem
from wizard.core.errors import UsageError
from wizard.core.instructions import IOS_18_26_27, IosLayout, layout_for
from wizard.core.models import Account, CheckOptions, IncomingChoice
from wizard.core.provider import Provider
from wizard.core.target import Target
from wizard.core.text import clean_line


@dataclass(frozen=True)
class CommandInputs:
    """The resolved inputs of one command run (``options``: the target's, with any round trip)."""

    target: Target
    email: str
    incoming: IncomingChoice
    options: CheckOptions
    password: str | None = field(default=None, repr=False)

    @property
    def provider(self) -> Provider:
        return self.target.provider

    def account(self, name: str = "") -> Account:
        if self.password is None:  # pragma: no cover - guarded by callers
            raise UsageError("a password is needed")
        return Account(email=self.email, password=self.password, name=name, incoming=self.incoming)


def checked_name(name: str) -> str:
    """--name, refused when a profile or a terminal cannot take it (exit 2)."""
    if problem := name_problem(name):
        raise UsageError(f"--name: {problem}")
    return name.strip()


def checked_ios(version: int | None) -> int | IosLayout:
    """--ios, checked before the password is asked for; without it, iOS 18, 26 and 27."""
    if version is None:
        return IOS_18_26_27
    try:
        layout_for(version)
    except UsageError as exc:
        raise UsageError(f"--ios {version}: {exc}", field=exc.field) from None
    return version


def read_password_stdin() -> str:
    """One line from standard input; its trailing newline is not part of the password."""
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:
        raise UsageError(
            "--password-stdin: standard input is not UTF-8 text; pass the password as UTF-8."
        ) from None
    if line.endswith("\n"):
        line = line[:-1].removesuffix("\r")
    if not line:
        raise UsageError("--password-stdin was given but standard input had no password line.")
    if problem := password_problem(line):
        raise UsageError(f"--password-stdin: {problem}")
    return line


def resolve_password(email: str, use_stdin: bool, provider: Provider) -> str:
    """--password-stdin, else the keyring (only a password saved for ``provider``'s
    servers), else a hidden prompt on a terminal, else exit 2; a password with a line
    break or NUL is refused before anything is sent."""
    if use_stdin:
        return read_password_stdin()
    found = secrets.remembered(email)
    if found is not None and found.fits(provider):
        if problem := password_problem(found.password):
            raise UsageError(
                f"the password in the system keyring for {email} cannot be used. {problem} "
                "Store it again with the wizard."
            )
        return found.password
    elsewhere = ""
    if found is not None:
        # Remembered, but for other servers: it goes to these only if the user says so.
        here = ", ".join(sorted(secrets.servers_of(provider)))
        elsewhere = clean_line(
            f"the password remembered in the system keyring for {email} was saved for "
            f"{found.saved_for}, not for {provider.display_name} ({here})"
        )
    if sys.stdin.isatty():
        if elsewhere:
            print(f"Note: {elsewhere}: type it to send it there.", file=sys.stderr)
        try:
            password = getpass.getpass(f"Password for {email} (input is hidden): ")
        except EOFError:
            password = ""
        if not password:
            raise UsageError("no password was typed.")
        if problem := password_problem(password):
            raise UsageError(problem)
        return password
    if elsewhere:
        raise UsageError(
            f"{elsewhere}; to use it there, pass it on standard input with --password-stdin."
        )
    raise UsageError(
        "no password: pass it on standard input with --password-stdin "
        "(for example: printf '%s\\n' \"$PASSWORD\" | mailcom-wizard check --email ADDR "
        "--password-stdin), or store it in the system keyring with the wizard."
    )


@contextmanager
def resolve_inputs(args: argparse.Namespace, *, need_password: bool) -> Iterator[CommandInputs]:
    """The target, address and password, for the ``with`` block (which the target's servers
    last); warnings go to stderr, bad input raises UsageError."""
    incoming = IncomingChoice(args.protocol)
    round_trip = bool(getattr(args, "round_trip", False))
    with open_target(args) as target:
        if target.notice:
            print(target.notice, file=sys.stderr)
        provider = target.provider
        email = args.email or target.email
        if not email:
            raise UsageError("--email is required (your mail.com address).")
        verdict = check_address(email, provider)
        if verdict.error:
            raise UsageError(f"--email {email!r}: {verdict.error}")
        if verdict.warning:
            print(f"Warning: {verdict.warning}", file=sys.stderr)
        if not provider.supports(incoming):
            other = "pop" if incoming is IncomingChoice.IMAP else "imap"
            raise UsageError(
                f"{provider.display_name} has no {incoming.value.upper()} server in "
                f"{provider.source}; use --protocol {other}."
            )
        password: str | None = None
        if need_password and target.password is not None and not args.password_stdin:
            password = target.password  # a password the run was given, not a secret
        elif need_password:
            password = resolve_password(verdict.address, args.password_stdin, provider)
        yield CommandInputs(
            target=target,
            email=verdict.address,
            incoming=incoming,
            options=replace(target.options, round_trip=round_trip),
            password=password,
        )
