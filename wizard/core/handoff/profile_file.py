"""A profile file from the user (``serve FILE``): read once, checked, and what it holds.

Unsigned profiles are property lists (XML or binary), parsed; signed ones (DER CMS) are
recognised by their first bytes and served as they are. Either way the result says whether
a password is inside, which decides whether serving it over plain HTTP needs consent.
"""

from __future__ import annotations

import os
import plistlib
import re
from pathlib import Path
from typing import Any

from wizard.core.errors import FileReadError, ProfileFileError, ReadProblem, ServeError
from wizard.core.export import ExportedProfile
from wizard.core.files import read_limited
from wizard.core.profile import PRACTICE_PREFIX, is_practice_profile

MAX_PROFILE_BYTES = 1024 * 1024
#: Far deeper than any real profile (a payload list inside the profile, a dict inside that).
MAX_PROFILE_DEPTH = 64
# DER of the object identifier 1.2.840.113549.1.7.2 (PKCS #7 / CMS signedData).
_SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")
# What build_profile writes into an unverified profile's description.
_UNVERIFIED = "NOT verified:"
_READ_PROBLEMS = {
    ReadProblem.MISSING: "{}: no such file.",
    ReadProblem.IS_FOLDER: "{} is a folder, not a profile file.",
    ReadProblem.TOO_LARGE: "{} is too big for a configuration profile (the limit is 1 MiB).",
    ReadProblem.DENIED: "{}: cannot be read (permission denied).",
}


class NotOffered(ServeError):
    """A practice profile: the demo's address with real servers, never offered to a phone."""

    #: What a practice run's QR code holds instead of a link: words, nothing to install.
    qr_words = "mailcom-wizard practice run: nothing to install"
    #: What a practice run says where a real one offers the profile.
    instead = (
        "Practice run: nothing is offered to a phone. In a real run the QR code holds a "
        "one-time link to the profile on this network, and the iPhone's Camera opens it in "
        "Safari; here it holds only the words "
        f'"{qr_words}". The steps are what the iPhone does with a real profile.'
    )


def refuse_practice(profile: ExportedProfile) -> None:
    """The one check that keeps a practice profile off the phone; raises NotOffered."""
    if profile.practice:
        raise NotOffered(
            f"{profile.path.name} is a practice profile made by the demo; it is never offered "
            "to a phone. Export one for your own mailbox without the demo."
        )


def load_profile_file(path: str | os.PathLike[str]) -> ExportedProfile:
    """Read and inspect a .mobileconfig file; raise ProfileFileError when it cannot be served."""
    try:
        data = read_limited(path, MAX_PROFILE_BYTES, "Profile file")
    except FileReadError as exc:
        words = _READ_PROBLEMS.get(exc.problem)
        raise ProfileFileError(words.format(path) if words else str(exc)) from None
    return inspect_profile(data, Path(path))


def inspect_profile(data: bytes, path: Path) -> ExportedProfile:
    """What profile bytes hold (signed CMS or a plist); ProfileFileError if not a profile."""
    if not data:
        raise ProfileFileError(f"{path} is empty, not a configuration profile.")
    if data[0] == 0x30:
        # A signed profile is DER-encoded CMS SignedData: SEQUENCE { OID signedData, ... }.
        if _SIGNED_DATA_OID not in data[:24]:
            raise _not_a_profile(path)
        # Signing does not encrypt: the plist inside is readable by anyone who gets the
        # file. Its bytes are embedded as they are, so a key name search finds a password.
        return ExportedProfile(
            path,
            data,
            contains_password=bool(re.search(rb"<key>\w*Password</key>\s*<string>[^<]", data)),
            signed=True,
            has_mail_payload=b"com.apple.mail.managed" in data,
            practice=is_practice_profile(data),
            verified=_UNVERIFIED.encode() not in data,
        )
    try:
        top = plistlib.loads(data)  # refuses entity declarations (billion laughs)
    except Exception:  # plistlib raises several unrelated types on malformed input
        top = None
    if not isinstance(top, dict) or top.get("PayloadType") != "Configuration":
        raise _not_a_profile(path)
    dicts = [item for item in _containers(top, path) if isinstance(item, dict)]
    identifiers = [str(item.get("PayloadIdentifier", "")) for item in dicts]
    return ExportedProfile(
        path,
        data,
        # Apple's password keys all end in "Password"; boolean keys such as
        # OutgoingPasswordSameAsIncomingPassword are not secrets.
        contains_password=any(
            str(key).endswith("Password") and isinstance(value, str | bytes) and value
            for item in dicts
            for key, value in item.items()
        ),
        signed=False,
        has_mail_payload=any(d.get("PayloadType") == "com.apple.mail.managed" for d in dicts),
        practice=any(i.startswith(PRACTICE_PREFIX + ".") for i in identifiers),
        verified=_UNVERIFIED not in str(top.get("PayloadDescription", "")),
    )


def _containers(top: Any, path: Path) -> list[Any]:
    """Every dict and list in a plist tree, each once; refused when too deep or circular.

    Walked with a stack, not recursion: a file nested thousands deep must not crash the
    wizard. A binary plist can share one object in several places (walked once) and can
    even hold itself (refused).
    """
    found: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, int, frozenset[int]]] = [(top, 0, frozenset())]
    while stack:
        value, depth, above = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if id(value) in above:
            raise ProfileFileError(
                f"{path} is not a configuration profile: part of it refers to itself."
            )
        if depth > MAX_PROFILE_DEPTH:
            raise ProfileFileError(
                f"{path} is not a configuration profile: it is nested more than "
                f"{MAX_PROFILE_DEPTH} levels deep."
            )
        if id(value) not in seen:
            seen.add(id(value))
            found.append(value)
            children = value.values() if isinstance(value, dict) else value
            stack += [(child, depth + 1, above | {id(value)}) for child in children]
    return found


def _not_a_profile(path: Path) -> ProfileFileError:
    return ProfileFileError(
        f"{path} is not a configuration profile (expected a .mobileconfig file: a "
        "property list with PayloadType Configuration, or a signed profile)."
    )
