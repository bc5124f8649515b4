"""The repair's steps on the phone, built as the setup steps are: every path and label from the
fact registry, for the user's iOS layout, never the password."""

from __future__ import annotations

from wizard.core import access
from wizard.core.facts import ios
from wizard.core.instructions import Step, Value, login_values, port_facts, port_values, user_name
from wizard.core.models import Endpoint, Protocol, Role
from wizard.core.repair.context import FixContext
from wizard.core.wording import other_network as try_other_network


def open_account(ctx: FixContext) -> Step:
    where = f" ({ctx.layout.where.text}.)" if ctx.layout.where is not None else ""
    return Step(
        "Open the account on the iPhone",
        f"On the iPhone open Settings, then tap {ctx.accounts}, then the account for "
        f"{ctx.settings.email}, then Account.{where} {ios.SETTINGS_SEARCH.text}",
        facts=(*ctx.layout.facts, ios.SETTINGS_SEARCH, ios.PASSWORD_PLACES),
    )


def both_passwords(ctx: FixContext) -> Step:
    return Step(
        "Type the current password in both places",
        f"The iPhone keeps the password twice: Settings > {ctx.accounts} > the account > "
        f"{ios.PASSWORD_PLACES.text}. Type {ctx.password} in both: first in Password on "
        f"the Account screen, then {ios.SMTP_ROW.text}, which is {ctx.settings.outgoing.host}, "
        "and in its Password. Tap Done.",
        values=(
            user_name(ctx.settings.incoming, ctx.settings.email),
            Value("Password", ctx.password, "type it yourself", copyable=False),
        ),
        facts=(ctx.layout.accounts, ios.PASSWORD_PLACES, ios.SMTP_ROW, *ctx.password_facts),
    )


def outgoing_server(ctx: FixContext, endpoint: Endpoint, title: str) -> Step:
    return Step(
        title,
        f"On the Account screen, {ios.SMTP_ROW.text}: it is {endpoint.host}. Set Server "
        f"Port to {endpoint.port} and make sure of the values below. "
        f"{ios.OUTGOING_OPTIONAL.text}: sending mail needs them. Then tap Done.",
        values=(
            *login_values(endpoint, ctx.settings.email, ctx.password, "must be filled in"),
            *port_values(ctx.settings, endpoint),
        ),
        facts=(
            ios.SMTP_ROW,
            ios.SMTP_FIELDS,
            ios.OUTGOING_OPTIONAL,
            *port_facts(ctx.settings, endpoint),
            *ctx.password_facts,
        ),
    )


def server_step(ctx: FixContext, role: Role, title: str) -> Step:
    """The values of ``role``'s server that work here, where the phone keeps them."""
    if role is Role.OUTGOING:
        return outgoing_server(ctx, ctx.settings.outgoing, title)
    port = ctx.settings.incoming.port
    return Step(
        title,
        "On the Account screen, tap Advanced at the bottom. Under INCOMING SETTINGS, set "
        f"Server Port to {port} and make sure of the values below; then go back and tap Done.",
        port_values(ctx.settings, ctx.settings.incoming),
        (ios.ADVANCED, *port_facts(ctx.settings, ctx.settings.incoming)),
    )


def other_network(ctx: FixContext, *, then: str = "") -> Step:
    """Wi-Fi against mobile data: the quickest test of whether a network is the cause."""
    return Step(
        "Try the iPhone on another network",
        f"{try_other_network(checked_here=ctx.findings.login_worked)} Then open Mail and "
        "wait a minute. If mail works there, the first network is the cause: use another "
        f"one for mail, or ask whoever runs it.{then}",
    )


NEVER_TRUST = Step(
    "Never trust the certificate",
    f'When the iPhone shows "{ios.CANNOT_VERIFY.text}", tap Cancel. Do not trust the '
    "certificate and do not switch SSL off: whoever made that certificate could read "
    "your password and your mail.",
    facts=(ios.CANNOT_VERIFY,),
)
NEVER_WITHOUT_SSL = Step(
    "Never set the account up without SSL",
    f"{ios.WITHOUT_SSL.text} on the iPhone, answer No, and keep Use SSL on: without it, "
    "your password and your mail would cross the network where others can read them.",
    facts=(ios.WITHOUT_SSL,),
)
CLOCKS = Step(
    "Check the date and time",
    "Make sure the date and time are right on the iPhone and on this computer. A clock "
    "that is wrong by days makes a valid certificate look out of date.",
)


def checklist(ctx: FixContext, protocol: Protocol | None = None) -> tuple[access.Item, ...]:
    """The provider's causes of a refused login, in the one order every screen uses
    (``protocol``: only it was refused while another server accepted the password)."""
    return access.refusal_checklist(
        ctx.provider,
        ctx.settings.mailcom,
        app_password=ctx.settings.app_password,
        password_right=protocol is not None,
        protocol=protocol,
    )


def cause_steps(items: tuple[access.Item, ...]) -> tuple[Step, ...]:
    return tuple(Step(item.title, item.text, facts=item.facts) for item in items)
