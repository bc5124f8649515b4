"""Verified settings -> an Apple configuration profile (.mobileconfig).

The profile holds one ``com.apple.mail.managed`` payload (Apple's schema:
``mdm/profiles/com.apple.mail.managed.yaml`` in apple/device-management). By default it holds
no password: iOS asks for it while installing, for both servers, because
``OutgoingPasswordSameAsIncomingPassword`` is true. Apple says passwords belong only in
encrypted profiles, so ``password=`` is for users who insist, and such a file is private
(``wizard.core.files.write_file`` with ``private=True``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import plistlib
import re
import uuid
from typing import Any

from wizard.core.models import Auth, Endpoint, IncomingChoice, MailSettings
from wizard.core.text import xml_text

#: Reverse-DNS prefix of every identifier we write.
IDENTIFIER_PREFIX = "com.mailcom-wizard"
#: Apple's names of the login methods (IncomingMailServerAuthentication and Outgoing...).
_AUTHENTICATION = {Auth.PASSWORD: "EmailAuthPassword", Auth.CRAM_MD5: "EmailAuthCRAMMD5"}
#: The prefix of the demo's practice profiles, which are never offered to a phone.
PRACTICE_PREFIX = IDENTIFIER_PREFIX + ".practice"


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
    return f"{IDENTIFIER_PREFIX}.{readable}-{digest}.{choice.value}"


def _stable_uuid(identifier: str) -> str:
    # Apple: "During a profile replacement, the system updates payloads with the same
    # PayloadIdentifier and PayloadUUID in the old and new profiles." A random UUID per
    # export would make iOS treat the re-exported mail payload as new (a second account);
    # uuid5 of the identifier is the same on every export yet still unique per address and
    # protocol, which is all "globally unique" asks of it.
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, identifier)).upper()


def profile_identifier_for(settings: MailSettings) -> str:
    """The PayloadIdentifier of the profile for ``settings`` (a practice one with a caveat)."""
    identifier = profile_identifier(settings.email, settings.incoming_choice)
    if settings.caveat:
        identifier = identifier.replace(IDENTIFIER_PREFIX, PRACTICE_PREFIX, 1)
    return identifier


def build_profile(
    settings: MailSettings,
    *,
    password: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The profile for ``settings`` as XML plist bytes (the password only if given)."""
    moment = now or dt.datetime.now(dt.UTC)
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
        "IncomingMailServerHostName": settings.incoming.host,
        # Always explicit: without a port iOS guesses, and for SMTP it tries 25 first.
        "IncomingMailServerPortNumber": settings.incoming.port,
        # iOS has no separate STARTTLS switch: UseSSL with port 587 (or 143/110) is how
        # a STARTTLS endpoint is configured. Never false: the password must not go in clear.
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerUsername": settings.incoming_username,
        "IncomingMailServerAuthentication": _AUTHENTICATION[settings.incoming.auth],
        "OutgoingMailServerHostName": settings.outgoing.host,
        "OutgoingMailServerPortNumber": settings.outgoing.port,
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerUsername": settings.outgoing_username,
        "OutgoingMailServerAuthentication": _AUTHENTICATION[settings.outgoing.auth],
        # iOS then asks once at install and uses the answer for both servers.
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    if settings.name:
        # The name recipients see (Apple: "the full user name for the account"). Without
        # one, iOS asks for nothing and recipients would see the address in its place.
        mail["EmailAccountName"] = settings.name
    if password is not None:
        mail["IncomingPassword"] = password
        mail["OutgoingPassword"] = password

    profile: dict[str, Any] = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": _stable_uuid(identifier),
        "PayloadDisplayName": (
            (settings.caveat.profile_name if settings.caveat else "")
            + f"{settings.provider_name} mail: {settings.email} ({choice})"
        ),
        "PayloadDescription": _description(settings, choice, moment, password is not None),
        "PayloadOrganization": "mailcom-wizard",
        # 1 = iPhone/iPad: avoids iOS asking which device the profile is meant for.
        "TargetDeviceType": 1,
        "PayloadContent": [mail],
    }
    return plistlib.dumps(_xml_safe(profile), fmt=plistlib.FMT_XML, sort_keys=True)


def _xml_safe(value: Any) -> Any:
    """Every string in the profile without what a plist cannot hold (the last guard: the
    name is checked where it is typed, but a provider file's names reach here too).

    Passwords are left as they are: a changed password would be a wrong one, so
    ``export_profile`` refuses one a plist cannot hold instead.
    """
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {
            key: item if key.endswith("Password") and isinstance(item, str) else _xml_safe(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    return value


def _description(
    settings: MailSettings, choice: str, moment: dt.datetime, has_password: bool
) -> str:
    servers = (
        f"incoming {_endpoint_words(settings.incoming)}, "
        f"outgoing {_endpoint_words(settings.outgoing)}"
    )
    made = _utc(moment)
    lines = [f"Sets up {settings.email} ({choice}) in the Mail app."]
    if settings.caveat:
        lines = [
            settings.caveat.profile.format(
                provider=settings.provider_name,
                servers=servers,
                email=settings.email,
                choice=choice,
            )
        ]
    elif settings.verified:
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
        lines.append("iOS asks for the password while installing.")
    lines.append(f"Made on {made}.")
    return " ".join(lines)


def _endpoint_words(endpoint: Endpoint) -> str:
    return f"{endpoint.host} port {endpoint.port} ({endpoint.security.label})"


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
