"""Pilot tests of what the wizard refuses or adapts to: a provider with one incoming protocol,
a password with a line break, a name with a control character."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import Input, RadioButton, Static

from tests.fakes import FakeCheck, accepting, practice_target, until, wizard_with
from tests.pilot import SIZE, fill_account
from wizard.app import WizardApp
from wizard.core.models import Account, IncomingChoice
from wizard.core.provider import builtin_provider
from wizard.demo.practice import DEMO_EMAIL, DEMO_PASSWORD
from wizard.screens.account import AccountForm, AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.error import ErrorScreen

pytestmark = pytest.mark.usefixtures("no_keyring")


def practice_wizard(home: Path) -> WizardApp:
    """The demo's run, its check a fake that accepts the demo's password."""
    return wizard_with(FakeCheck(accepting(DEMO_PASSWORD)), home, practice_target())


@pytest.mark.parametrize(
    ("missing", "offered"),
    [(IncomingChoice.IMAP, IncomingChoice.POP), (IncomingChoice.POP, IncomingChoice.IMAP)],
    ids=["pop3-only", "imap-only"],
)
async def test_the_account_screen_offers_only_the_protocols_the_provider_has(
    tmp_path: Path, missing: IncomingChoice, offered: IncomingChoice
) -> None:
    """A POP3-only (or IMAP-only) provider file: the other choice is disabled, says why,
    the one that exists is chosen, and the check runs it (no error dialog)."""
    if missing is IncomingChoice.IMAP:
        provider = dataclasses.replace(builtin_provider(), display_name="One Way Mail", imap=())
    else:
        provider = dataclasses.replace(builtin_provider(), display_name="One Way Mail", pop3=())
    app = practice_wizard(tmp_path)
    app.provider = provider
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        screen = app.screen
        missing_button = screen.query_one(f"#{missing.value}", RadioButton)
        offered_button = screen.query_one(f"#{offered.value}", RadioButton)
        assert missing_button.disabled and not missing_button.value
        assert offered_button.value and not offered_button.disabled
        note = str(screen.query_one("#protocol-hint", Static).content)
        assert "One Way Mail has no" in note and missing.protocol.label in note
        await pilot.press("ctrl+n")
        await until(pilot, lambda: not isinstance(app.screen, AccountScreen))
        check = app.screen
        assert isinstance(check, CheckScreen), type(check).__name__
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, ErrorScreen)
                or (check.report is not None and not check.running)
            ),
            30,
        )
        assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack)
        assert check.report is not None
        assert check.report.incoming_choice is offered
        assert check.report.verified


async def test_a_pop_choice_kept_from_before_falls_back_on_an_imap_only_provider(
    tmp_path: Path,
) -> None:
    provider = dataclasses.replace(builtin_provider(), pop3=())
    before = AccountForm(Account(DEMO_EMAIL, DEMO_PASSWORD, incoming=IncomingChoice.POP))
    app = practice_wizard(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(AccountScreen(provider, previous=before))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        assert screen.query_one("#imap", RadioButton).value
        assert screen._form(back=False).account.incoming is IncomingChoice.IMAP


async def test_the_account_screen_refuses_a_password_with_a_line_break(tmp_path: Path) -> None:
    app = practice_wizard(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        # As a keyring prefill or a paste could bring it.
        app.screen.query_one("#password", Input).value = DEMO_PASSWORD + "\r\nDELE 1"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        status = str(app.screen.query_one("#password-status", Static).content)
        assert "line break" in status
        assert app.focused is app.screen.query_one("#password", Input)


async def test_the_account_screen_refuses_a_name_with_a_control_character(tmp_path: Path) -> None:
    app = practice_wizard(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD, name="Ann\x1b[2J")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        assert app.focused is app.screen.query_one("#name", Input)
        # Said next to the field, as every field's problem is.
        assert "control character" in str(app.screen.query_one("#name-status", Static).content)


async def test_ctrl_c_copies_selected_text_in_a_field_and_quits_only_without_one(
    tmp_path: Path,
) -> None:
    """Ctrl+C in a field with text selected copies it and the wizard stays; with nothing
    selected it quits, as everywhere else (tests/test_terminal.py, in a real terminal)."""
    app = practice_wizard(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        name = app.screen.query_one("#name", Input)
        name.focus()
        name.value = "Jane Doe"
        name.select_all()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.clipboard == "Jane Doe"
        assert app.is_running and isinstance(app.screen, AccountScreen)
        name.selection = name.selection.cursor(len(name.value))
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.is_running)
