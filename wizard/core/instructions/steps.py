"""iPhone Settings steps: a step says *which* password to type, never the password; every
menu path, label and message comes from the fact registry, and each step lists its facts."""

from __future__ import annotations

import re
from dataclasses import replace

from wizard.core import access
from wizard.core.facts import Fact, ios, mailcom
from wizard.core.instructions.ios import IOS_18_26_27, IosLayout, profile_place, resolve
from wizard.core.instructions.model import Instructions, Step, Value
from wizard.core.models import Alternative, Auth, Endpoint, IncomingChoice, MailSettings, Security
from wizard.core.wording import other_network


def build_instructions(settings: MailSettings, ios: int | IosLayout = IOS_18_26_27) -> Instructions:
    """The steps for ``settings`` on iOS version ``ios`` or on a whole layout; UsageError
    for a version before 11."""
    layout, version, note = resolve(ios)
    warning = None
    if not settings.verified:
        warning = (
            "These settings have NOT been checked with your account. They are "
            f"{settings.provider_name}'s usual servers, so they will probably work, but a "
            "blocked port or a login problem will only show up on the phone. Run the check "
            "first if you can."
        )
    return Instructions(
        layout=layout,
        settings=settings,
        steps=_steps(settings, layout),
        warning_unverified=warning,
        ios=version,
        version_note=note,
        before=_before(settings, layout if version is None else version),
    )


def _before(settings: MailSettings, ios: int | IosLayout) -> tuple[Step, ...]:
    notes = []
    if settings.mailcom:
        notes.append(Step("Before you start", access.PLAN_NOTE, facts=access.PLAN_QUESTION.facts))
    if isinstance(ios, IosLayout):
        first, last = profile_place(ios.versions[0]), profile_place(ios.versions[-1])
        place, facts = first if first == last else profile_place(None)
    else:
        place, facts = profile_place(ios)
    notes.append(
        Step(
            "Or install a profile",
            "Instead of typing all this, let this wizard make a configuration profile and "
            f"open it on the iPhone; then open Settings and {place}.",
            facts=facts,
        )
    )
    return tuple(notes)


