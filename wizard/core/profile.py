"""Verified settings -> an Apple configuration profile (.mobileconfig), and writing it safely.

The profile holds one ``com.apple.mail.managed`` payload (Apple's schema:
``mdm/profiles/com.apple.mail.managed.yaml`` in apple/device-management). By default it holds
no password: iOS asks for it once while installing, because
``OutgoingPasswordSameAsIncomingPassword`` is true. Apple says passwords belong only in
encrypted profiles, so ``password=`` is for users who insist, and such a file is private.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import plistlib
import re
import secrets
import uuid
from enum import StrEnum
from pathlib import Path
from typing import Any

from wizard.core.models import Endpoint, IncomingChoice, MailSettings, Security
from wizard.core.signing import SigningError, sign_profile

__all__ = [
    "ProfileWriteError",
    "SigningError",
    "WriteProblem",
    "build_profile",
    "check_output_path",
    "profile_identifier",
    "sign_profile",
    "write_profile",
]

#: Reverse-DNS prefix of every identifier we write.
IDENTIFIER_PREFIX = "com.mailcom-wizard"


def profile_identifier(email: str, choice: IncomingChoice) -> str:
    """The profile's PayloadIdentifier: the same for the same address and protocol.

    iOS replaces an installed profile that has the same identifier, so re-exporting after a
    port change updates the account instead of adding a second one. The readable part keeps
    letters and digits only (identifiers are reverse-DNS style); the short hash keeps two
    addresses that differ only in punctuation (``a.b@`` and ``a-b@``) apart.
    """
    address = email.strip().lower()
    readable = re.sub(r"[^a-z0-9]+", "-", address).strip("-") or "account"
    digest = hashlib.sha256(address.encode("utf-8")).hexdigest()[:8]
    protocol = "imap" if choice is IncomingChoice.IMAP else "pop"
    return f"{IDENTIFIER_PREFIX}.{readable}-{digest}.{protocol}"


def _stable_uuid(identifier: str) -> str:
    # Apple: "During a profile replacement, the system updates payloads with the same
    # PayloadIdentifier and PayloadUUID in the old and new profiles." A random UUID per
    # export would make iOS treat the re-exported mail payload as new (a second account);
    # uuid5 of the identifier is the same on every export yet still unique per address and
    # protocol, which is all "globally unique" asks of it.
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, identifier)).upper()


def build_profile(
    settings: MailSettings,
    *,
    password: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The profile for ``settings`` as XML plist bytes (the password only if given)."""
    moment = now or dt.datetime.now(dt.UTC)
    identifier = profile_identifier(settings.email, settings.incoming_choice)
    mail_identifier = identifier + ".mail"
    choice = "IMAP" if settings.incoming_choice is IncomingChoice.IMAP else "POP"

    mail: dict[str, Any] = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": mail_identifier,
        "PayloadUUID": _stable_uuid(mail_identifier),
        "PayloadDisplayName": f"{choice} account {settings.email}",
        "EmailAccountType": "EmailTypeIMAP" if choice == "IMAP" else "EmailTypePOP",
        "EmailAccountDescription": settings.email,
        # The name recipients see; without one, the address itself is the clearest choice.
        "EmailAccountName": settings.name or settings.email,
        "EmailAddress": settings.email,
        "IncomingMailServerHostName": settings.incoming.host,
        # Always explicit: without a port iOS guesses, and for SMTP it tries 25 first.
        "IncomingMailServerPortNumber": settings.incoming.port,
        # iOS has no separate STARTTLS switch: UseSSL with port 587 (or 143/110) is how
        # a STARTTLS endpoint is configured. Never false: the password must not go in clear.
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerUsername": settings.incoming_username,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": settings.outgoing.host,
        "OutgoingMailServerPortNumber": settings.outgoing.port,
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerUsername": settings.outgoing_username,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        # iOS then asks once at install and uses the answer for both servers.
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    if password is not None:
        mail["IncomingPassword"] = password
        mail["OutgoingPassword"] = password

    profile: dict[str, Any] = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": _stable_uuid(identifier),
        "PayloadDisplayName": f"{settings.provider_name} mail: {settings.email} ({choice})",
        "PayloadDescription": _description(settings, choice, moment, password is not None),
        "PayloadOrganization": "mailcom-wizard",
        # 1 = iPhone/iPad: avoids iOS asking which device the profile is meant for.
        "TargetDeviceType": 1,
        "PayloadContent": [mail],
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)


