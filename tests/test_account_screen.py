"""The account screen as a user meets it at 80x24: the plan question before the password,
every option on the screen, a choice taken with Enter, the repair path's short form.

The check is a fake (``tests/fakes.py``): these tests are about the screen, not the servers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from textual.pilot import Pilot
from textual.widgets import Input

from tests.fakes import FakeCheck, checked, until, wizard_with
from tests.screen_text import screen_lines, visible_words
from wizard.app import WizardApp
from wizard.core import access
from wizard.core.models import IncomingChoice, Plan
from wizard.core.provider import builtin_provider
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.widgets.choice_row import ChoiceRow

SIZE = (80, 24)
PASSWORD = "Correct-Horse-7"


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _working() -> FakeCheck:
    return FakeCheck(lambda account, provider: checked(provider, account))


async def _account(pilot: Pilot[None], *keys: str) -> AccountScreen:
    """From the welcome screen (``keys``: which choice) to the account screen."""
    await pilot.press(*keys, "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


async def _checked(pilot: Pilot[None], check: FakeCheck) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, CheckScreen))
    await until(pilot, lambda: bool(check.accounts))


async def test_mail_com_asks_the_plan_before_the_password_and_keeps_the_answer(
    tmp_path: Path,
) -> None:
    check = _working()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _account(pilot)
        question = screen.query_one("#plan-question")
        plan = screen.query_one("#plan", ChoiceRow)
        password = screen.query_one("#password-row")
        # Said plainly and answered above the password, on the first screen.
        assert question.region.bottom <= plan.region.y < password.region.y < SIZE[1]
        shown = visible_words(app.export_screenshot())
        assert " ".join(access.PLAN_QUESTION.text.split()) in shown
        assert "Premium An older free account Not sure" in shown
        assert plan.pressed_button is not None and str(plan.pressed_button.label) == "Not sure"
        await pilot.press(*"Ann", "enter", *"ann@mail.com", "tab")
        assert app.focused is plan
        await pilot.press("left", "enter")  # an older free account; Enter goes on
        assert app.focused is screen.query_one("#password", Input)
        await pilot.press(*PASSWORD, "enter")
        await _checked(pilot, check)
    assert check.accounts[0].plan is Plan.OLD_FREE


async def test_enter_alone_goes_through_as_not_sure(tmp_path: Path) -> None:
    check = _working()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        await _checked(pilot, check)
    assert check.accounts[0].plan is Plan.NOT_SURE


async def test_another_provider_gets_no_plan_question_and_its_own_placeholder(
    tmp_path: Path,
) -> None:
    other = dataclasses.replace(
        builtin_provider(), id="example.net", display_name="Example Mail", domains=("example.net",)
    )
    check = _working()
    app = wizard_with(check, tmp_path, other)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _account(pilot)
        assert not screen.query("#plan")
        assert screen.query_one("#email", Input).placeholder == "name@example.net"
        assert "Premium" not in visible_words(app.export_screenshot())
        await pilot.press(*"ann@example.net", "enter", *PASSWORD, "enter")
        await _checked(pilot, check)
    assert check.accounts[0].plan is None


async def test_every_option_is_on_the_screen_at_80x24(tmp_path: Path) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _account(pilot)
        form = screen.query_one("#account-form")
        for selector in (
            "#name",
            "#email",
            "#plan",
            "#app-password",
            "#password",
            "#protocol",
            "#remember",
            "#round-trip",
            "#back",
            "#next",
        ):
            widget = screen.query_one(selector)
            area = form.region if form in widget.ancestors else screen.region
            assert area.contains_region(widget.region), (selector, widget.region, area)


async def test_pop_is_chosen_with_the_arrow_and_enter_checks(tmp_path: Path) -> None:
    """From the password: Tab to the choice, Right for POP, Enter checks with POP."""
    check = _working()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD)
        await pilot.press("tab", "right", "enter")
        await _checked(pilot, check)
    assert check.accounts[0].incoming is IncomingChoice.POP


async def test_the_footer_shows_every_key_of_the_account_screen_within_80_columns(
    tmp_path: Path,
) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _account(pilot)
        screen.query_one("#email", Input).value = "ann@mail.co"  # a suggestion: Ctrl+Y
        await until(pilot, lambda: screen.suggestion is not None)
        await pilot.pause(0.2)
        footer = screen_lines(app.export_screenshot())[SIZE[1] - 1]
    for key in ("esc Back", "^n Check", "^y Use suggestion", "^t Show", "f1 Help", "palette"):
        assert key in footer, (key, footer)


async def test_repair_asks_neither_the_name_nor_imap_or_pop(tmp_path: Path) -> None:
    """The iPhone's answer (POP) chose the protocol; a name plays no part in a repair."""
    check = _working()
    app: WizardApp = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # fix an account
        await pilot.pause()
        await pilot.press("tab", "left", "enter")  # the iPhone uses POP; go on
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await pilot.pause()
        screen = app.screen
        shown = visible_words(app.export_screenshot())
        assert "Your name" not in shown and "Incoming mail" not in shown
        assert app.focused is screen.query_one("#email", Input)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        await until(pilot, lambda: bool(check.accounts))
    assert check.accounts[0].incoming is IncomingChoice.POP
    assert check.accounts[0].name == ""
