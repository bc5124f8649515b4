"""A profile file from the user (``serve FILE``), read once: a property list (XML or binary)
or CMS SignedData holding one. What cannot be read counts as holding a password."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path
from typing import Any

from wizard.core.errors import FileReadError, ProfileFileError, ReadProblem, ServeError
from wizard.core.export import ExportedProfile
from wizard.core.files import read_limited
from wizard.core.profile import PRACTICE_PREFIX

MAX_PROFILE_BYTES = 1024 * 1024
#: Far deeper than any real profile (a payload list inside the profile, a dict inside that).
MAX_PROFILE_DEPTH = 64
# DER of the object identifier 1.2.840.113549.1.7.2 (PKCS #7 / CMS signedData).
_SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")
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
    instead = (
        "Practice run: nothing is offered to a phone. In a real run the QR code holds a "
        "one-time link to the profile on this network, and the iPhone's Camera opens it in "
        f'Safari; here it holds only the words "{qr_words}". The steps are what the iPhone '
        "does with a real profile."
    )


def refuse_practice(profile: ExportedProfile) -> None:
    """The one check that keeps a practice profile off the phone."""
    if profile.practice:
        raise NotOffered(
            f"{profile.path.name} is a practice profile made by the demo; it is never offered "
            "to a phone. Export one for your own mailbox without the demo."
        )


def load_profile_file(path: str | os.PathLike[str]) -> ExportedProfile:
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
    signed = data[0] == 0x30
    content = signed_content(data) if signed else data
    if signed and _SIGNED_DATA_OID not in data[:24]:
        content = b""  # not CMS SignedData at all
    elif content is None:  # signed, but its content cannot be read: assume the worst
        practice = f"{PRACTICE_PREFIX}.".encode() in data  # the identifier is in the bytes
        return ExportedProfile(path, data, True, True, practice=practice)
    try:
        top = plistlib.loads(content)  # refuses entity declarations (billion laughs)
    except Exception:  # plistlib raises several unrelated types on malformed input
        top = None
    if not isinstance(top, dict) or top.get("PayloadType") != "Configuration":
        raise ProfileFileError(
            f"{path} is not a configuration profile (expected a .mobileconfig file: a "
            "property list with PayloadType Configuration, or a signed profile)."
        )
    dicts = _dicts(top, path)
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
        signed=signed,
        has_mail_payload=any(d.get("PayloadType") == "com.apple.mail.managed" for d in dicts),
        practice=any(
            str(d.get("PayloadIdentifier", "")).startswith(f"{PRACTICE_PREFIX}.") for d in dicts
        ),
        # What build_profile writes into an unverified profile's description.
        verified="NOT verified:" not in str(top.get("PayloadDescription", "")),
    )


def _dicts(top: Any, path: Path) -> list[dict[Any, Any]]:
    """Every dict in a plist tree, each once, walked with a stack (a file nested thousands
    deep must not crash the wizard); a binary plist may share an object, or hold itself."""
    found: list[dict[Any, Any]] = []
    seen: set[int] = set()
    stack: list[tuple[Any, int, frozenset[int]]] = [(top, 0, frozenset())]
    while stack:
        value, depth, above = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if id(value) in above or depth > MAX_PROFILE_DEPTH:
            why = f"it is nested more than {MAX_PROFILE_DEPTH} levels deep"
            why = "part of it refers to itself" if id(value) in above else why
            raise ProfileFileError(f"{path} is not a configuration profile: {why}.")
        if id(value) not in seen:
            seen.add(id(value))
            found += [value] if isinstance(value, dict) else []
            children = value.values() if isinstance(value, dict) else value
            stack += [(child, depth + 1, above | {id(value)}) for child in children]
    return found


def signed_content(data: bytes) -> bytes | None:
    """The signed bytes inside CMS SignedData (RFC 5652 eContent); None if unreadable.

    cryptography has no public API for them, and its DER reader refuses the BER (indefinite
    lengths, the content in chunks) that ``openssl smime -stream`` writes.
    """
    try:
        _, (oid, wrapped), _ = _ber(data, 0, 0)
        if oid[1] != _SIGNED_DATA_OID:
            return None
        signed_data = wrapped[1][0][1]  # [0] EXPLICIT SignedData
        encapsulated = signed_data[2][1]  # version, digestAlgorithms, encapContentInfo
        tag, content, _ = encapsulated[1][1][0]  # [0] EXPLICIT OCTET STRING
        return bytes(content) if tag in (0x04, 0x24) else None
    except (IndexError, ValueError, TypeError):  # truncated, malformed, or detached
        return None


def _ber(data: bytes, at: int, depth: int) -> tuple[int, Any, int]:
    """The BER element at ``at``: (tag, bytes or child elements, where it ends); an OCTET
    STRING that BER split into pieces comes joined."""
    tag, size = data[at], data[at + 1]
    if tag & 0x1F == 0x1F or depth > 16:
        raise ValueError("not an element of a signed profile")
    at += 2
    indefinite = size == 0x80 and tag & 0x20  # children up to two zero bytes
    if size & 0x80 and not indefinite:
        size, at = int.from_bytes(data[at : at + (size & 0x7F)], "big"), at + (size & 0x7F)
    end = len(data) if indefinite else at + size
    if end > len(data):
        raise ValueError("cut short")
    if not tag & 0x20:
        return tag, data[at:end], end
    children: list[tuple[int, Any, int]] = []
    while data[at : at + 2] != b"\0\0" if indefinite else at < end:
        children.append(_ber(data, at, depth + 1))
        at = children[-1][2]
    end = at + 2 if indefinite else end
    if tag != 0x24:
        return tag, children, end
    if any(child[0] not in (0x04, 0x24) for child in children):
        raise ValueError("not an OCTET STRING")
    return tag, b"".join(child[1] for child in children), end
