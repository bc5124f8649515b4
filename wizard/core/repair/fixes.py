"""Each cause in words: a title, the one action first, why the check points there, the steps."""

from __future__ import annotations

from collections.abc import Callable

from wizard.core import access
from wizard.core.diagnosis import seen_status
from wizard.core.facts import Fact, ios, mailcom
from wizard.core.instructions import Step, test_message
from wizard.core.models import Role, Status
from wizard.core.repair import network, steps
from wizard.core.repair.causes import Cause
from wizard.core.repair.context import Fix, FixContext
from wizard.core.repair.outcomes import CheckOutcome
from wizard.core.wording import STATUS_WORDS, ports_words


def _change_port(
    ctx: FixContext, role: Role, title: str, why: str, facts: tuple[Fact, ...] = ()
) -> Fix:
    port = ctx.works(role).port
    return Fix(
        title=title,
        action=f"Change the iPhone's {role.value} port to {port}.",
        why=why,
        steps=(
            steps.open_account(ctx),
            steps.server_step(ctx, role, f"Set the {role.value} port to {port}"),
            test_message(ctx.settings.email),
        ),
        facts=facts,
    )


def _port_blocked(ctx: FixContext, role: Role) -> Fix:
    good, kind = ctx.works(role), role.value
    own = ctx.phone.outgoing_port if role is Role.OUTGOING else None
    failing = [port for port in ctx.findings.failures if port.endpoint.role is role]
    phone = [port for port in failing if port.endpoint.port == own]
    bad = (phone or failing)[0]
    words = STATUS_WORDS[seen_status(bad)].failed
    uses = f" The iPhone uses port {bad.endpoint.port}." if phone else ""
    return _change_port(
        ctx,
        role,
        f"The {kind} port {bad.endpoint.port} {words} here; {good.port} works",
        f"From this computer, {ctx.provider}'s {kind} server on port {bad.endpoint.port} "
        f"{words}, while port {good.port} works with your password. A network that blocks a "
        f"port does so for the iPhone too whenever it is on that network.{uses}",
    )


def _outgoing_port_wrong(ctx: FixContext) -> Fix:
    port = ctx.phone.outgoing_port
    tried = [p.endpoint.port for p in ctx.findings.ports if p.endpoint.role is Role.OUTGOING]
    why = (
        f"{ctx.provider}'s outgoing server uses {ports_words(tried)}, and "
        f"{ctx.works(Role.OUTGOING).port} works from here. iOS chooses the port itself: "
        f"{ios.SMTP_PORT_ORDER.text}."
    )
    facts: tuple[Fact, ...] = (ios.SMTP_PORT_ORDER,)
    if port == 25:
        why += f" Note that {ios.PORT_25_PASSWORD.text}."
        facts += (ios.PORT_25_PASSWORD,)
    title = f"The iPhone sends on port {port}, which {ctx.provider} does not use"
    return _change_port(ctx, Role.OUTGOING, title, why, facts)


def _old_password(ctx: FixContext) -> Fix:
    return Fix(
        title="The iPhone has an old password",
        action="Type the current password on the iPhone, in both places it keeps one.",
        why=(
            f"The check logged in with the password you gave here, so {ctx.provider} accepts "
            "it: the iPhone sends another one, usually an old one, or one typed wrongly."
        ),
        steps=(
            steps.open_account(ctx),
            steps.both_passwords(ctx),
            test_message(ctx.settings.email),
        ),
    )


#: Why the check reached no login, for the outcomes where it could not.
_NO_LOGIN_BECAUSE: dict[CheckOutcome, str] = {
    CheckOutcome.INTERCEPTED: "the certificates it was shown are not the provider's",
    CheckOutcome.CERTIFICATE_EXPIRED: "the certificates it was shown are out of date",
    CheckOutcome.NO_STARTTLS: "a port offered no encryption, and the other did not work",
    CheckOutcome.BLOCKED_EVERYWHERE: "no server could be reached on any port",
    CheckOutcome.UNREACHABLE: "nothing answered",
    CheckOutcome.SERVER_SILENT: "the servers stopped answering before the login",
}