def _steps(settings: MailSettings, layout: IosLayout) -> tuple[Step, ...]:
    incoming, outgoing, email = settings.incoming, settings.outgoing, settings.email
    choice = settings.incoming_choice.value.upper()  # IMAP or POP, as iOS says
    password = password_hint(settings)
    accounts = layout.accounts.text
    where = f"({layout.where.text}.) " if layout.where is not None else ""
    pop_note = ""
    if settings.incoming_choice is IncomingChoice.POP:
        pop_note = (
            " (POP downloads your mail to this iPhone; mail read here is not marked read on "
            "your other devices.)"
        )
    advanced = Step(
        "Check the incoming settings",
        f"{ios.PORTS_NOT_ASKED.text}, so check them once. Go back to Settings > {accounts}, "
        f"tap {email}, tap Account, then Advanced at the bottom. Under INCOMING SETTINGS, "
        "make sure of the values below, then go back and tap Done.",
        port_values(settings, incoming),
        (layout.accounts, ios.PORTS_NOT_ASKED, ios.ADVANCED, *port_facts(settings, incoming)),
    )
    smtp = Step(
        "Check the outgoing (SMTP) settings",
        f"On the Account screen, tap the SMTP row (it shows {outgoing.host}), then tap "
        f"{outgoing.host} (iOS may head the list PRIMARY SERVER). If Server Port does not "
        f"show {outgoing.port}, change it: {ios.SMTP_PORT_ORDER.text}. Make sure of the "
        "values below, then tap Done.",
        (
            *login_values(outgoing, email, password, "must be filled in"),
            *port_values(settings, outgoing),
        ),
        (
            ios.SMTP_ROW,
            ios.SMTP_FIELDS,
            ios.PORTS_NOT_ASKED,
            ios.SMTP_PORT_ORDER,
            *port_facts(settings, outgoing),
        ),
    )
    checklist = access.refusal_checklist(
        settings.provider_name, settings.mailcom, app_password=settings.app_password
    )
    messages = Step(
        "If iOS shows a message",
        f'"{ios.CANNOT_VERIFY.text}": the phone got a certificate that is not '
        f"{settings.provider_name}'s. This usually means the Wi-Fi you are on (hotel, "
        "school, office) or security software intercepts connections. Tap Cancel and do "
        "not trust the certificate; then try another network (below).\n"
        f'"{ios.NOT_RESPONDING.text}": this network blocks the port, or the '
        "certificate was refused. Check Server Port and Use SSL (steps "
        "{step:advanced} and {step:smtp}); then try another network (below).\n"
        f"{ios.WITHOUT_SSL.text}: always answer No. Without SSL your password would "
        "cross the network where others can read it.\n"
        f"{ios.WRONG_PASSWORD_MESSAGE.text}: type {password} again. If it is still "
        f"refused, check, in this order, {access.in_order(checklist)}:\n"
        f"{access.numbered(checklist)}\n"
        f"{other_network(checked_here=settings.verified and not settings.caveat)}",
        facts=(
            ios.CANNOT_VERIFY,
            ios.NOT_RESPONDING,
            ios.WITHOUT_SSL,
            ios.WRONG_PASSWORD_MESSAGE,
            ios.ADVANCED,
            *(fact for item in checklist for fact in item.facts),
        ),
    )
    steps = (
        Step(
            "Open the mail account settings",
            f"On the iPhone open Settings, then tap {accounts} > Add Account. {where}"
            f"{ios.SETTINGS_SEARCH.text}",
            facts=(*layout.facts, ios.SETTINGS_SEARCH),
        ),
        Step("Choose Other", f"Tap {ios.OTHER.text}.", facts=(ios.OTHER,)),
        Step(
            "Fill in the New Account sheet",
            "Type these four values, then tap Next.",
            (
                Value(
                    "Name",
                    settings.name or "your name",
                    "what people see when you write to them",
                    copyable=bool(settings.name),
                ),
                Value("Email", email, "the full address"),
                Value("Password", password, "type it yourself", copyable=False),
                Value("Description", email, "only shown on this iPhone; any text will do"),
            ),
            (ios.NEW_ACCOUNT_SHEET,),
        ),
        Step(
            f"Choose {choice}",
            f"{ios.FINDS_SERVERS.text}: tap {choice} there.{pop_note}\n"
            f"{ios.SKIPS_SERVER_SCREEN.text} and show the Mail and Notes switches straight "
            "away: then tap Save, and check every value in steps {step:advanced} and "
            "{step:smtp}, because iOS chose the servers and ports.\n"
            f"You can change your mind later: {ios.SECOND_ACCOUNT.text}.",
            (Value("Type", choice, "the switch at the top of the screen", copyable=False),),
            (ios.FINDS_SERVERS, ios.SKIPS_SERVER_SCREEN, ios.MAIL_NOTES_SAVE, ios.SECOND_ACCOUNT),
        ),
        Step(
            "Fill in Incoming Mail Server",
            "In the INCOMING MAIL SERVER section, type:",
            login_values(incoming, email, password),
            (ios.SERVER_SECTIONS,),
        ),
        Step(
            "Fill in Outgoing Mail Server",
            "In the OUTGOING MAIL SERVER section, type the following. "
            f"{ios.OUTGOING_OPTIONAL.text}: sending mail needs them.",
            login_values(outgoing, email, password),
            (ios.SERVER_SECTIONS, ios.OUTGOING_OPTIONAL),
        ),
        Step(
            "Tap Next, then Save",
            f'Tap Next and wait while iOS shows "{ios.VERIFYING.text}" (it can take a '
            f"minute). {ios.WITHOUT_SSL.text}, tap No or Cancel, never Yes (see step "
            f"{{step:messages}}). On {ios.MAIL_NOTES_SAVE.text}.",
            facts=(ios.VERIFYING, ios.WITHOUT_SSL, ios.MAIL_NOTES_SAVE),
        ),
        advanced,
        smtp,
        test_message(email),
        messages,
        Step(
            "After you change your password",
            f"Update it in two places, or sending or receiving stops: Settings > {accounts} > "
            f"{email} > Account > Password (incoming), and on the same screen SMTP > "
            f"{outgoing.host} > Password (outgoing).",
            facts=(layout.accounts, ios.PASSWORD_PLACES),
        ),
    )
    # Cross references ("see step 8") are written as placeholders ("{step:smtp}") so that
    # reordering or adding a step cannot leave a stale number behind.
    named = {"advanced": advanced, "smtp": smtp, "messages": messages}
    numbers = {f"{{step:{name}}}": str(steps.index(step) + 1) for name, step in named.items()}
    return tuple(
        replace(step, text=re.sub(r"\{step:\w+\}", lambda m: numbers.get(m[0], m[0]), step.text))
        for step in steps
    )


