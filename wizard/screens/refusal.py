"""A refused password goes to the servers again, and unverified settings are used, only after
the user says so: every failed login counts against the account (mail.com may lock one)."""

from __future__ import annotations

from textual.content import Content

from wizard.core.access import refused_note
from wizard.core.models import Account
from wizard.core.provider import Provider
from wizard.screens.confirm import ConfirmScreen

RETRY_RISK = (
    "$name refused this password. If it is wrong, or mail apps are not allowed for the "
    "account, logging in again fails again, and $name may lock an account after repeated "
    "failed logins. Change the password (or fix the setting) first if you can."
)


def password_note(provider: Provider, account: Account) -> str:
    """Under the password after a refusal: what to look at, and why it is not simply resent."""
    name = provider.display_name
    note = refused_note(
        name, provider.is_mailcom, app_password=account.app_password, plan=account.plan
    )
    return (
        f"{note} The same password is sent again only after you confirm it: {name} may lock "
        "an account after repeated failed logins."
    )


def retry_question(provider: Provider) -> ConfirmScreen:
    """True: send the refused password again."""
    risk = Content.from_markup(RETRY_RISK, name=provider.display_name)
    return ConfirmScreen("Try the same password again?", risk, yes="Retry anyway", no="Don't retry")


def unverified_question(provider: Provider) -> ConfirmScreen:
    """True: go on without a verified login, marked unverified."""
    return ConfirmScreen(
        "Continue without a verified login?",
        Content.from_markup(
            "The settings have not been proven to work. The steps and the profile will use "
            "$name's usual servers and will be marked [b]unverified[/b]; mail may not work "
            "until the problem is fixed.",
            name=provider.display_name,
        ),
        yes="Continue unverified",
        no="Stay here",
    )