def _password_not_tested(ctx: FixContext) -> Fix:
    because = _NO_LOGIN_BECAUSE.get(ctx.findings.outcome, "no server let it log in")
    items = steps.checklist(ctx)
    return Fix(
        title="The password could not be tested from here",
        action=(
            "Type the current password on the iPhone again, in both places; if it is still "
            "refused, run the check from another network."
        ),
        why=(
            f"The check could not log in from this computer ({because}), so it cannot tell "
            f"whether {ctx.provider} accepts the password."
        ),
        steps=(
            steps.open_account(ctx),
            steps.both_passwords(ctx),
            Step(
                "If the iPhone still says the password is wrong",
                "Run this check again on another network (for example your phone's hotspot), "
                "so that it can test the password. If it is refused there too, check, in this "
                f"order, {access.in_order(items)}.",
                facts=tuple(fact for item in items for fact in item.facts),
            ),
        ),
    )


def _login_refused(ctx: FixContext) -> Fix:
    items = steps.checklist(ctx)
    why = (
        "The check was refused too, by every server it tried, with the password you gave "
        f"here: the cause is at {ctx.provider}, not on the iPhone."
    )
    facts: tuple[Fact, ...] = ()
    if ctx.settings.mailcom:
        why += f" {mailcom.SAME_REPLY.text}."
        facts = (mailcom.SAME_REPLY,)
    return Fix(
        title=f"{ctx.provider} refuses the password",
        action=(
            f"Check {ctx.provider}'s usual causes in this order: {access.in_order(items)}; "
            "then type the password that works on the iPhone."
        ),
        why=why,
        steps=(*steps.cause_steps(items), steps.open_account(ctx), steps.both_passwords(ctx)),
        facts=facts,
    )


def _access_off(ctx: FixContext) -> Fix:
    refused = next(p for p in ctx.findings.ports if p.status is Status.AUTH_FAILED).endpoint
    accepted = next(p for p in ctx.findings.ports if p.verified).endpoint
    protocol = refused.protocol
    items = steps.checklist(ctx, protocol)
    return Fix(
        title=f"{ctx.provider} refuses {protocol.label} for this account, not the password",
        action=(
            f"Check, in this order, {access.in_order(items)}: the password is right, so keep it."
        ),
        why=(
            f"The check logged in to {accepted.protocol.label} on port {accepted.port} with "
            f"the password you gave here, so {ctx.provider} accepts it; {protocol.label} on "
            f"port {refused.port} refused the same password, so {protocol.label} itself is "
            "not allowed for this account."
        ),
        steps=steps.cause_steps(items),
    )


def _too_many(ctx: FixContext) -> Fix:
    return Fix(
        title="Other devices are holding the mailbox",
        action="Close mail on your other devices, wait a few minutes, then try again.",
        why=(
            f"{ctx.provider} refused the login because too many devices are connected, or "
            "another one is downloading the mailbox: not because of the password."
        ),
        steps=(
            Step(
                "Close mail elsewhere",
                "Quit mail programs on other computers, tablets and phones that use this "
                "mailbox, then wait a few minutes.",
            ),
            Step(
                "Look for the account twice on the iPhone",
                f"Open Settings > {ctx.accounts}. If this mailbox is listed twice (for example "
                "once set up by hand and once by a profile), remove one of them.",
                facts=(ctx.layout.accounts,),
            ),
        ),
    )