def user_name(endpoint: Endpoint, email: str) -> Value:
    username = endpoint.username(email)
    if username == email:
        note = "the full address, with @"
    elif username == email.partition("@")[0]:
        note = "only the part before the @"
    else:
        note = "exactly as shown: the provider's form, not your address"
    return Value("User Name", username, note)


def password_hint(settings: MailSettings) -> str:
    if settings.app_password:
        return (
            "the app-specific password you created "
            f"(not your normal {settings.provider_name} password)"
        )
    return f"your {settings.provider_name} password"


def install_password_hint(settings: MailSettings) -> str:
    if settings.app_password:
        return password_hint(settings)
    return (
        f"your {settings.provider_name} password (or the app-specific password, if "
        f"{mailcom.TWO_FACTOR.text} is on)"
    )


def login_values(
    endpoint: Endpoint, email: str, password: str, note: str = "type it yourself"
) -> tuple[Value, ...]:
    return (
        Value("Host Name", endpoint.host),
        user_name(endpoint, email),
        Value("Password", password, note, copyable=False),
    )


def port_values(settings: MailSettings, endpoint: Endpoint) -> tuple[Value, ...]:
    """Use SSL, Authentication and Server Port; beside Use SSL for a STARTTLS port, an SSL
    port of the same server the provider lists and the check did not find failing."""
    alternative = _ssl_alternative(settings, endpoint)
    ssl = ""
    if alternative is not None:
        reached = " (the check reached it)" if alternative.works else ""
        ssl = f"{ios.STARTTLS_USE_SSL.text} port {alternative.endpoint.port}{reached}"
    auth = Value("Authentication", "Password", copyable=False)
    if endpoint.auth is Auth.CRAM_MD5:
        note = f"tap Authentication and choose it: {settings.provider_name} expects this login"
        auth = Value("Authentication", ios.MD5_CHALLENGE.text, note, copyable=False)
    return (
        Value("Use SSL", "On", ssl, copyable=False),
        auth,
        Value("Server Port", str(endpoint.port)),
    )


def port_facts(settings: MailSettings, endpoint: Endpoint) -> tuple[Fact, ...]:
    ssl = (ios.STARTTLS_USE_SSL,) if _ssl_alternative(settings, endpoint) else ()
    return ssl + ((ios.MD5_CHALLENGE,) if endpoint.auth is Auth.CRAM_MD5 else ())


def test_message(email: str) -> Step:
    return Step(
        "Send yourself a test message",
        f"Open the Mail app, write a short message to {email} and send it. When it arrives, "
        "both sending and receiving work.",
    )


def _ssl_alternative(settings: MailSettings, endpoint: Endpoint) -> Alternative | None:
    if endpoint.security is not Security.STARTTLS:
        return None
    candidates = [
        alternative
        for alternative in settings.alternatives
        if alternative.works is not False
        and alternative.endpoint.security is Security.SSL
        and alternative.endpoint.protocol is endpoint.protocol
        and alternative.endpoint.host == endpoint.host
    ]
    # One the check reached first, then one it did not try (``--no-verify``).
    return min(candidates, key=lambda alternative: not alternative.works, default=None)
