"""Words from outside are shown as typed, never read as Textual markup.

A provider file names its provider; a user types an address, a name, a path; a server answers
a test message. Any of them may hold square brackets:
as markup, ``Evil[/]`` would end the screen in an error and ``[@click=app.quit]`` would make
the words a button. Every screen and dialog that shows them must show them literally.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.builders import settings
from tests.fakes import until
from tests.screen_text import visible_words
from wizard.app import WizardApp
from wizard.core.provider import builtin_provider
from wizard.screens.account import AccountScreen
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.export import ExportScreen
from wizard.screens.instructions import InstructionsScreen
from wizard.screens.refusal import retry_question, unverified_question
from wizard.screens.result import ResultScreen
from wizard.widgets.value_row import ValueRow

pytestmark = pytest.mark.usefixtures("no_keyring")

HOSTILE = "Evil[/] [@click=app.quit]Mail"
#: The built-in provider under a hostile name, without POP (so the protocol hint names it).
PROVIDER = dataclasses.replace(builtin_provider(), display_name=HOSTILE, pop3=())


def shown(app: WizardApp) -> str:
    return visible_words(app.export_screenshot())


async def test_a_provider_name_with_brackets_is_shown_as_written(tmp_path: Path) -> None:
    app = WizardApp(PROVIDER, home=tmp_path)
    unverified = dataclasses.replace(settings(verified=False), provider_name=HOSTILE)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(AccountScreen(PROVIDER))
        await pilot.pause()
        assert f"{HOSTILE} has no POP3 server" in shown(app)
        await app.push_screen(ResultScreen(unverified))
        await pilot.pause()
        assert f"these are {HOSTILE}'s usual servers" in shown(app)
        for dialog in (unverified_question(PROVIDER), retry_question(PROVIDER)):
            await app.push_screen(dialog)
            await pilot.pause()
            assert f"{HOSTILE}'s usual servers" in shown(app) or f"{HOSTILE} refused" in shown(app)
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert app.is_running


async def test_a_typed_path_with_brackets_is_shown_as_written(tmp_path: Path) -> None:
    """Asking before replacing a file names the path as the user typed it."""
    folder = tmp_path / "a[" / "]b [@click=app.quit]c"  # the path holds "a[/]b"
    folder.mkdir(parents=True)
    target = folder / "p.mobileconfig"
    target.write_text("keep me")
    app = WizardApp(builtin_provider(), home=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ExportScreen(settings(), "pw", home=tmp_path))
        await pilot.pause()
        app.screen.query_one("#output-path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        # The path may wrap anywhere in the dialog: compare without the line breaks.
        assert "".join(f"{target} already exists.".split()) in "".join(shown(app).split())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.is_running
    assert target.read_text() == "keep me"


async def test_a_typed_address_with_brackets_is_quoted_as_typed(tmp_path: Path) -> None:
    app = WizardApp(builtin_provider(), home=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(AccountScreen(builtin_provider()))
        await pilot.pause()
        app.screen.query_one("#email").value = "ann@mail[/].com"  # type: ignore[attr-defined]
        await until(pilot, lambda: "'mail[/].com' is not a valid domain" in shown(app))
        assert app.is_running


async def test_copied_and_saved_words_with_brackets_are_said_as_they_are(tmp_path: Path) -> None:
    """The copy notice quotes the name; the save notice quotes a home folder's path."""
    home = tmp_path / "a[" / "]b"  # "a[/]b"
    home.mkdir(parents=True)
    named = dataclasses.replace(settings(), name="Ann [/] [@click=app.quit]Example")
    app = WizardApp(builtin_provider(), home=home)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.push_screen(InstructionsScreen(named, home=home))
        await pilot.pause()
        rows = app.screen.query(ValueRow)
        name_row = next(row for row in rows if row.value.value == named.name)
        name_row.focus()
        await pilot.press("c")
        await until(pilot, lambda: f"Copied Name: {named.name}" in shown(app))
        await pilot.press("s")
        await until(pilot, lambda: any(home.glob("*.txt")))
        await until(pilot, lambda: "Saved the steps to" in shown(app))
        assert app.is_running and isinstance(app.screen, InstructionsScreen)
