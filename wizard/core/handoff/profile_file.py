"""A profile file the phone can be given: read it, check that it is one, say what it holds.

Signed profiles (DER CMS) are recognised by their first bytes and served as they are;
unsigned ones are parsed as property lists. Either way the result says whether a password
is inside, which decides whether serving it over plain HTTP needs the user's consent.
"""

from __future__ import annotations

import os
import plistlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.core.errors import ProfileFileError

MAX_PROFILE_BYTES = 1024 * 1024
# DER of the object identifier 1.2.840.113549.1.7.2 (PKCS #7 / CMS signedData).
_CMS_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")


@dataclass(frozen=True)
class ProfileFile:
    """A profile ready to serve: its bytes, the name the phone sees, and what it contains."""

    path: Path
    filename: str
    data: bytes = field(repr=False)
    signed: bool
    contains_password: bool
    # True when the profile has a mail payload (so iOS asks for the password if none is in it).
    has_mail_payload: bool

    @property
    def size(self) -> int:
        """Number of bytes served."""
        return len(self.data)


def load_profile_file(path: str | os.PathLike[str]) -> ProfileFile:
    """Read and inspect a .mobileconfig file; raise ProfileFileError when it cannot be served."""
    file_path = Path(path)
    shown = str(path)
    try:
        info = file_path.stat()
    except FileNotFoundError:
        raise ProfileFileError(f"{shown}: no such file.") from None
    except OSError as exc:
        raise ProfileFileError(f"{shown}: cannot be read ({_reason(exc)}).") from None
    if file_path.is_dir():
        raise ProfileFileError(f"{shown} is a folder, not a profile file.")
    if info.st_size > MAX_PROFILE_BYTES:
        raise ProfileFileError(
            f"{shown} is too big for a configuration profile "
            f"({info.st_size} bytes; the limit is 1 MiB)."
        )
    try:
        with file_path.open("rb") as stream:
            # Read at most one byte past the limit: the file may have grown since stat().
            data = stream.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise ProfileFileError(f"{shown}: cannot be read ({_reason(exc)}).") from None
    if len(data) > MAX_PROFILE_BYTES:
        raise ProfileFileError(f"{shown} is too big for a configuration profile (over 1 MiB).")
    return inspect_profile(data, file_path)


def inspect_profile(data: bytes, path: Path) -> ProfileFile:
    """Classify profile bytes (signed CMS or plist) or raise ProfileFileError."""
    shown = str(path)
    not_a_profile = ProfileFileError(
        f"{shown} is not a configuration profile (expected a .mobileconfig file: a property "
        "list with PayloadType Configuration, or a signed profile)."
    )
    if not data:
        raise ProfileFileError(f"{shown} is empty, not a configuration profile.")
    if data[0] == 0x30:
        # A signed profile is DER-encoded CMS SignedData: SEQUENCE { OID signedData, ... }.
        if not _looks_like_cms_signed_data(data):
            raise not_a_profile
        # Signing does not encrypt: the plist inside is readable by anyone who gets the
        # file. Its bytes are embedded as they are, so a key name search finds a password.
        contains_password = bool(re.search(rb"<key>\w*Password</key>\s*<string>[^<]", data))
        has_mail = b"com.apple.mail.managed" in data
        return ProfileFile(
            path=path,
            filename=_download_name(path),
            data=data,
            signed=True,
            contains_password=contains_password,
            has_mail_payload=has_mail,
        )
    # Refuse entity declarations before parsing: they serve no purpose in a profile and
    # are how XML parsers are made to expand a small file into gigabytes.
    if b"<!ENTITY" in data:
        raise not_a_profile
    try:
        top = plistlib.loads(data)
    except Exception:  # plistlib raises several unrelated types on malformed input
        raise not_a_profile from None
    if not isinstance(top, dict) or top.get("PayloadType") != "Configuration":
        raise not_a_profile
    return ProfileFile(
        path=path,
        filename=_download_name(path),
        data=data,
        signed=False,
        contains_password=any(_password_values(top)),
        has_mail_payload=any(
            isinstance(item, dict) and item.get("PayloadType") == "com.apple.mail.managed"
            for item in _walk(top)
        ),
    )


def _looks_like_cms_signed_data(data: bytes) -> bool:
    """True when the bytes start like DER/BER SEQUENCE { OID 1.2.840.113549.1.7.2, ... }."""
    if len(data) < 2 + len(_CMS_SIGNED_DATA_OID):
        return False
    length_byte = data[1]
    # Short form (< 0x80) and BER indefinite length (0x80, some signers write it) take one
    # byte; the long form 0x8N is followed by N length bytes.
    header = 2 if length_byte <= 0x80 else 2 + (length_byte & 0x7F)
    return data[header : header + len(_CMS_SIGNED_DATA_OID)] == _CMS_SIGNED_DATA_OID


def _walk(value: Any) -> Iterator[Any]:
    """Every value in a plist tree, depth first."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _password_values(top: Any) -> Iterator[bool]:
    """One True per non-empty password-like value (IncomingPassword, OutgoingPassword, ...)."""
    for item in _walk(top):
        if isinstance(item, dict):
            for key, value in item.items():
                # Apple's password keys all end in "Password"; boolean keys such as
                # OutgoingPasswordSameAsIncomingPassword are not secrets.
                if (
                    isinstance(key, str)
                    and key.endswith("Password")
                    and isinstance(value, str | bytes)
                    and value
                ):
                    yield True


def _download_name(path: Path) -> str:
    """The file name offered to the phone: ASCII-safe, ending in .mobileconfig."""
    stem = path.name
    if stem.lower().endswith(".mobileconfig"):
        stem = stem[: -len(".mobileconfig")]
    # Only characters that need no quoting in a Content-Disposition header.
    stem = re.sub(r"[^A-Za-z0-9._@+-]", "_", stem).strip("._") or "profile"
    return f"{stem}.mobileconfig"


def _reason(exc: OSError) -> str:
    """An OSError as a few words, without the file name Python repeats."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or exc.__class__.__name__
