"""What lets a mail app into the mailbox: the one refusal checklist every screen names in one
order (``refusal_checklist``, as data), and mail.com's plan question (``PLAN_QUESTION``)."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.facts import Fact, mailcom
from wizard.core.models import Plan, Protocol
from wizard.core.wording import listed

#: The plan rule, said first when a login is refused and before the iPhone steps.
PLAN_NOTE = f"{mailcom.PLAN_RULE.capitalized}. {mailcom.FREE_ALTERNATIVES.capitalized}."


@dataclass(frozen=True)
class Item:
    """One cause of a refused login: the question ("Is POP3/IMAP access on?"), a few words
    naming it in a sentence of causes, and what to check and where."""

    key: str
    title: str
    short: str
    text: str
    facts: tuple[Fact, ...] = ()


def _plan(old_free: bool) -> Item:
    said = " You said yours is an older free account: if it is newer, this is the cause."
    return Item(
        "plan",
        "Does your mail.com plan let mail apps in?",
        "your mail.com plan",
        f"{mailcom.PLAN_RULE.capitalized}.{said * old_free} "
        f"{mailcom.FREE_ALTERNATIVES.capitalized}.",
        (mailcom.PLAN_RULE, mailcom.FREE_ALTERNATIVES),
    )


def _access(name: str, mailcom_words: bool, protocol: Protocol | None) -> Item:
    if not mailcom_words:
        what = f"{protocol.label} access" if protocol else "mail apps (IMAP or POP access)"
        return Item(
            "access",
            f"Does {name} allow {what}?",
            f"{name}'s settings for mail apps",
            f"{name} may require {what} to be allowed in its web settings first.",
        )
    return Item(
        "access",
        "Is POP3/IMAP access on?",
        "POP3/IMAP access",
        f"Mail apps need {mailcom.ACCESS_SWITCH_NEEDED.text}: in mail.com webmail, "
        f"{mailcom.ACCESS_SWITCH_PATH.text} and allow access there, then save (help: "
        f"{mailcom.ACCESS_SWITCH_HELP.text}). {mailcom.ACCESS_OFF_AGAIN.capitalized}.",
        (
            mailcom.ACCESS_SWITCH_NEEDED,
            mailcom.ACCESS_SWITCH_PATH,
            mailcom.ACCESS_SWITCH_HELP,
            mailcom.ACCESS_OFF_AGAIN,
        ),
    )


def _two_factor(name: str, mailcom_words: bool, app_password: bool) -> Item:
    if not mailcom_words:
        return Item(
            "two-factor",
            "Is two-factor authentication on?",
            "two-factor authentication",
            f"Then {name} may require an app-specific password for mail apps: look "
            f"for one in {name}'s security settings.",
            (mailcom.TWO_FACTOR,),
        )
    again = (
        "The app-specific password may have been mistyped or removed: create a new one"
        if app_password
        else f"{mailcom.APP_PASSWORD_NEEDED.capitalized}: create one"
    )
    return Item(
        "two-factor",
        f"Is {mailcom.TWO_FACTOR.text} on?",
        mailcom.TWO_FACTOR.text,
        f"{again} in mail.com webmail: {mailcom.APP_PASSWORD_PATH.text}; "
        f"{mailcom.APP_PASSWORD_ONCE.text}, so type it in right away.",
        (
            mailcom.TWO_FACTOR,
            mailcom.APP_PASSWORD_NEEDED,
            mailcom.APP_PASSWORD_PATH,
            mailcom.APP_PASSWORD_ONCE,
        ),
    )


def _password(name: str, mailcom_words: bool) -> Item:
    webmail = "at www.mail.com" if mailcom_words else f"to {name}'s webmail"
    return Item(
        "password",
        "Is the password right?",
        "the password",
        f"Check Caps Lock and the keyboard layout, and try logging in {webmail} with the same "
        "password. If webmail asks you to confirm something, do that first; if the password "
        "fails there too, reset it there. A password changed elsewhere must be typed again "
        "everywhere.",
    )


def _other_protocol(protocol: Protocol) -> Item:
    other = "IMAP" if protocol is Protocol.POP3 else "POP"
    return Item(
        "other-protocol",
        f"Would {other} work instead?",
        f"{other} instead of {protocol.label}",
        f"Some accounts allow only one of IMAP and POP: check again with {other}.",
    )


def refusal_checklist(
    name: str,
    mailcom_words: bool,
    *,
    plan: Plan | None = None,
    app_password: bool = False,
    password_right: bool = False,
    protocol: Protocol | None = None,
) -> tuple[Item, ...]:
    """The causes of a refused login, most likely first, in the one order every screen uses;
    ``password_right``: another server accepted it, so only ``protocol``'s access is in doubt."""
    # The plan leads unless the user said which they have, or the password is right (the
    # plan covers every protocol alike).
    items: list[Item] = [_access(name, mailcom_words, protocol if password_right else None)]
    if mailcom_words and plan is not Plan.PREMIUM:
        if plan is Plan.OLD_FREE or password_right:
            items.append(_plan(old_free=plan is Plan.OLD_FREE))
        else:
            items.insert(0, _plan(old_free=False))
    if password_right:
        if protocol is not None and protocol is not Protocol.SMTP:
            items.append(_other_protocol(protocol))
        return tuple(items)
    return (*items, _two_factor(name, mailcom_words, app_password), _password(name, mailcom_words))


def in_order(items: tuple[Item, ...]) -> str:
    """The items named in order, for one sentence: "your plan, POP3/IMAP access and ..."."""
    return listed([item.short for item in items])


def numbered(items: tuple[Item, ...]) -> str:
    """The items as a numbered list, question and answer in one paragraph each."""
    return "\n".join(f"{n}. {item.title} {item.text}" for n, item in enumerate(items, start=1))


def app_password_help(name: str, mailcom_words: bool) -> str:
    """Where the app-specific password comes from (the account screen's note)."""
    return _two_factor(name, mailcom_words, app_password=False).text


def refused_note(
    name: str, mailcom_words: bool, *, app_password: bool, plan: Plan | None = None
) -> str:
    """Under the password field after a refusal: what to look at, in order, before again."""
    what = "this app-specific password" if app_password else "this password"
    items = refusal_checklist(name, mailcom_words, plan=plan, app_password=app_password)
    return f"{name} refused {what}. Check, in this order: {in_order(items)}."


@dataclass(frozen=True)
class PlanQuestion:
    """mail.com's plan question, asked before the password: the rule, and the answers."""

    text: str
    answers: tuple[tuple[Plan, str], ...]
    facts: tuple[Fact, ...]


#: Asked before any password (mail.com only): a newer free account learns at once what it can
#: do instead; "not sure" goes on, and a refusal's advice then leads with the plan.
PLAN_QUESTION = PlanQuestion(
    text=f"{PLAN_NOTE} Which do you have?",
    answers=(
        (Plan.PREMIUM, "Premium"),
        (Plan.OLD_FREE, "An older free account"),
        (Plan.NOT_SURE, "Not sure"),
    ),
    facts=(mailcom.PLAN_RULE, mailcom.FREE_ALTERNATIVES),
)


def plan_question(mailcom_words: bool) -> PlanQuestion | None:
    """mail.com's plan question, to ask before any password (None for another provider)."""
    return PLAN_QUESTION if mailcom_words else None
