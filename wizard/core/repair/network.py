"""The fixes whose cause is a network, a security program or a clock, not the account."""

from __future__ import annotations

from wizard.core.diagnosis import seen_status
from wizard.core.facts import ios
from wizard.core.instructions import Step
from wizard.core.models import Role
from wizard.core.repair import steps
from wizard.core.repair.context import Fix, FixContext
from wizard.core.repair.outcomes import CheckOutcome
from wizard.core.repair.symptoms import Symptom
from wizard.core.wording import OUT_OF_TIME, SHORT_LIMIT_SECONDS, listed


def network_intercepts(ctx: FixContext) -> Fix:
    outcome = ctx.findings.outcome
    never = steps.NEVER_TRUST
    must = "the certificate must never be trusted"
    if outcome is CheckOutcome.NO_STARTTLS:
        seen = "a port answered without offering encryption: something on the network removes it"
        never, must = steps.NEVER_WITHOUT_SSL, "the iPhone must never be set up without SSL"
    elif outcome is CheckOutcome.BLOCKED_EVERYWHERE:
        seen = (
            "no mail port can be reached at all. A network that blocks mail like this may "
            "also redirect it, and a redirected connection shows the iPhone a certificate "
            f"that is not {ctx.provider}'s"
        )
    elif outcome is CheckOutcome.SERVER_SILENT:
        seen = (
            "the servers accepted the connection and then stopped answering. Something on "
            "this network (a proxy or an antivirus) may hold mail connections like this, and "
            f"then show the iPhone a certificate that is not {ctx.provider}'s"
        )
    else:
        seen = (
            f"{ctx.provider}'s servers showed a certificate that is not theirs, the secure "
            "connection could not be set up, or data was slipped into it: something on this "
            "network or computer reads encrypted connections"
        )
    return Fix(
        title="This network or a security program intercepts the connection",
        action=(
            "Use another network, or turn off the security program's mail scanning: the "
            f"cause is not {ctx.provider}, and {must}."
        ),
        why=f"From this computer, {seen}.",
        steps=(
            never,
            Step(
                "Turn off mail scanning or the VPN",
                "If an antivirus or security program runs on this computer, turn off its email "
                "scanning (often called Mail Shield or Email protection); disconnect any VPN or "
                "company proxy. Then check again: the cause is this network or that program, "
                f"not {ctx.provider}.",
            ),
            steps.other_network(ctx),
        ),
    )


def clock_or_expired(ctx: FixContext) -> Fix:
    return Fix(
        title="An out-of-date certificate, or a wrong clock",
        action="Check the date and time on the iPhone and on this computer, then check again.",
        why=(
            f"From this computer, {ctx.provider}'s servers showed a certificate that is out of "
            "date. A wrong clock causes exactly this; if the clocks are right, something on "
            "the network may be showing an old certificate."
        ),
        steps=(steps.CLOCKS, steps.NEVER_TRUST, steps.other_network(ctx)),
    )


def short_limit(ctx: FixContext) -> bool:
    """True when every failure ran out of a time limit too short to connect."""
    findings = ctx.findings
    return findings.time_limit < SHORT_LIMIT_SECONDS and all(
        seen_status(port) in OUT_OF_TIME for port in findings.failures
    )


def offline(ctx: FixContext) -> Fix:
    if short_limit(ctx):
        limit = f"{ctx.findings.time_limit:g}"
        return Fix(
            title="The time limit was too short to connect",
            action=(
                "Run the check again with a longer time limit (the default is 10 s): until "
                f"it reaches {ctx.provider}, it cannot tell what is wrong."
            ),
            why=(
                f"Nothing answered within the time limit of {limit} s, which is too short "
                "for a connection over the internet; this says nothing about the network yet."
            ),
            steps=(
                Step(
                    "Check again with a longer time limit",
                    "Run the check again with the default time limit (10 s) or longer.",
                ),
            ),
        )
    return Fix(
        title=f"This computer cannot reach {ctx.provider} at all",
        action=(
            "Connect this computer to the internet (or another network) and run the check "
            f"again: until it reaches {ctx.provider}, it cannot tell what is wrong."
        ),
        why=(
            "Nothing answered, on any server or port: this computer seems offline, or its "
            "network drops every mail connection."
        ),
        steps=(
            Step(
                "Check this computer's connection",
                "Check Wi-Fi or the network cable; if a web browser cannot open sites either, "
                "restart the router. Then run the check again.",
            ),
            steps.other_network(
                ctx,
                then=" If the iPhone uses the same network as this computer, it may be "
                "the cause for both.",
            ),
        ),
    )


def network_blocks_mail(ctx: FixContext) -> Fix:
    what = {
        CheckOutcome.INCOMING_BLOCKED: f"no port of {ctx.provider}'s incoming server can be "
        "reached, while sending works",
        CheckOutcome.OUTGOING_BLOCKED: f"no port of {ctx.provider}'s outgoing server can be "
        "reached, while incoming mail works",
    }.get(ctx.findings.outcome, f"neither of {ctx.provider}'s servers can be reached on any port")
    blocked = listed([result.endpoint.port for result in ctx.findings.failures])
    return Fix(
        title="This network blocks mail",
        action="Use the iPhone on another network (mobile data or another Wi-Fi) for mail.",
        why=(
            f"From this computer, {what}. A network that blocks these ports blocks them for "
            "the iPhone too, whenever it is on that network."
        ),
        steps=(
            steps.other_network(ctx),
            Step(
                "If it is your own network",
                "Look in the router's or firewall's settings (or an antivirus on this "
                f"computer) for blocked mail ports: {blocked}.",
            ),
        ),
    )


def phone_network(ctx: FixContext) -> Fix:
    role = Role.OUTGOING if ctx.symptom is Symptom.CANNOT_SEND else Role.INCOMING
    title = "Check the outgoing server" if role is Role.OUTGOING else "Check the incoming settings"
    return Fix(
        title="The iPhone's network, not the account",
        action="Try the iPhone on another network (mobile data or another Wi-Fi).",
        why=(
            f"From this computer the {role.value} server works with your password, so "
            f"{ctx.provider} and your account are fine: the network the iPhone is on may block "
            "mail."
        ),
        steps=(
            steps.other_network(ctx, then=" If it fails on every network, check the values below."),
            steps.open_account(ctx),
            steps.server_step(ctx, role, title),
        ),
    )


def phone_intercepts(ctx: FixContext) -> Fix:
    return Fix(
        title=f"The iPhone's network intercepts the connection, not {ctx.provider}",
        action="Tap Cancel, never trust the certificate, and use the iPhone on another network.",
        why=(
            f"From this computer, {ctx.provider}'s servers show their genuine certificate, so "
            "the one the iPhone got comes from something on its network (a hotel, school or "
            "office Wi-Fi, a VPN), or the iPhone's clock is wrong."
        ),
        steps=(steps.NEVER_TRUST, steps.other_network(ctx), steps.CLOCKS),
        facts=(ios.CANNOT_VERIFY,),
    )
