"""Which cause answers which symptom and check outcome, as a table of ``Rule``s: a default
cause, and named conditions (mostly on what the phone uses) that refine it, first one wins."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.models import Role
from wizard.core.repair.causes import Cause
from wizard.core.repair.outcomes import CheckOutcome, Findings
from wizard.core.repair.symptoms import PhoneSettings, Symptom


class Condition(StrEnum):
    """A named fact about the phone's settings and the check, that can refine a rule: a login
    worked here, the phone's outgoing port is not the provider's (25) or works here, sending
    works here."""

    LOGIN_WORKED = "login-worked"
    PHONE_PORT_OTHER = "phone-port-other"
    PHONE_PORT_WORKS_HERE = "phone-port-works-here"
    SENDING_WORKS = "sending-works"


@dataclass(frozen=True)
class Rule:
    """A table cell: the default cause, and (condition, cause) pairs that override it."""

    default: Cause
    when: tuple[tuple[Condition, Cause], ...] = ()

    @property
    def causes(self) -> tuple[Cause, ...]:
        return (self.default, *(cause for _, cause in self.when))


def _holds(condition: Condition, findings: Findings, phone: PhoneSettings) -> bool:
    if condition is Condition.LOGIN_WORKED:
        return findings.login_worked
    # The ports the check tried are the provider's own (in the phone's terms).
    outgoing = [port for port in findings.ports if port.endpoint.role is Role.OUTGOING]
    if condition is Condition.SENDING_WORKS:
        return any(port.verified for port in outgoing)
    if phone.outgoing_port is None:
        return False
    if condition is Condition.PHONE_PORT_OTHER:
        return phone.outgoing_port not in {port.endpoint.port for port in outgoing}
    return phone.outgoing_port in {port.endpoint.port for port in outgoing if port.ok}


def cause_for(symptom: Symptom, findings: Findings, phone: PhoneSettings) -> Cause:
    """The one most likely cause of ``symptom``, given the check and what the phone uses."""
    rule = TABLE[symptom][findings.outcome]
    for condition, cause in rule.when:
        if _holds(condition, findings, phone):
            return cause
    return rule.default


_OTHER_PORT = (Condition.PHONE_PORT_OTHER, Cause.OUTGOING_PORT_WRONG)

# The cells, named. When the phone says the password is wrong and the check could log in,
# the phone holds an old one; when the check could not reach a login, it is untested.
_OLD_PW = Rule(Cause.OLD_PASSWORD_ON_PHONE, (_OTHER_PORT,))
_UNTESTED = Rule(
    Cause.PASSWORD_NOT_TESTED, ((Condition.LOGIN_WORKED, Cause.OLD_PASSWORD_ON_PHONE),)
)
#: Sending works here: a port the provider does not use, else the phone's SMTP settings.
_OUT_PHONE = Rule(Cause.OUTGOING_SETTINGS_ON_PHONE, (_OTHER_PORT,))
_LOST_SEND = Rule(Cause.MAILCOM_TROUBLE, (_OTHER_PORT,))
_OUT_PORT = Rule(
    Cause.OUTGOING_PORT_BLOCKED,
    (_OTHER_PORT, (Condition.PHONE_PORT_WORKS_HERE, Cause.OUTGOING_SETTINGS_ON_PHONE)),
)
_REFUSED, _ACCESS = Rule(Cause.LOGIN_REFUSED), Rule(Cause.ACCESS_OFF)
_ACCESS_SEND = Rule(
    Cause.ACCESS_OFF, ((Condition.SENDING_WORKS, Cause.OUTGOING_SETTINGS_ON_PHONE),)
)
_BUSY, _TROUBLE = Rule(Cause.TOO_MANY_CONNECTIONS), Rule(Cause.MAILCOM_TROUBLE)
_NET, _CLOCK = Rule(Cause.NETWORK_INTERCEPTS), Rule(Cause.CLOCK_OR_EXPIRED_CERTIFICATE)
_PHONE_NET, _PHONE_INT = Rule(Cause.PHONE_NETWORK), Rule(Cause.PHONE_NETWORK_INTERCEPTS)
_NET_OR_PHONE = Rule(
    Cause.NETWORK_INTERCEPTS, ((Condition.LOGIN_WORKED, Cause.PHONE_NETWORK_INTERCEPTS),)
)
_BLOCKS, _OFFLINE = Rule(Cause.NETWORK_BLOCKS_MAIL), Rule(Cause.OFFLINE)
_IN_PORT, _NOTHING = Rule(Cause.INCOMING_PORT_BLOCKED), Rule(Cause.NOTHING_FOUND)

#: One row per check outcome; the columns are the symptoms in ``Symptom`` order: the
#: password is incorrect, cannot connect, cannot verify the identity, cannot send, no new
#: mail. Whatever the check finds about the account, a certificate the phone distrusts is
#: a network's (the phone's, or this one) or a clock's; iOS says "not responding" for a
#: rejected login too (fact sheet §4.4); access is switched off after long non-use (§1.2).
_GRID: dict[CheckOutcome, tuple[Rule, Rule, Rule, Rule, Rule]] = {
    CheckOutcome.ALL_VERIFIED: (_OLD_PW, _PHONE_NET, _PHONE_INT, _OUT_PHONE, _NOTHING),
    CheckOutcome.TEST_MESSAGE_LOST: (_OLD_PW, _PHONE_NET, _PHONE_INT, _LOST_SEND, _TROUBLE),
    CheckOutcome.INCOMING_PORT_BLOCKED_HERE: (_OLD_PW, _IN_PORT, _PHONE_INT, _OUT_PHONE, _IN_PORT),
    CheckOutcome.OUTGOING_PORT_BLOCKED_HERE: (_OLD_PW, _PHONE_NET, _PHONE_INT, _OUT_PORT, _NOTHING),
    CheckOutcome.PORTS_BLOCKED_HERE: (_OLD_PW, _IN_PORT, _PHONE_INT, _OUT_PORT, _IN_PORT),
    CheckOutcome.INCOMING_BLOCKED: (_OLD_PW, _BLOCKS, _PHONE_INT, _OUT_PHONE, _BLOCKS),
    CheckOutcome.OUTGOING_BLOCKED: (_OLD_PW, _PHONE_NET, _PHONE_INT, _BLOCKS, _NOTHING),
    CheckOutcome.BLOCKED_EVERYWHERE: (_UNTESTED, _BLOCKS, _NET, _BLOCKS, _BLOCKS),
    CheckOutcome.UNREACHABLE: (_UNTESTED, _OFFLINE, _OFFLINE, _OFFLINE, _OFFLINE),
    CheckOutcome.LOGIN_REFUSED: (_REFUSED, _REFUSED, _PHONE_INT, _REFUSED, _REFUSED),
    CheckOutcome.ACCESS_REFUSED: (_ACCESS, _ACCESS, _PHONE_INT, _ACCESS_SEND, _ACCESS),
    CheckOutcome.MAILBOX_BUSY: (_BUSY, _BUSY, _PHONE_INT, _BUSY, _BUSY),
    CheckOutcome.SERVER_TROUBLE: (_TROUBLE, _TROUBLE, _PHONE_INT, _TROUBLE, _TROUBLE),
    CheckOutcome.INTERCEPTED: (_UNTESTED, _NET, _NET, _NET, _NET),
    CheckOutcome.CERTIFICATE_EXPIRED: (_UNTESTED, _CLOCK, _CLOCK, _CLOCK, _CLOCK),
    CheckOutcome.NO_STARTTLS: (_UNTESTED, _NET, _NET, _NET, _NET),
    CheckOutcome.SERVER_SILENT: (_UNTESTED, _TROUBLE, _NET_OR_PHONE, _TROUBLE, _TROUBLE),
}
TABLE: dict[Symptom, dict[CheckOutcome, Rule]] = {
    symptom: {outcome: row[column] for outcome, row in _GRID.items()}
    for column, symptom in enumerate(Symptom)
}
