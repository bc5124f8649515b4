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

from wizard.core.errors import FileReadError, ProfileFileError, ReadProblem
from wizard.core.files import read_limited

MAX_PROFILE_BYTES = 1024 * 1024
#: Far deeper than any real profile (a payload list inside the profile, a dict inside that).
MAX_PROFILE_DEPTH = 64
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
        data = read_limited(file_path, MAX_PROFILE_BYTES, "Profile file")
    except FileReadError as exc:
        raise ProfileFileError(_read_problem(shown, exc)) from None
    return inspect_profile(data, file_path)


def _read_problem(shown: str, exc: FileReadError) -> str:
    """The reason a profile could not be read, in this module's words."""
    if exc.problem is ReadProblem.MISSING:
        return f"{shown}: no such file."
    if exc.problem is ReadProblem.IS_FOLDER:
        return f"{shown} is a folder, not a profile file."
    if exc.problem is ReadProblem.TOO_LARGE:
        return f"{shown} is too big for a configuration profile (the limit is 1 MiB)."
    if exc.problem is ReadProblem.DENIED:
        return f"{shown}: cannot be read (permission denied)."
    return str(exc)


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
    containers = _containers(top, shown)
    return ProfileFile(
        path=path,
        filename=_download_name(path),
        data=data,
        signed=False,
        contains_password=any(_password_values(containers)),
        has_mail_payload=any(
            isinstance(item, dict) and item.get("PayloadType") == "com.apple.mail.managed"
            for item in containers
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


def _containers(top: Any, shown: str) -> list[dict[Any, Any] | list[Any]]:
    """Every dict and list in a plist tree, each once; ProfileFileError if it is too deep or
    refers to itself.

    Walked with a stack, not recursion: a file nested thousands deep must not crash the
    wizard. A binary plist can share one object in several places (walked once) and can even
    hold itself (refused).
    """
    found: list[dict[Any, Any] | list[Any]] = []
    seen: set[int] = set()
    # (container, depth, children not yet walked); ``on_path`` holds the open containers.
    stack: list[tuple[Any, int, Iterator[Any]]] = []
    on_path: set[int] = set()

    def enter(value: Any, depth: int) -> None:
        if not isinstance(value, dict | list):
            return
        if id(value) in on_path:
            raise ProfileFileError(
                f"{shown} is not a configuration profile: part of it refers to itself."
            )
        if id(value) in seen:
            return
        if depth > MAX_PROFILE_DEPTH:
            raise ProfileFileError(
                f"{shown} is not a configuration profile: it is nested more than "
                f"{MAX_PROFILE_DEPTH} levels deep."
            )
        seen.add(id(value))
        on_path.add(id(value))
        found.append(value)
        children = iter(value.values() if isinstance(value, dict) else value)
        stack.append((value, depth, children))

    enter(top, 0)
    while stack:
        container, depth, children = stack[-1]
        child = next(children, _END)
        if child is _END:
            stack.pop()
            on_path.discard(id(container))
        else:
            enter(child, depth + 1)
    return found


_END = object()


def _password_values(containers: list[dict[Any, Any] | list[Any]]) -> Iterator[bool]:
    """One True per non-empty password-like value (IncomingPassword, OutgoingPassword, ...)."""
    for item in containers:
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
