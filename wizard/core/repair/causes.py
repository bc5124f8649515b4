"""The causes a repair can name: stable codes, and whether each one is a finding with a fix.

The words for each cause (its title, the one action, the steps on the phone) are in
``fixes.py``; which cause answers which symptom and check outcome is in ``table.py``.
"""

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
        return self not in _INCONCLUSIVE

    @property
    def fresh_profile(self) -> bool:
        """True when the fix is to set the account up again with a fresh profile."""
        return self is Cause.NOTHING_FOUND

    @property
    def description(self) -> str:
        """What the cause means, in one line (the README lists these)."""
        return CAUSE_DESCRIPTIONS[self]


#: Causes that say the check could not tell, rather than what is wrong.
_INCONCLUSIVE = frozenset({Cause.PASSWORD_NOT_TESTED, Cause.OFFLINE, Cause.NOTHING_FOUND})

CAUSE_DESCRIPTIONS: dict[Cause, str] = {
    Cause.OLD_PASSWORD_ON_PHONE: "the check logs in, so the phone holds an old password: "
    "where to change it on the phone",
    Cause.PASSWORD_NOT_TESTED: "the check could not reach the login from here: type the "
    "password again on the phone, and check from another network",
    Cause.LOGIN_REFUSED: "the check is refused too, by every server: the provider's causes in "
    "order (for mail.com: the plan, POP3/IMAP access, two-factor authentication, the "
    "password), with where to look",
    Cause.ACCESS_OFF: "another server accepted the same password, so it is right: the refused "
    "protocol's access is off (the provider's switch, the plan, IMAP against POP)",
    Cause.TOO_MANY_CONNECTIONS: "refused because other devices hold the mailbox: close them",
    Cause.OUTGOING_PORT_BLOCKED: "one outgoing port is blocked here and the other works: "
    "change the phone's outgoing port",
    Cause.OUTGOING_PORT_WRONG: "the phone sends on a port the provider does not use (such as "
    "25): change it",
    Cause.OUTGOING_SETTINGS_ON_PHONE: "sending works from here: the phone's outgoing server "
    "settings (user name, password, port) differ",
    Cause.INCOMING_PORT_BLOCKED: "one incoming port is blocked here and the other works: "
    "change the phone's incoming port",
    Cause.NETWORK_INTERCEPTS: "the network or an antivirus intercepts the connection, not the "
    "provider: another network, never trust the certificate",
    Cause.CLOCK_OR_EXPIRED_CERTIFICATE: "an out-of-date certificate: check the clocks, then the "
    "network",
    Cause.OFFLINE: "this computer cannot reach the provider at all (or the time limit was too "
    "short to connect), so the check cannot tell",
    Cause.NETWORK_BLOCKS_MAIL: "this network blocks mail ports: use the phone on another network",
    Cause.PHONE_NETWORK: "everything works from here: the phone's network may block mail",
    Cause.PHONE_NETWORK_INTERCEPTS: "the certificate is genuine from here: the phone's network "
    "(or its clock) is the cause",
    Cause.MAILCOM_TROUBLE: "a problem at the provider: change nothing on the phone, check again "
    "later",
    Cause.NOTHING_FOUND: "the check passes and nothing explains the symptom: set the account up "
    "again with a fresh profile",
}
