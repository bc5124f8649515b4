"""The way in, as a user meets it at 80x24: the account screen (the plan question before
the password, every option on the screen, a choice taken with Enter, the repair path's short
form), help that scrolls, leaving without losing what was typed, the command palette, a
refused password never sent again without a question, unexpected errors.

The check is a fake (``tests/fakes.py``) unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerState

from tests.fakes import FakeCheck, checked, focused, until, wizard_with
from tests.screen_text import screen_lines, visible_words
from tests.testbed import Testbed
from wizard.app import WizardApp
from wizard.core import access
from wizard.core.models import Account, CheckOptions, CheckReport, IncomingChoice, Plan, Role
from wizard.core.provider import MAILCOM_ID, Provider, builtin_provider, load_provider
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.error import ErrorScreen
from wizard.screens.help import HelpScreen
from wizard.screens.repair import RepairScreen
from wizard.screens.symptom import SymptomScreen
from wizard.screens.welcome import WelcomeScreen
from wizard.widgets.choice_row import ChoiceRow

SIZE = (80, 24)
PASSWORD = "Wrong-Horse-7"
RIGHT = "Correct-Horse-8"
FIELDS = ("name", "email", "password")


pytestmark = pytest.mark.usefixtures("no_keyring")


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


async def _until_account(pilot: Pilot[None]) -> AccountScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


async def _to_account(pilot: Pilot[None], *keys: str) -> AccountScreen:
    """From the welcome screen (``keys``: which choice) to the account screen."""
    await pilot.press(*keys, "enter")
    return await _until_account(pilot)


async def _checked(pilot: Pilot[None], check: FakeCheck) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, CheckScreen))
    await until(pilot, lambda: bool(check.accounts))


async def test_mail_com_asks_the_plan_before_the_password_and_keeps_the_answer(
    tmp_path: Path,
) -> None:
    check = _working()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_account(pilot)
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
        assert focused(app) is screen.query_one("#password", Input)
        await pilot.press(*PASSWORD, "enter")
        await _checked(pilot, check)
    assert check.accounts[0].plan is Plan.OLD_FREE


async def test_enter_alone_goes_through_as_not_sure(tmp_path: Path) -> None:
    check = _working()
    app = wizard_with(check, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _to_account(pilot)
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
        screen = await _to_account(pilot)
        assert not screen.query("#plan")
        assert screen.query_one("#email", Input).placeholder == "name@example.net"
        assert "Premium" not in visible_words(app.export_screenshot())
        await pilot.press(*"ann@example.net", "enter", *PASSWORD, "enter")
        await _checked(pilot, check)
    assert check.accounts[0].plan is None


async def test_every_option_is_on_the_screen_at_80x24(tmp_path: Path) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_account(pilot)
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
        await _to_account(pilot)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD)
        await pilot.press("tab", "right", "enter")
        await _checked(pilot, check)
    assert check.accounts[0].incoming is IncomingChoice.POP


async def test_the_footer_shows_every_key_of_the_account_screen_within_80_columns(
    tmp_path: Path,
) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_account(pilot)
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
        await until(pilot, lambda: isinstance(app.screen, SymptomScreen))
        await pilot.pause()
        await pilot.press("tab", "left", "enter")  # the iPhone uses POP; go on
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await pilot.pause()
        screen = app.screen
        shown = visible_words(app.export_screenshot())
        assert "Your name" not in shown and "Incoming mail" not in shown
        assert app.focused is screen.query_one("#email", Input)
        await pilot.press(*"ann@mail.com", "enter", *PASSWORD, "enter")
        # The answer's screen drawn before the app ends (a screen still mounting as the
        # app ends can trip Textual's Header).
        await until(pilot, lambda: isinstance(app.screen, RepairScreen))
        await pilot.pause()
    assert check.accounts[0].incoming is IncomingChoice.POP
    assert check.accounts[0].name == ""


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
        assert isinstance(dialog, ConfirmScreen) and "lock" in str(dialog.question)
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

    app = wizard_with(FakeCheck(lambda account, provider: checked(provider, account)), tmp_path)
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
