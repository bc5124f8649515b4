"""The causes a repair can name, as stable codes (worded in ``fixes`` and ``network``)."""

from __future__ import annotations

from enum import StrEnum


class Cause(StrEnum):
    """The most likely cause of a symptom, given a check. The values are stable codes."""

    OLD_PASSWORD_ON_PHONE = "old-password-on-phone"
    PASSWORD_NOT_TESTED = "password-not-tested"
    LOGIN_REFUSED = "login-refused"
    ACCESS_OFF = "access-off"
    TOO_MANY_CONNECTIONS = "too-many-connections"
    OUTGOING_PORT_BLOCKED = "outgoing-port-blocked"
    OUTGOING_PORT_WRONG = "outgoing-port-wrong"
    OUTGOING_SETTINGS_ON_PHONE = "outgoing-settings-on-phone"
    INCOMING_PORT_BLOCKED = "incoming-port-blocked"
    NETWORK_INTERCEPTS = "network-intercepts"
    CLOCK_OR_EXPIRED_CERTIFICATE = "clock-or-expired-certificate"
    OFFLINE = "offline"
    NETWORK_BLOCKS_MAIL = "network-blocks-mail"
    PHONE_NETWORK = "phone-network"
    PHONE_NETWORK_INTERCEPTS = "phone-network-intercepts"
    MAILCOM_TROUBLE = "mailcom-trouble"
    NOTHING_FOUND = "nothing-found"

    @property
    def conclusive(self) -> bool:
        """True when the check found the cause; False when it could not tell (exit 1)."""
        return self not in (Cause.PASSWORD_NOT_TESTED, Cause.OFFLINE, Cause.NOTHING_FOUND)
