"""``mailcom-wizard export``: check the account, then write a configuration profile."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

from wizard.console.exits import EXIT_FAILED, EXIT_OK
from wizard.console.inputs import checked_name, resolve_inputs
from wizard.console.offer import serve_exported
from wizard.console.report import checked_settings
from wizard.core.errors import ProfileWriteError, SigningError, UsageError, WriteProblem
from wizard.core.export import ExportedProfile, export_profile, load_signer
from wizard.core.facts import profiles
from wizard.core.files import check_output_path
from wizard.core.instructions import install_password_hint
from wizard.core.instructions.ios import profile_place
from wizard.core.models import MailSettings

INCLUDE_WARNING = (
    "Warning: --include-password stores your password in the profile as plain text. "
    f"{profiles.PASSWORDS_ENCRYPTED_ONLY.text}: anyone who gets a copy of this "
    "file (a Downloads folder, a mail attachment, a backup) can read your password. The "
    "file is made readable by you only; delete it once the iPhone has it. "
    "Without this option iOS asks for the password while installing."
)

#: When the system would not restrict the file to its owner (Windows without icacls).
NOT_RESTRICTED = (
    "Contains your password, and this computer could not make the file readable by you "
    "only: anyone who can open this folder can read it. Delete it as soon as the iPhone "
    "has it."
)


def run(args: argparse.Namespace) -> int:
    verify = not args.no_verify
    name = checked_name(args.name)
    with _worded_for_the_command_line():
        if (args.sign_cert or args.sign_key or args.sign_chain) and not (
            args.sign_cert and args.sign_key
        ):
            raise UsageError("signing needs both --sign-cert PEM and --sign-key PEM.")
        signer = load_signer(args.sign_cert, args.sign_key, args.sign_chain)
        target = check_output_path(args.output, force=args.force)

    if args.include_password:
        print(textwrap.fill(INCLUDE_WARNING, 78), file=sys.stderr)

    with resolve_inputs(args, need_password=verify or args.include_password) as inputs:
        settings = checked_settings(inputs, name=name, verify=verify)
        password = inputs.password if args.include_password else None
    if settings is None:
        print("No profile was written, because the check failed.", file=sys.stderr)
        return EXIT_FAILED

    with _worded_for_the_command_line():
        exported = export_profile(
            settings, target, password=password, signer=signer, force=args.force
        )
    _print_done(exported, settings, serve=args.serve)
    return serve_exported(exported) if args.serve else EXIT_OK


@contextmanager
def _worded_for_the_command_line() -> Iterator[None]:
    """Signing and writing failures with the options that change them."""
    try:
        yield
    except SigningError as exc:
        raise UsageError(f"cannot sign: {exc}") from None
    except ProfileWriteError as exc:
        if exc.problem is not WriteProblem.EXISTS:
            raise
        hint = "Add --force to replace it, or choose another --output."
        raise ProfileWriteError(f"{exc} {hint}", exc.problem, field=exc.field) from None


def _print_done(exported: ExportedProfile, settings: MailSettings, *, serve: bool) -> None:
    target = exported.path
    with_password = exported.contains_password
    incoming, outgoing = settings.incoming, settings.outgoing
    state = "verified" if settings.verified else "NOT verified (--no-verify)"
    servers = (
        f"{incoming.protocol.label} {incoming.host} port {incoming.port} "
        f"({incoming.security.label}), SMTP {outgoing.host} port {outgoing.port} "
        f"({outgoing.security.label}); {state}."
    )
    lines = [f"Profile written: {target}"]
    lines += textwrap.wrap(servers, 78, initial_indent="  ", subsequent_indent="  ")
    if exported.signed_by is not None:
        lines.append(f"  Signed by {exported.signed_by}.")
    else:
        lines.append(
            f"  Not signed: iOS shows {profiles.NOT_SIGNED.text} while installing; that is fine."
        )
    if with_password and exported.owner_only:
        lines.append("  Contains your password: readable by you only. Delete it when done.")
    elif with_password:
        lines += textwrap.wrap(NOT_RESTRICTED, 78, initial_indent="  ", subsequent_indent="  ")
    lines.append("")
    if settings.caveat:
        note = settings.caveat.export.format(provider=settings.provider_name, email=settings.email)
        lines += [*textwrap.wrap(note, 78), ""]
    elif not serve:
        lines += [
            "Next, get it onto the iPhone, either way:",
            f"  - mailcom-wizard serve {target}",
            "    shows a QR code; scan it with the iPhone camera and open the link in Safari;",
            "  - or AirDrop the file to the iPhone, or mail it to yourself and",
            f"    {profiles.MAIL_NOT_MESSAGES.text}.",
        ]
    # A profile with a caveat is never installed: its steps are what would come next.
    first = settings.caveat.then if settings.caveat else "Then"
    then = (
        f"{first} on the iPhone, within {profiles.INSTALL_WINDOW.text}: open Settings and "
        f"{profile_place()[0]}, then tap {profiles.INSTALL.text}."
    )
    if not with_password:
        then += f" {profiles.PASSWORD_PROMPT.capitalized}: type {install_password_hint(settings)}."
    lines += textwrap.wrap(then, 78)
    print("\n".join(lines))
