"""Which cause answers which symptom and check outcome: the repair's knowledge, as a table.

Every symptom has a row for every check outcome (a test checks that the table is complete).
A cell is a ``Rule``: one cause, or a cause that a few named conditions refine, mostly on
what the phone uses today ("cannot send, 465 blocked here, the phone uses 465": change the
port; "... the phone already uses 587": its outgoing settings). The first condition that
holds wins; otherwise the rule's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.models import Role
from wizard.core.repair.causes import Cause
from wizard.core.repair.outcomes import CheckOutcome, Findings
from wizard.core.repair.symptoms import PhoneSettings, Symptom


class Condition(StrEnum):
    """A named fact about the phone's settings and the check, that can refine a rule."""

    #: At least one server accepted the password here.
    LOGIN_WORKED = "login-worked"
    #: The phone's outgoing port is not one of the provider's (for example 25).
    PHONE_PORT_OTHER = "phone-port-other"
    #: The phone's outgoing port works here.
    PHONE_PORT_WORKS_HERE = "phone-port-works-here"


@dataclass(frozen=True)
class Rule:
    """A table cell: the default cause, and (condition, cause) pairs that override it."""

    default: Cause
    when: tuple[tuple[Condition, Cause], ...] = ()

    @property
    def causes(self) -> tuple[Cause, ...]:
        """Every cause this cell can give."""
        return (self.default, *(cause for _, cause in self.when))


def _holds(condition: Condition, findings: Findings, phone: PhoneSettings) -> bool:
    if condition is Condition.LOGIN_WORKED:
        return findings.login_worked
    port = phone.outgoing_port
    if port is None:
        return False
    if condition is Condition.PHONE_PORT_OTHER:
        # The ports the check tried are the provider's own (in the phone's terms).
        tried = {p.endpoint.port for p in findings.ports if p.endpoint.role is Role.OUTGOING}
        return port not in tried
    return port in {p.endpoint.port for p in findings.working(Role.OUTGOING)}


def cause_for(symptom: Symptom, findings: Findings, phone: PhoneSettings) -> Cause:
    """The one most likely cause of ``symptom``, given the check and what the phone uses."""
    rule = TABLE[symptom][findings.outcome]
    for condition, cause in rule.when:
        if _holds(condition, findings, phone):
            return cause
    return rule.default


_OTHER_PORT = (Condition.PHONE_PORT_OTHER, Cause.OUTGOING_PORT_WRONG)
_TESTED = (Condition.LOGIN_WORKED, Cause.OLD_PASSWORD_ON_PHONE)

#: When the phone says the password is wrong and the check could log in, the phone holds
#: an old one; when the check could not reach a login, the password is untested.
_UNTESTED = Rule(Cause.PASSWORD_NOT_TESTED, (_TESTED,))
_OLD_PASSWORD = Rule(Cause.OLD_PASSWORD_ON_PHONE, (_OTHER_PORT,))
#: Sending works here: a port the provider does not use, else the phone's SMTP settings.
_OUTGOING_ON_PHONE = Rule(Cause.OUTGOING_SETTINGS_ON_PHONE, (_OTHER_PORT,))
_OUTGOING_PORT = Rule(
    Cause.OUTGOING_PORT_BLOCKED,
    (_OTHER_PORT, (Condition.PHONE_PORT_WORKS_HERE, Cause.OUTGOING_SETTINGS_ON_PHONE)),
)