def _description(
    settings: MailSettings, choice: str, moment: dt.datetime, has_password: bool
) -> str:
    servers = (
        f"incoming {_endpoint_words(settings.incoming)}, "
        f"outgoing {_endpoint_words(settings.outgoing)}"
    )
    made = _utc(moment)
    lines = [f"Sets up {settings.email} ({choice}) in the Mail app."]
    if settings.verified:
        checked = _utc(settings.checked_at or moment)
        lines.append(f"Verified by mailcom-wizard on {checked}: the login worked on {servers}.")
    else:
        lines.append(
            f"NOT verified: these are {settings.provider_name}'s usual servers ({servers}), "
            "not tested with this account."
        )
    if has_password:
        lines.append("The password is stored in this profile.")
    else:
        lines.append("iOS asks for the password once while installing.")
    lines.append(f"Made on {made}.")
    return " ".join(lines)


def _endpoint_words(endpoint: Endpoint) -> str:
    security = "SSL/TLS" if endpoint.security is Security.SSL else "STARTTLS"
    return f"{endpoint.host} port {endpoint.port} ({security})"


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- writing ----------------------------------------------------------------------------


class WriteProblem(StrEnum):
    """Why a profile could not be written, for callers that word it their own way."""

    EXISTS = "exists"
    NO_FOLDER = "no_folder"
    IS_FOLDER = "is_folder"
    NOT_WRITABLE = "not_writable"
    FAILED = "failed"


class ProfileWriteError(Exception):
    """The profile could not be written; the message is for people, ``problem`` for code."""

    def __init__(self, message: str, problem: WriteProblem) -> None:
        super().__init__(message)
        self.problem = problem


def check_output_path(path: str | Path, *, force: bool) -> Path:
    """Raise ProfileWriteError now if writing to ``path`` is bound to fail.

    Called before a slow check so the user does not wait only to learn the file exists.
    ``write_profile`` checks everything again (the file system may change meanwhile).
    """
    target = Path(path)
    if target.is_dir():
        raise ProfileWriteError(
            f"{target} is a folder; give a file name, for example {target / 'mail.mobileconfig'}.",
            WriteProblem.IS_FOLDER,
        )
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ProfileWriteError(
            f"Cannot write {target}: the folder {folder} {what}.", WriteProblem.NO_FOLDER
        )
    if target.exists() and not force:
        raise ProfileWriteError(f"{target} already exists.", WriteProblem.EXISTS)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ProfileWriteError(
            f"Cannot write in the folder {folder} (permission denied).",
            WriteProblem.NOT_WRITABLE,
        )
    return target


def write_profile(path: str | Path, data: bytes, *, force: bool, private: bool) -> None:
    """Write ``data`` to ``path`` atomically: whole or not at all, never half a file.

    A temporary file in the same folder is written, flushed and then renamed over ``path``,
    so a reader (or the phone) never sees a partial profile. Without ``force`` an existing
    file is kept. With ``private`` the file is readable by its owner only (0600) from the
    moment it exists: it is created that way, not changed afterwards.
    """
    target = check_output_path(path, force=force)
    folder = target.parent
    temp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    mode = 0o600 if private else 0o666  # the umask still applies to 0666
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, mode)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if force:
            os.replace(temp, target)
        else:
            _rename_no_replace(temp, target)
    except BaseException as exc:
        _remove_quietly(temp)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from None
        raise


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _rename_no_replace(temp: Path, target: Path) -> None:
    # A hard link fails with EEXIST if the target appeared since check_output_path, so a
    # file made by someone else in the meantime is never overwritten. Some file systems
    # (FAT, some network shares) have no hard links: fall back to check-then-rename.
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(temp, target)
    else:
        os.unlink(temp)


def _remove_quietly(temp: Path) -> None:
    try:
        temp.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - nothing better to do; the real error is raised
        pass


def _write_error(target: Path, exc: OSError) -> ProfileWriteError:
    if isinstance(exc, FileExistsError):
        return ProfileWriteError(f"{target} already exists.", WriteProblem.EXISTS)
    if isinstance(exc, IsADirectoryError):
        return ProfileWriteError(f"{target} is a folder.", WriteProblem.IS_FOLDER)
    if isinstance(exc, FileNotFoundError):
        return ProfileWriteError(
            f"Cannot write {target}: the folder {target.parent} does not exist.",
            WriteProblem.NO_FOLDER,
        )
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return ProfileWriteError(
            f"Cannot write {target}: {exc.strerror or 'permission denied'}.",
            WriteProblem.NOT_WRITABLE,
        )
    return ProfileWriteError(
        f"Cannot write {target}: {exc.strerror or type(exc).__name__}.", WriteProblem.FAILED
    )
