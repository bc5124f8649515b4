"""The way in, app-wide: help that scrolls, leaving without losing what was typed, the
command palette, a refused password never sent again without a question.

The check is a fake (``tests/fakes.py``) unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerState

from tests.fakes import FakeCheck, checked, until, wizard_with
from tests.testbed import Testbed
from wizard.app import WizardApp
from wizard.core.models import Account, CheckOptions, CheckReport, Role
from wizard.core.provider import MAILCOM_ID, Provider, load_provider
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.error import ErrorScreen
from wizard.screens.help import HelpScreen
from wizard.screens.repair import RepairScreen
from wizard.screens.symptom import SymptomScreen
from wizard.screens.welcome import WelcomeScreen

SIZE = (80, 24)
PASSWORD = "Wrong-Horse-7"
RIGHT = "Correct-Horse-8"
FIELDS = ("name", "email", "password")


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _working() -> FakeCheck:
    return FakeCheck(lambda account, provider: checked(provider, account))


@pytest.mark.parametrize("key", ["down", "pagedown", "end"])
async def test_help_scrolls_with_the_keys_while_close_has_focus(tmp_path: Path, key: str) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0  # the text is longer than the dialog at 80x24
        assert app.focused is app.screen.query_one("#close")
        await pilot.press(key)
        await until(pilot, lambda: body.scroll_y > 0, 2)
        await pilot.press("enter")  # Close still has focus: Enter closes
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), 2)


async def _to_account(pilot: Pilot[None], *keys: str) -> AccountScreen:
    await pilot.press(*keys, "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


async def test_escape_twice_with_something_typed_asks_before_quitting(tmp_path: Path) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
        await pilot.press(*"Ann", "enter", *"ann@mail.com", "enter", *PASSWORD)
        await pilot.press("escape")  # back to the first screen, nothing lost
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("escape")  # quit? Not without a question
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # the safe answer has focus: stay
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        assert app.is_running
        screen = await _to_account(pilot)
        values = [screen.query_one(f"#{name}", Input).value for name in FIELDS]
        assert values == ["Ann", "ann@mail.com", PASSWORD]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await until(pilot, lambda: not app.is_running, 2)
    assert app.return_code in (None, 0)


async def test_escape_with_nothing_typed_quits_at_once(tmp_path: Path) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not app.is_running, 2)


async def test_the_palette_offers_help_theme_keys_and_quit_only(tmp_path: Path) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for screen in (app.screen, await _to_account(pilot)):
            titles = sorted(command.title for command in app.get_system_commands(screen))
            assert titles == ["Help", "Keys", "Quit", "Theme"], titles


def _refusing() -> FakeCheck:
    """A check that refuses every password but RIGHT (as a server would)."""

    def answer(account: Account, provider: Provider) -> CheckReport:
        refused = () if account.password == RIGHT else (Role.INCOMING, Role.OUTGOING)
        return checked(provider, account, refused=refused)

    return FakeCheck(answer)


async def _refused(pilot: Pilot[None]) -> CheckScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, CheckScreen))
    screen = pilot.app.screen
    assert isinstance(screen, CheckScreen)
    await until(pilot, lambda: screen.report is not None and not screen.running, 30)
    await pilot.pause()
    return screen


async def test_a_refused_password_is_not_sent_again_without_a_question(tmp_path: Path) -> None:
    """Enter on Change the password, Enter again: a question, not a second login."""
    check = _refusing()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        screen = await _refused(pilot)
        assert app.focused is screen.query_one("#change-password")
        await pilot.press("enter")
        account = await _until_account(pilot)
        note = str(account.query_one("#password-status", Static).content)
        assert "refused this password" in note and "confirm" in note and "lock" in note
        await pilot.press("enter")  # the same password
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and "lock" in dialog.question
        await pilot.press("enter")  # the safe answer has focus: back to the password
        await _until_account(pilot)
        assert len(check.accounts) == 1  # one login, not two
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")  # a deliberate yes sends it again
        await _refused(pilot)
        assert len(check.accounts) == 2
        await pilot.press("escape")  # back by Escape: the same rule for Check
        await _until_account(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await _until_account(pilot)
        assert len(check.accounts) == 2
        await pilot.press(*RIGHT, "enter")  # another password (typed over it) goes at once
        await until(pilot, lambda: len(check.accounts) == 3)


async def test_check_again_from_a_repair_asks_before_the_same_refused_password(
    tmp_path: Path,
) -> None:
    check = _refusing()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # fix an account
        await until(pilot, lambda: isinstance(app.screen, SymptomScreen))
        await pilot.press("enter")
        await _until_account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        await until(pilot, lambda: isinstance(app.screen, RepairScreen), 10)
        await pilot.press("r")  # check again
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # don't retry: the answer again
        await until(pilot, lambda: isinstance(app.screen, RepairScreen))
        assert len(check.accounts) == 1


async def _until_account(pilot: Pilot[None]) -> AccountScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


@pytest.mark.servers
async def test_dovecot_sees_one_refused_login_not_two(testbed: Testbed, tmp_path: Path) -> None:
    """Against the real servers: after the refusal, Enter, Enter and Enter (the safe answer)
    send no second login; Dovecot's log counts the failures (IMAP and Postfix's SASL)."""
    testbed.require_postfix()
    provider = load_provider(testbed.provider_file(tmp_path, provider_id=MAILCOM_ID))
    options = CheckOptions(timeout=5, cafile=testbed.cafile)
    app = WizardApp(provider, options, home=tmp_path, serve_host="127.0.0.1")
    email = testbed.alice.email
    before = testbed.password_mismatches(email)
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
        await pilot.press(*email, "enter", *PASSWORD, "enter")
        screen = await _refused(pilot)
        assert screen.report is not None and not screen.report.verified
        await pilot.press("enter")  # Change the password
        await _until_account(pilot)
        await pilot.press("enter")  # the same password: a question
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # the safe answer
        await _until_account(pilot)
        await until(pilot, lambda: testbed.password_mismatches(email) >= before + 2, 10)
        await pilot.pause(1.0)  # time for a second login to show, were there one
    assert testbed.password_mismatches(email) == before + 2


async def test_a_password_another_server_accepted_is_not_called_wrong(tmp_path: Path) -> None:
    """IMAP refuses, SMTP accepts the same password: it is right. Back on the account
    screen nothing says to type it again, and checking again (after switching access on)
    needs no question."""
    check = FakeCheck(
        lambda account, provider: checked(provider, account, refused=(Role.INCOMING,))
    )
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        await _refused(pilot)
        assert app.focused is not None and app.focused.id != "change-password"
        await pilot.press("escape")
        account = await _until_account(pilot)
        note = str(account.query_one("#password-status", Static).content)
        assert "again" not in note and "refused this password" not in note
        await pilot.press("ctrl+n")
        await until(pilot, lambda: len(check.accounts) == 2)
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_second_failure_while_the_error_dialog_is_open_adds_no_dialog(
    tmp_path: Path,
) -> None:
    """Two bugs in background work: one dialog, the password marked in its details."""

    async def broken(account: Account, *args: object) -> CheckReport:
        raise RuntimeError(f"a bug near {account.password}")

    def also_broken() -> None:
        raise ValueError("another bug")

    app = wizard_with(FakeCheck(checked), tmp_path)
    app.check = broken
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        await until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        dialog = app.screen
        assert isinstance(dialog, ErrorScreen)
        assert PASSWORD not in dialog.summary + dialog.details
        worker = app.run_worker(also_broken, thread=True, exit_on_error=False)
        await until(pilot, lambda: worker.state is WorkerState.ERROR)
        await pilot.pause()
        assert app.screen is dialog
        assert sum(isinstance(screen, ErrorScreen) for screen in app.screen_stack) == 1
        await pilot.press("escape")  # start over: the account as it was typed
        account = await _until_account(pilot)
        assert account.query_one("#password", Input).value == PASSWORD
