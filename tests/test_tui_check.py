"""Pilot tests of the check screen and what follows it, driven by a fake check.

The fake (``tests.fakes``) answers with reports worded by the real diagnosis, so these
tests see what a real check would make the screens show, without a server: the rows, the
panel, retry and back, continue unverified, escape, the steps' tabs, the error dialog.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static, TabbedContent

from tests.fakes import FakeCheck, accepting, checked, practice_target, until, wizard_with
from tests.pilot import (
    SIZE,
    fill_account,
    panel_text,
    row_text,
    run_check_to_end,
    start_check,
    type_into,
)
from wizard.app import WizardApp
from wizard.core.diagnosis import short_words
from wizard.core.errors import ResourceLimitError
from wizard.core.models import CheckReport, Role, Status
from wizard.core.provider import builtin_provider
from wizard.demo.practice import DEMO_EMAIL, DEMO_PASSWORD
from wizard.screens.account import AccountScreen
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.error import ErrorScreen
from wizard.screens.instructions import InstructionsScreen
from wizard.screens.result import ResultScreen
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.role_row import RoleRow

pytestmark = pytest.mark.usefixtures("no_keyring")


async def test_step_tabs_name_the_ios_versions_and_keys_switch_them(tmp_path: Path) -> None:
    """The tabs say iOS 18, 26, 27 / 14-17 / 11-13; 1, 2 and 3 switch between them."""
    app = wizard_with(FakeCheck(accepting(DEMO_PASSWORD)), tmp_path, practice_target())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        await run_check_to_end(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        tabs = app.screen.query_one("#ios-tabs", TabbedContent)
        labels = [str(tabs.get_tab(key).label) for key in ("ios-18", "ios-14", "ios-11")]
        assert labels == ["iOS 18, 26, 27", "iOS 14-17", "iOS 11-13"]
        for key, tab_id, path in (
            ("3", "ios-11", "Passwords & Accounts"),
            ("2", "ios-14", "Mail > Accounts"),
            ("1", "ios-18", "Apps > Mail > Mail Accounts"),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab_id
            pane_text = " ".join(
                str(w.content) for w in app.screen.query_one(f"#{tab_id}").query(Static)
            )
            assert f"Settings, then tap {path} > Add Account" in pane_text
            assert "Settings > General > About" in pane_text


async def test_wrong_password_then_back_keeps_fields_and_fix_works(tmp_path: Path) -> None:
    """A wrong password ends in the login diagnosis; Back keeps what was typed."""
    app = wizard_with(FakeCheck(accepting(DEMO_PASSWORD)), tmp_path, practice_target())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, "not-the-password", name="Ann Other")
        screen = await run_check_to_end(pilot)
        assert screen.report is not None and not screen.report.verified
        assert screen.report.incoming.status is Status.AUTH_FAILED
        assert any("login refused" in row_text(screen, e.key) for e in screen.endpoints)
        assert screen.report.incoming.title in panel_text(screen)
        assert not screen.query_one("#send").display
        assert screen.query_one("#continue-unverified").display

        first_report = screen.report
        await pilot.press("r")  # Retry after a refusal asks first: it risks a lockout
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await until(pilot, lambda: screen.report is not first_report and not screen.running, 30)
        assert screen.report is not None and not screen.report.verified

        await pilot.press("escape")  # Back to the account
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        account = app.screen
        assert account.query_one("#name", Input).value == "Ann Other"
        assert account.query_one("#email", Input).value == DEMO_EMAIL
        assert account.query_one("#password", Input).value == "not-the-password"
        await type_into(pilot, "#password", DEMO_PASSWORD)
        screen = await run_check_to_end(pilot)
        assert screen.report is not None and screen.report.verified


async def test_continue_unverified_needs_confirmation_and_is_marked(tmp_path: Path) -> None:
    """Continuing after a failure asks first, and the result says the settings are unverified."""
    refused = FakeCheck(
        lambda account, provider: checked(provider, account, refused={Role.INCOMING, Role.OUTGOING})
    )
    app = wizard_with(refused, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, "ann@mail.com", "wrong")
        screen = await run_check_to_end(pilot)
        assert [account.password for account in refused.accounts] == ["wrong"]
        await pilot.press("c")  # Continue is not possible while unverified
        assert app.screen is screen
        await pilot.click("#continue-unverified")
        await pilot.pause()
        await pilot.press("escape")  # the dialog's safe answer
        await pilot.pause()
        assert app.screen is screen
        await pilot.click("#continue-unverified")
        await pilot.pause()
        await pilot.click("#yes")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        result = app.screen
        assert isinstance(result, ResultScreen) and not result.settings.verified
        assert "Unverified" in str(result.query_one("#result-verdict", Static).content)


async def test_blocked_smtp_port_uses_the_other_one(tmp_path: Path) -> None:
    """SMTP 465 never answers: the check still verifies, through 587, and says so."""
    blocked_465 = FakeCheck(
        lambda account, provider: checked(provider, account, {465: Status.TIMEOUT})
    )
    app = wizard_with(blocked_465, tmp_path, practice_target("blocked-465"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        screen = await run_check_to_end(pilot)
        report = screen.report
        assert report is not None and report.verified
        assert report.outgoing.endpoint.security.value == "starttls"
        blocked = next(
            a for a in report.attempts if a.endpoint.role.value == "outgoing" and not a.ok
        )
        assert row_text(screen, blocked.endpoint.key).startswith("✗")
        sending = screen.query_one("#role-outgoing", RoleRow).status_text
        # The core's words for what the check saw there (a port that never answers
        # is "blocked here"; one that accepts and goes quiet "stopped answering").
        assert sending == (
            f"✓ works on port {report.outgoing.endpoint.port} "
            f"({blocked.endpoint.port} {short_words(blocked, report)})"
        )


async def test_escape_cancels_a_running_check_at_once(tmp_path: Path) -> None:
    """A check that would wait for ever: Escape shows Cancelled at once, a second goes back."""
    held = FakeCheck(lambda account, provider: checked(provider, account), hold=True)
    app = wizard_with(held, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, "ann@mail.com", "secret")
        screen = await start_check(pilot)
        await until(pilot, lambda: any(r.running for r in screen.query(EndpointRow)))
        await pilot.press("escape")
        await until(pilot, lambda: not screen.running, 1)
        await app.workers.wait_for_complete()
        assert "Cancelled" in str(screen.query_one("#check-summary", Static).content)
        assert all(row_text(screen, e.key) == "cancelled" for e in screen.endpoints)
        assert screen.report is None
        assert app.screen is screen  # the first Escape cancels, it does not leave
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))


async def test_unexpected_error_shows_one_dialog_without_the_password(tmp_path: Path) -> None:
    """A bug in a worker: one dialog, password scrubbed, Start over keeps the fields."""
    secret = "Very-Secret-Passw0rd"

    async def broken_check(*args: object, **kwargs: object) -> CheckReport:
        raise RuntimeError(f"engine bug while logging in with {secret}")

    app = WizardApp(builtin_provider(), home=tmp_path, check=broken_check)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, "ann@mail.com", secret)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        dialog = app.screen
        assert isinstance(dialog, ErrorScreen)
        assert "engine bug" in dialog.summary and secret not in dialog.summary
        assert "[password removed]" in dialog.details and secret not in dialog.details
        assert sum(isinstance(s, ErrorScreen) for s in app.screen_stack) == 1
        await pilot.press("c")
        assert app.clipboard == dialog.details
        await pilot.click("#start-over")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        assert app.screen.query_one("#password", Input).value == secret
        assert app.is_running


async def test_a_check_that_cannot_go_on_says_why_on_the_screen(tmp_path: Path) -> None:
    """This computer out of file descriptors: the screen says so, offers Retry, no dialog."""

    async def no_descriptors(*args: object, **kwargs: object) -> CheckReport:
        raise ResourceLimitError("this computer cannot open another connection (too many)")

    app = WizardApp(practice_target(), home=tmp_path, check=no_descriptors)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        screen = await start_check(pilot)
        await until(pilot, lambda: not screen.running)
        summary = str(screen.query_one("#check-summary", Static).content)
        assert "The check stopped" in summary and "too many" in summary
        assert screen.stage == "failed" and app.focused is screen.query_one("#retry")
        assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack)
