"""Verified settings -> an Apple configuration profile (.mobileconfig): one
``com.apple.mail.managed`` payload (Apple's device-management schema). No password unless
asked: Apple says passwords belong only in encrypted profiles, so such a file is private."""

from __future__ import annotations

import datetime as dt
import hashlib
import plistlib
import re
import uuid
from typing import Any

from wizard.core.models import Auth, IncomingChoice, MailSettings
from wizard.core.text import xml_text

IDENTIFIER_PREFIX = "com.mailcom-wizard"
#: The prefix of the demo's practice profiles, which are never offered to a phone.
PRACTICE_PREFIX = IDENTIFIER_PREFIX + ".practice"
_AUTHENTICATION = {Auth.PASSWORD: "EmailAuthPassword", Auth.CRAM_MD5: "EmailAuthCRAMMD5"}


def profile_identifier(email: str, choice: IncomingChoice) -> str:
    """The same PayloadIdentifier for the same address and protocol, so iOS replaces the
    installed profile; a short hash keeps ``a.b@`` and ``a-b@`` apart."""
    address = email.strip().lower()
    readable = re.sub(r"[^a-z0-9]+", "-", address).strip("-") or "account"
    digest = hashlib.sha256(address.encode("utf-8")).hexdigest()[:8]
    return f"{IDENTIFIER_PREFIX}.{readable}-{digest}.{choice.value}"


def _stable_uuid(identifier: str) -> str:
    # iOS updates a payload in place only when PayloadIdentifier *and* PayloadUUID match:
    # a random UUID per export would add a second account.
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, identifier)).upper()


def profile_identifier_for(settings: MailSettings) -> str:
    """The PayloadIdentifier of the profile for ``settings`` (a practice one with a caveat)."""
    identifier = profile_identifier(settings.email, settings.incoming_choice)
    if settings.caveat:
        identifier = identifier.replace(IDENTIFIER_PREFIX, PRACTICE_PREFIX, 1)
    return identifier


def build_profile(
    settings: MailSettings, *, password: str | None = None, now: dt.datetime | None = None
) -> bytes:
    """The profile for ``settings`` as XML plist bytes (the password only if given)."""
    identifier = profile_identifier_for(settings)
    mail_identifier = identifier + ".mail"
    choice = settings.incoming_choice.value.upper()  # IMAP or POP
    mail: dict[str, Any] = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": mail_identifier,
        "PayloadUUID": _stable_uuid(mail_identifier),
        "PayloadDisplayName": f"{choice} account {settings.email}",
        "EmailAccountType": f"EmailType{choice}",
        "EmailAccountDescription": settings.email,
        "EmailAddress": settings.email,
        "IncomingMailServerUsername": settings.incoming_username,
        "OutgoingMailServerUsername": settings.outgoing_username,
        # iOS then asks once at install and uses the answer for both servers.
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    for side, endpoint in (("Incoming", settings.incoming), ("Outgoing", settings.outgoing)):
        mail[f"{side}MailServerHostName"] = endpoint.host
        # Always explicit: without a port iOS guesses, and for SMTP it tries 25 first.
        mail[f"{side}MailServerPortNumber"] = endpoint.port
        # iOS has no STARTTLS switch: UseSSL with 587 (or 143/110) is how one is configured.
        # Never false: the password must not go in clear.
        mail[f"{side}MailServerUseSSL"] = True
        mail[f"{side}MailServerAuthentication"] = _AUTHENTICATION[endpoint.auth]
    if settings.name:  # without it recipients would see the address as the sender's name
        mail["EmailAccountName"] = settings.name
    mail = _xml_safe(mail)  # before the password: a changed one would be a wrong one
    if password is not None:
        mail["IncomingPassword"] = mail["OutgoingPassword"] = password
    profile: dict[str, Any] = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": _stable_uuid(identifier),
        "PayloadDisplayName": (settings.caveat.profile_name if settings.caveat else "")
        + f"{settings.provider_name} mail: {settings.email} ({choice})",
        "PayloadDescription": _description(settings, choice, now, password is not None),
        "PayloadOrganization": "mailcom-wizard",
        # 1 = iPhone/iPad: avoids iOS asking which device the profile is meant for.
        "TargetDeviceType": 1,
        "PayloadContent": [mail],
    }
    return plistlib.dumps(_xml_safe(profile), fmt=plistlib.FMT_XML, sort_keys=True)


def _xml_safe(payload: dict[str, Any]) -> dict[str, Any]:
    """Its strings without what a plist cannot hold (a provider file's names reach here)."""
    return {key: xml_text(item) if isinstance(item, str) else item for key, item in payload.items()}


def _description(
    settings: MailSettings, choice: str, now: dt.datetime | None, has_password: bool
) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    servers = ", ".join(
        f"{side} {endpoint.host} port {endpoint.port} ({endpoint.security.label})"
        for side, endpoint in (("incoming", settings.incoming), ("outgoing", settings.outgoing))
    )
    setup = f"Sets up {settings.email} ({choice}) in the Mail app."
    provider = settings.provider_name
    if settings.caveat:
        what = settings.caveat.profile.format(
            provider=provider, servers=servers, email=settings.email, choice=choice
        )
    elif settings.verified:
        checked = _utc(settings.checked_at or moment)
        what = f"{setup} Verified by mailcom-wizard on {checked}: the login worked on {servers}."
    else:
        what = (
            f"{setup} NOT verified: these are {provider}'s usual servers ({servers}), "
            "not tested with this account."
        )
    if has_password:
        return f"{what} The password is stored in this profile. Made on {_utc(moment)}."
    return f"{what} iOS asks for the password while installing. Made on {_utc(moment)}."


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
