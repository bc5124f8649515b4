"""Exporting a profile: build it from the settings, sign it if asked, write it safely; the one
path both front ends take. ``load_signer`` finds what is wrong with the signing files first."""

from __future__ import annotations

import dataclasses
import plistlib
from dataclasses import dataclass, field
from pathlib import Path

from wizard.core.errors import ProfileWriteError, UsageError, WizardError, WriteProblem
from wizard.core.files import read_limited, write_file
from wizard.core.models import MailSettings
from wizard.core.profile import build_profile, profile_identifier_for
from wizard.core.signing import (
    check_signer,
    load_certificate,
    load_private_key,
    read_pem_file,
    sign_profile,
)
from wizard.core.text import clean_line, xml_text

#: Larger than any profile the wizard writes (a few KiB); anything bigger is not one.
_OUR_PROFILE_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class Signer:
    """A certificate and key that were read and checked, ready to sign (optional chain)."""

    cert_pem: bytes
    key_pem: bytes = field(repr=False)
    chain_pem: bytes | None
    subject: str  # who signs, as the certificate names it (shown to the user)


@dataclass(frozen=True)
class ExportedProfile:
    """A profile for the phone: its bytes, its file, and what it holds (known when made)."""

    path: Path
    data: bytes = field(repr=False)
    contains_password: bool
    signed: bool
    #: Has a mail payload (iOS then asks for the password when none is inside).
    has_mail_payload: bool = True
    #: Made with a caveat (a practice run's): never offered to a phone.
    practice: bool = False
    #: Checked against the servers (False after "Continue unverified" or ``--no-verify``).
    verified: bool = True
    signed_by: str | None = None
    #: Readable by the user only; False for a profile with a password only on Windows
    #: without a working icacls: the front ends say so.
    owner_only: bool = False


def load_signer(
    cert: str | Path | None, key: str | Path | None, chain: str | Path | None = None
) -> Signer | None:
    """Read and check the signing files; None when none was given. Raises SigningError (an
    unusable file) or UsageError (only one of the two given)."""
    if not (cert or key or chain):
        return None
    if not (cert and key):
        raise UsageError(
            "signing needs both the certificate and its private key.", field="sign-key"
        )
    cert_pem = read_pem_file(Path(cert).expanduser(), "certificate")
    key_pem = read_pem_file(Path(key).expanduser(), "private key")
    chain_pem = read_pem_file(Path(chain).expanduser(), "chain") if chain else None
    certificate = load_certificate(cert_pem)
    check_signer(certificate, load_private_key(key_pem))
    subject = clean_line(certificate.subject.rfc4514_string())
    return Signer(cert_pem, key_pem, chain_pem, subject)


def export_profile(
    settings: MailSettings,
    target: str | Path,
    *,
    password: str | None = None,
    signer: Signer | None = None,
    force: bool = False,
    private: bool = False,
) -> ExportedProfile:
    """Build, sign (if ``signer``) and write the profile to ``target``; private (owner only)
    if asked or when it holds ``password``. Nothing is left on failure."""
    made = make_profile(settings, target, password=password, signer=signer)
    private = private or password is not None
    owner_only = write_file(made.path, made.data, force=force, private=private)
    return dataclasses.replace(made, owner_only=owner_only)


def make_profile(
    settings: MailSettings,
    target: str | Path,
    *,
    password: str | None = None,
    signer: Signer | None = None,
) -> ExportedProfile:
    """The profile for ``settings`` in memory (signed if ``signer``), to go to ``target``."""
    if password is not None and xml_text(password) != password:
        raise UsageError(
            "The password contains a control character, which a profile cannot hold; leave "
            "it out of the profile (iOS then asks for it once while installing).",
            field="password",
        )
    data = build_profile(settings, password=password)
    if signer is not None:
        data = sign_profile(data, signer.cert_pem, signer.key_pem, signer.chain_pem)
    return ExportedProfile(
        path=Path(target),
        data=data,
        contains_password=password is not None,
        signed=signer is not None,
        practice=settings.caveat is not None,
        verified=settings.verified,
        signed_by=signer.subject if signer is not None else None,
    )


def default_profile_path(folder: Path, settings: MailSettings) -> Path:
    """Where a profile for ``settings`` goes by default: ``mailcom-<address>.mobileconfig``."""
    return folder / f"mailcom-{settings.email}.mobileconfig"


def quick_export(settings: MailSettings, folder: Path) -> ExportedProfile:
    """The profile for "Send to iPhone" (no password, unsigned, owner only) at the default
    path, replacing only an earlier one of the wizard's for the same identifier (as the
    phone does); any other file is left alone and the profile gets a numbered name."""
    first = default_profile_path(folder, settings)
    identifier = profile_identifier_for(settings)
    for number in range(1, 100):
        path = first.with_name(f"{first.stem}-{number}{first.suffix}") if number > 1 else first
        if not path.exists():
            return export_profile(settings, path, private=True)
        if _holds_profile(path, identifier):
            return export_profile(settings, path, private=True, force=True)
    raise ProfileWriteError(
        f"Too many profiles named {first.name} in {folder}; remove some, or save the profile "
        "under another name.",
        WriteProblem.EXISTS,
    )


def _holds_profile(path: Path, identifier: str) -> bool:
    """True when ``path`` is an unsigned profile the wizard wrote with ``identifier``."""
    try:
        top = plistlib.loads(read_limited(path, _OUR_PROFILE_LIMIT, "Profile"))
    except (WizardError, plistlib.InvalidFileException, ValueError, OSError):
        return False
    return isinstance(top, dict) and top.get("PayloadIdentifier") == identifier
