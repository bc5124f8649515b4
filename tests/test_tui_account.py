"""Pilot tests of the account screen, driven by a fake check: the keyring box, help and the
command palette, a bad address.

The fake check (``tests.fakes``) accepts the demo's password; the keyring is a real backend
that keeps secrets in memory, or none at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Static

from tests.fakes import FakeCheck, accepting, practice_target, until, wizard_with
from tests.keyring_backends import MemoryKeyring
from tests.pilot import SIZE, fill_account, run_check_to_end, type_into
from wizard.app import WizardApp
from wizard.core import secrets
from wizard.core.provider import builtin_provider
from wizard.demo.practice import DEMO_EMAIL, DEMO_PASSWORD
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.help import HelpScreen
from wizard.screens.instructions import InstructionsScreen


def verifying(home: Path, *, as_demo: bool = False) -> WizardApp:
    """The wizard whose fake check accepts the demo's password (as the demo, or for real)."""
    return wizard_with(
        FakeCheck(accepting(DEMO_PASSWORD)), home, practice_target() if as_demo else None
    )


@pytest.mark.usefixtures("no_keyring")
async def test_no_keyring_disables_remember_with_the_reason(tmp_path: Path) -> None:
    """Without a keyring backend the box is off and disabled, and the screen says why."""
    app = verifying(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        remember = app.screen.query_one("#remember", Checkbox)
        assert remember.disabled and not remember.value
        note = str(app.screen.query_one("#remember-note", Static).content)
        assert note == secrets.keyring_unavailable_reason()


async def test_keyring_remembers_and_prefills_next_time(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """With a keyring, a verified check stores the password; the next run fills it in."""
    app = verifying(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        remember = app.screen.query_one("#remember", Checkbox)
        assert not remember.disabled
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        remember.value = True
        await run_check_to_end(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        await app.workers.wait_for_complete()
    found = secrets.remembered(DEMO_EMAIL)
    assert found is not None and found.fits(builtin_provider())
    assert found.password == DEMO_PASSWORD

    again = verifying(tmp_path)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(again.screen, AccountScreen))
        await type_into(pilot, "#email", DEMO_EMAIL)
        field = again.screen.query_one("#password", Input)
        await until(pilot, lambda: field.value == DEMO_PASSWORD, 5)
        assert again.screen.query_one("#remember", Checkbox).value
        assert "keyring" in str(again.screen.query_one("#password-status", Static).content)


async def test_unticking_remember_forgets_the_stored_password(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """A remembered password is filled in; untick Remember and a verified check forgets it."""
    secrets.remember_password(DEMO_EMAIL, DEMO_PASSWORD, builtin_provider())
    app = verifying(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await type_into(pilot, "#email", DEMO_EMAIL)
        field = app.screen.query_one("#password", Input)
        await until(pilot, lambda: field.value == DEMO_PASSWORD, 5)
        remember = app.screen.query_one("#remember", Checkbox)
        assert remember.value
        remember.value = False
        await pilot.pause()
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        await until(pilot, lambda: screen.report is not None and not screen.running, 30)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        await app.workers.wait_for_complete()
    assert secrets.get_password(DEMO_EMAIL) is None


async def test_demo_never_writes_the_keyring(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    """In the demo the box is disabled and a verified check stores nothing."""
    app = verifying(tmp_path, as_demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        assert app.screen.query_one("#remember", Checkbox).disabled
        await fill_account(pilot, DEMO_EMAIL, DEMO_PASSWORD)
        await run_check_to_end(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        await app.workers.wait_for_complete()
    assert secrets.get_password(DEMO_EMAIL) is None


@pytest.mark.usefixtures("no_keyring")
async def test_help_and_command_palette_open_and_close(tmp_path: Path) -> None:
    """F1 shows help over any screen; Escape closes it; Ctrl+P opens the palette."""
    app = verifying(tmp_path, as_demo=True)
    async with app.run_test(size=SIZE) as pilot:
        welcome = app.screen
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is welcome
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is welcome


@pytest.mark.usefixtures("no_keyring")
async def test_bad_address_blocks_next_and_says_why(tmp_path: Path) -> None:
    """An address without a domain keeps the user on the account screen with the reason."""
    app = verifying(tmp_path, as_demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, "ann@", "x")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        status = app.screen.query_one("#email-status", Static)
        assert status.has_class("-error") and "domain" in str(status.content)
        assert app.focused is app.screen.query_one("#email", Input)