def _outgoing_settings(ctx: FixContext) -> Fix:
    port = ctx.works(Role.OUTGOING).port
    uses = ", the port the iPhone uses too" if ctx.phone.outgoing_port == port else ""
    return Fix(
        title="The iPhone's outgoing server settings differ from the ones that work",
        action=(
            "Set the iPhone's outgoing (SMTP) server to the values that work here: user name, "
            "password and port."
        ),
        why=(
            f"Sending works from here on port {port}{uses}, with your address and "
            "password. The iPhone keeps a separate user name and password for its outgoing "
            "server, and an old or empty one stops sending while receiving still works."
        ),
        steps=(
            steps.open_account(ctx),
            steps.server_step(ctx, Role.OUTGOING, "Check the outgoing server"),
            steps.other_network(ctx, then=" Some networks block sending mail only."),
        ),
    )


def _mailcom_trouble(ctx: FixContext) -> Fix:
    if network.short_limit(ctx):
        return network.offline(ctx)
    outcome = ctx.findings.outcome
    if outcome is CheckOutcome.TEST_MESSAGE_LOST:
        seen = "Both logins work, but the test message sent to yourself did not arrive."
    elif outcome is CheckOutcome.SERVER_SILENT:
        seen = (
            f"{ctx.provider}'s servers accepted the connection and then stopped answering, so "
            "this computer reaches them (it is not offline)."
        )
    else:
        seen = f"{ctx.provider}'s server answered with an error, or said it is unavailable."
    wait = Step(
        "Wait, then check again",
        "The iPhone's settings are not the cause. Wait an hour or so, then run the check "
        f"again. If it lasts, log in to {ctx.provider}'s webmail: if mail does not arrive "
        "there either, the problem is at the provider.",
    )
    silent = outcome is CheckOutcome.SERVER_SILENT
    return Fix(
        title=f"A problem at {ctx.provider}, not on the iPhone",
        action="Change nothing on the iPhone; wait a while, then check again.",
        why=f"{seen} That is on the server's side and usually passes.",
        steps=(wait, steps.other_network(ctx)) if silent else (wait,),
    )


def _nothing_found(ctx: FixContext) -> Fix:
    return Fix(
        title="Nothing found: the account works from here",
        action="Set the account up again on the iPhone with a fresh profile.",
        why=(
            "The check logged in to both servers, and nothing it found explains what the "
            "iPhone shows. A fresh setup replaces whatever the iPhone holds with values "
            "that just passed."
        ),
        steps=(
            Step(
                "Set the account up again with a fresh profile",
                "Make a new configuration profile with this wizard, from the settings that just "
                "passed the check, and install it on the iPhone. The new account appears in "
                f"Settings > {ctx.accounts} beside the old one; when new mail arrives in the new "
                "one, remove the old one there.",
                facts=(ctx.layout.accounts,),
            ),
            steps.other_network(ctx),
        ),
    )


FIXES: dict[Cause, Callable[[FixContext], Fix]] = {
    Cause.OLD_PASSWORD_ON_PHONE: _old_password,
    Cause.PASSWORD_NOT_TESTED: _password_not_tested,
    Cause.LOGIN_REFUSED: _login_refused,
    Cause.ACCESS_OFF: _access_off,
    Cause.TOO_MANY_CONNECTIONS: _too_many,
    Cause.OUTGOING_PORT_BLOCKED: lambda ctx: _port_blocked(ctx, Role.OUTGOING),
    Cause.OUTGOING_PORT_WRONG: _outgoing_port_wrong,
    Cause.OUTGOING_SETTINGS_ON_PHONE: _outgoing_settings,
    Cause.INCOMING_PORT_BLOCKED: lambda ctx: _port_blocked(ctx, Role.INCOMING),
    Cause.NETWORK_INTERCEPTS: network.network_intercepts,
    Cause.CLOCK_OR_EXPIRED_CERTIFICATE: network.clock_or_expired,
    Cause.OFFLINE: network.offline,
    Cause.NETWORK_BLOCKS_MAIL: network.network_blocks_mail,
    Cause.PHONE_NETWORK: network.phone_network,
    Cause.PHONE_NETWORK_INTERCEPTS: network.phone_intercepts,
    Cause.MAILCOM_TROUBLE: _mailcom_trouble,
    Cause.NOTHING_FOUND: _nothing_found,
}
