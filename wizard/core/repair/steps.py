"""The repair's steps on the phone, built from the same facts as the setup steps.

Every menu path, label and message a step names comes from the fact registry and is
listed in the step's facts, exactly as in ``wizard.core.instructions``; the paths follow
the Settings layout of the user's iOS version (``IosLayout``). A step says which password
to type, never the password.
"""

from __future__ import annotations

from wizard.core.facts import Fact, ios, mailcom
from wizard.core.instructions import (
    Step,
    Value,
    authentication,
    authentication_facts,
    ssl_facts,
    ssl_note,
    user_name,
)
from wizard.core.models import Endpoint
from wizard.core.repair.context import FixContext


def open_account(ctx: FixContext) -> Step:
    """Settings > (the layout's accounts path) > the account > Account."""
    where = f" ({ctx.layout.where.text}.)" if ctx.layout.where is not None else ""
    return Step(
        title="Open the account on the iPhone",
        text=(
            f"On the iPhone open Settings, then tap {ctx.accounts}, then the account for "
            f"{ctx.settings.email}, then Account.{where} {ios.SETTINGS_SEARCH.text}"
        ),
        facts=(*ctx.layout.facts, ios.SETTINGS_SEARCH, ios.PASSWORD_PLACES),
    )


def both_passwords(ctx: FixContext) -> Step:
    """The password in both places the phone keeps one."""
    host = ctx.settings.outgoing.host
    return Step(
        title="Type the current password in both places",
        text=(
            f"The iPhone keeps the password twice: Settings > {ctx.accounts} > the account > "
            f"{ios.PASSWORD_PLACES.text}. Type {ctx.password} in both: first in Password on "
            f"the Account screen, then {ios.SMTP_ROW.text}, which is {host}, and in its "
            "Password. Tap Done."
        ),
        values=(
            user_name(ctx.settings.incoming, ctx.settings.email),
            Value("Password", ctx.password, "type it yourself", copyable=False),
        ),
        facts=(ctx.layout.accounts, ios.PASSWORD_PLACES, ios.SMTP_ROW, *ctx.password_facts),
    )


def outgoing_server(ctx: FixContext, endpoint: Endpoint, title: str) -> Step:
    """The outgoing server's values on the phone, with ``endpoint``'s port."""
    settings = ctx.settings
    return Step(
        title=title,
        text=(
            f"On the Account screen, {ios.SMTP_ROW.text}: it is {endpoint.host}. Set Server "
            f"Port to {endpoint.port} and make sure of the values below. "
            f"{ios.OUTGOING_OPTIONAL.text}: sending mail needs them. Then tap Done."
        ),
        values=(
            Value("Host Name", endpoint.host),
            user_name(endpoint, settings.email),
            Value("Password", ctx.password, "must be filled in", copyable=False),
            Value("Use SSL", "On", _ssl_note(ctx, endpoint), copyable=False),
            authentication(endpoint, settings.provider_name),
            Value("Server Port", str(endpoint.port)),
        ),
        facts=(
            ios.SMTP_ROW,
            ios.SMTP_FIELDS,
            ios.OUTGOING_OPTIONAL,
            *_ssl_facts(ctx, endpoint),
            *authentication_facts(endpoint),
            *ctx.password_facts,
        ),
    )


def incoming_port(ctx: FixContext, endpoint: Endpoint, title: str) -> Step:
    """The incoming port under Advanced."""
    return Step(
        title=title,
        text=(
            "On the Account screen, tap Advanced at the bottom. Under INCOMING SETTINGS, set "
            f"Server Port to {endpoint.port} and make sure of the values below; then go back "
            "and tap Done."
        ),
        values=(
            Value("Use SSL", "On", _ssl_note(ctx, endpoint), copyable=False),
            authentication(endpoint, ctx.settings.provider_name),
            Value("Server Port", str(endpoint.port)),
        ),
        facts=(ios.ADVANCED, *_ssl_facts(ctx, endpoint), *authentication_facts(endpoint)),
    )


def other_network(ctx: FixContext, *, then: str = "") -> Step:
    """Wi-Fi against mobile data: the quickest test of whether a network is the cause."""
    return Step(
        title="Try the iPhone on another network",
        text=(
            "If the iPhone is on Wi-Fi, turn Wi-Fi off so that it uses mobile data (or join "
            "another Wi-Fi), then open Mail and wait a minute. If mail works there, the first "
            f"network is the cause: use another one for mail, or ask whoever runs it.{then}"
        ),
    )


def never_trust(ctx: FixContext) -> Step:
    """What to do when the phone distrusts the certificate: cancel, never trust."""
    return Step(
        title="Never trust the certificate",
        text=(
            f'When the iPhone shows "{ios.CANNOT_VERIFY.text}", tap Cancel. Do not trust the '
            "certificate and do not switch SSL off: whoever made that certificate could read "
            "your password and your mail."
        ),
        facts=(ios.CANNOT_VERIFY,),
    )