TABLE: dict[Symptom, dict[CheckOutcome, Rule]] = {
    Symptom.PASSWORD_INCORRECT: {
        CheckOutcome.ALL_VERIFIED: _OLD_PASSWORD,
        CheckOutcome.TEST_MESSAGE_LOST: _OLD_PASSWORD,
        CheckOutcome.INCOMING_PORT_BLOCKED_HERE: _OLD_PASSWORD,
        CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: _OLD_PASSWORD,
        CheckOutcome.PORTS_BLOCKED_HERE: _OLD_PASSWORD,
        CheckOutcome.INCOMING_BLOCKED: _OLD_PASSWORD,
        CheckOutcome.OUTGOING_BLOCKED: _OLD_PASSWORD,
        CheckOutcome.BLOCKED_EVERYWHERE: _UNTESTED,
        CheckOutcome.UNREACHABLE: _UNTESTED,
        CheckOutcome.LOGIN_REFUSED: Rule(Cause.LOGIN_REFUSED),
        CheckOutcome.MAILBOX_BUSY: Rule(Cause.TOO_MANY_CONNECTIONS),
        CheckOutcome.SERVER_TROUBLE: Rule(Cause.MAILCOM_TROUBLE),
        CheckOutcome.INTERCEPTED: _UNTESTED,
        CheckOutcome.CERTIFICATE_EXPIRED: _UNTESTED,
        CheckOutcome.NO_STARTTLS: _UNTESTED,
    },
    Symptom.CANNOT_CONNECT: {
        CheckOutcome.ALL_VERIFIED: Rule(Cause.PHONE_NETWORK),
        CheckOutcome.TEST_MESSAGE_LOST: Rule(Cause.PHONE_NETWORK),
        CheckOutcome.INCOMING_PORT_BLOCKED_HERE: Rule(Cause.INCOMING_PORT_BLOCKED),
        CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: Rule(Cause.PHONE_NETWORK),
        CheckOutcome.PORTS_BLOCKED_HERE: Rule(Cause.INCOMING_PORT_BLOCKED),
        CheckOutcome.INCOMING_BLOCKED: Rule(Cause.NETWORK_BLOCKS_MAIL),
        CheckOutcome.OUTGOING_BLOCKED: Rule(Cause.PHONE_NETWORK),
        CheckOutcome.BLOCKED_EVERYWHERE: Rule(Cause.NETWORK_BLOCKS_MAIL),
        CheckOutcome.UNREACHABLE: Rule(Cause.OFFLINE),
        # iOS says "not responding" for a server that rejects the login too (fact sheet §4.4).
        CheckOutcome.LOGIN_REFUSED: Rule(Cause.LOGIN_REFUSED),
        CheckOutcome.MAILBOX_BUSY: Rule(Cause.TOO_MANY_CONNECTIONS),
        CheckOutcome.SERVER_TROUBLE: Rule(Cause.MAILCOM_TROUBLE),
        CheckOutcome.INTERCEPTED: Rule(Cause.NETWORK_INTERCEPTS),
        CheckOutcome.CERTIFICATE_EXPIRED: Rule(Cause.CLOCK_OR_EXPIRED_CERTIFICATE),
        CheckOutcome.NO_STARTTLS: Rule(Cause.NETWORK_INTERCEPTS),
    },
    # Whatever the check finds about the account, the certificate the phone distrusts is
    # explained by a network (the phone's, or this one) or a clock.
    Symptom.CANNOT_VERIFY_IDENTITY: {
        CheckOutcome.ALL_VERIFIED: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.TEST_MESSAGE_LOST: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.INCOMING_PORT_BLOCKED_HERE: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.PORTS_BLOCKED_HERE: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.INCOMING_BLOCKED: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.OUTGOING_BLOCKED: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.BLOCKED_EVERYWHERE: Rule(Cause.NETWORK_INTERCEPTS),
        CheckOutcome.UNREACHABLE: Rule(Cause.OFFLINE),
        CheckOutcome.LOGIN_REFUSED: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.MAILBOX_BUSY: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.SERVER_TROUBLE: Rule(Cause.PHONE_NETWORK_INTERCEPTS),
        CheckOutcome.INTERCEPTED: Rule(Cause.NETWORK_INTERCEPTS),
        CheckOutcome.CERTIFICATE_EXPIRED: Rule(Cause.CLOCK_OR_EXPIRED_CERTIFICATE),
        CheckOutcome.NO_STARTTLS: Rule(Cause.NETWORK_INTERCEPTS),
    },
    Symptom.CANNOT_SEND: {
        CheckOutcome.ALL_VERIFIED: _OUTGOING_ON_PHONE,
        CheckOutcome.TEST_MESSAGE_LOST: Rule(Cause.MAILCOM_TROUBLE, (_OTHER_PORT,)),
        CheckOutcome.INCOMING_PORT_BLOCKED_HERE: _OUTGOING_ON_PHONE,
        CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: _OUTGOING_PORT,
        CheckOutcome.PORTS_BLOCKED_HERE: _OUTGOING_PORT,
        CheckOutcome.INCOMING_BLOCKED: _OUTGOING_ON_PHONE,
        CheckOutcome.OUTGOING_BLOCKED: Rule(Cause.NETWORK_BLOCKS_MAIL),
        CheckOutcome.BLOCKED_EVERYWHERE: Rule(Cause.NETWORK_BLOCKS_MAIL),
        CheckOutcome.UNREACHABLE: Rule(Cause.OFFLINE),
        CheckOutcome.LOGIN_REFUSED: Rule(Cause.LOGIN_REFUSED),
        CheckOutcome.MAILBOX_BUSY: Rule(Cause.TOO_MANY_CONNECTIONS),
        CheckOutcome.SERVER_TROUBLE: Rule(Cause.MAILCOM_TROUBLE),
        CheckOutcome.INTERCEPTED: Rule(Cause.NETWORK_INTERCEPTS),
        CheckOutcome.CERTIFICATE_EXPIRED: Rule(Cause.CLOCK_OR_EXPIRED_CERTIFICATE),
        CheckOutcome.NO_STARTTLS: Rule(Cause.NETWORK_INTERCEPTS),
    },
    Symptom.NO_NEW_MAIL: {
        CheckOutcome.ALL_VERIFIED: Rule(Cause.NOTHING_FOUND),
        CheckOutcome.TEST_MESSAGE_LOST: Rule(Cause.MAILCOM_TROUBLE),
        CheckOutcome.INCOMING_PORT_BLOCKED_HERE: Rule(Cause.INCOMING_PORT_BLOCKED),
        CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: Rule(Cause.NOTHING_FOUND),
        CheckOutcome.PORTS_BLOCKED_HERE: Rule(Cause.INCOMING_PORT_BLOCKED),
        CheckOutcome.INCOMING_BLOCKED: Rule(Cause.NETWORK_BLOCKS_MAIL),
        CheckOutcome.OUTGOING_BLOCKED: Rule(Cause.NOTHING_FOUND),
        CheckOutcome.BLOCKED_EVERYWHERE: Rule(Cause.NETWORK_BLOCKS_MAIL),
        CheckOutcome.UNREACHABLE: Rule(Cause.OFFLINE),
        # mail.com's sister service switches access off after long non-use (fact sheet §1.2).
        CheckOutcome.LOGIN_REFUSED: Rule(Cause.LOGIN_REFUSED),
        CheckOutcome.MAILBOX_BUSY: Rule(Cause.TOO_MANY_CONNECTIONS),
        CheckOutcome.SERVER_TROUBLE: Rule(Cause.MAILCOM_TROUBLE),
        CheckOutcome.INTERCEPTED: Rule(Cause.NETWORK_INTERCEPTS),
        CheckOutcome.CERTIFICATE_EXPIRED: Rule(Cause.CLOCK_OR_EXPIRED_CERTIFICATE),
        CheckOutcome.NO_STARTTLS: Rule(Cause.NETWORK_INTERCEPTS),
    },
}