def clocks(ctx: FixContext) -> Step:
    """A wrong clock makes a valid certificate look expired (or not yet valid)."""
    return Step(
        title="Check the date and time",
        text=(
            "Make sure the date and time are right on the iPhone and on this computer. A "
            "clock that is wrong by days makes a valid certificate look out of date."
        ),
    )


def stop_interception(ctx: FixContext) -> Step:
    """An antivirus mail shield or a VPN reads encrypted connections: turn it off."""
    return Step(
        title="Turn off mail scanning or the VPN",
        text=(
            "If an antivirus or security program runs on this computer, turn off its email "
            "scanning (often called Mail Shield or Email protection); disconnect any VPN or "
            "company proxy. Then check again: the cause is this network or that program, not "
            f"{ctx.provider}."
        ),
    )


def test_message(ctx: FixContext) -> Step:
    """The proof that the fix worked."""
    return Step(
        title="Send yourself a test message",
        text=(
            f"Open the Mail app, write a short message to {ctx.settings.email} and send it. "
            "When it arrives, both sending and receiving work."
        ),
    )


def fresh_profile(ctx: FixContext) -> Step:
    """Set the account up again from the settings that just passed."""
    return Step(
        title="Set the account up again with a fresh profile",
        text=(
            "Make a new configuration profile with this wizard, from the settings that just "
            "passed the check, and install it on the iPhone. The new account appears in "
            f"Settings > {ctx.accounts} beside the old one; when new mail arrives in the new "
            "one, remove the old one there."
        ),
        facts=(ctx.layout.accounts,),
    )


def login_causes(ctx: FixContext) -> tuple[Step, ...]:
    """The provider's causes of a refused login, in order, with where to look."""
    if not ctx.settings.mailcom:
        return (
            Step(
                title="Check the password",
                text=(
                    f"Log in to {ctx.provider}'s webmail with the password you believe is "
                    "right. If that fails too, the password changed: reset it there."
                ),
            ),
            Step(
                title="Check the provider's settings for mail apps",
                text=(
                    f"If two-factor authentication is on, {ctx.provider} may require an "
                    "app-specific password for mail apps: look for one in its security "
                    f"settings. {ctx.provider} may also require mail apps (IMAP or POP "
                    "access) to be allowed in its web settings."
                ),
            ),
        )
    password = Step(
        title="Has the password changed?",
        text=(
            "Log in at www.mail.com with the password you believe is right. If it fails there "
            "too, reset it at mail.com. If you changed it (in webmail, or on another device), "
            "the iPhone still has the old one: type the new one on the iPhone (below)."
        ),
    )
    two_factor = Step(
        title=f"Is {mailcom.TWO_FACTOR.text} on?",
        text=(
            f"{mailcom.APP_PASSWORD_NEEDED.capitalized}. If it was switched on after the "
            "iPhone was set up, or the app-specific password the iPhone used was removed, "
            f"create a new one in mail.com webmail: {mailcom.APP_PASSWORD_PATH.text}; "
            f"{mailcom.APP_PASSWORD_ONCE.text}, so type it on the iPhone (below) and here "
            "right away."
        ),
        facts=(
            mailcom.TWO_FACTOR,
            mailcom.APP_PASSWORD_NEEDED,
            mailcom.APP_PASSWORD_PATH,
            mailcom.APP_PASSWORD_ONCE,
        ),
    )
    access = Step(
        title="Is POP3 & IMAP access still on?",
        text=(
            f"Mail apps need {mailcom.ACCESS_SWITCH_NEEDED.text}: in mail.com webmail, "
            f"{mailcom.ACCESS_SWITCH_PATH.text} and allow access there, then save (help: "
            f"{mailcom.ACCESS_SWITCH_HELP.text}). It is {mailcom.PREMIUM.text}, so check that "
            f"your plan still includes it. Note that {mailcom.ACCESS_OFF_AGAIN.text}."
        ),
        facts=(
            mailcom.ACCESS_SWITCH_NEEDED,
            mailcom.ACCESS_SWITCH_PATH,
            mailcom.ACCESS_SWITCH_HELP,
            mailcom.PREMIUM,
            mailcom.ACCESS_OFF_AGAIN,
        ),
    )
    return (password, two_factor, access)


def _ssl_note(ctx: FixContext, endpoint: Endpoint) -> str:
    # The setup steps suggest the implicit-TLS port when a STARTTLS port will not connect;
    # when the check just found the role's other port failing here, that would send the
    # user to a port that does not work, so the note is left out.
    return "" if ctx.findings.failing(endpoint.role) else ssl_note(endpoint)


def _ssl_facts(ctx: FixContext, endpoint: Endpoint) -> tuple[Fact, ...]:
    return () if ctx.findings.failing(endpoint.role) else ssl_facts(endpoint)
