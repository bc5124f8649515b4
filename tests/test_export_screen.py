"""Pilot tests of the steps and Save-profile screens: fields checked first, errors in view,
the main panel scrolled by the keys whatever has focus.

No servers: the screen is given settings as a check would have proved them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input

from tests.fakes import until
from tests.screen_text import visible_words
from wizard.app import WizardApp
from wizard.core.export import ExportedProfile, default_profile_path
from wizard.core.models import CheckOptions, IncomingChoice, MailSettings
from wizard.core.provider import builtin_provider
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.export import ExportScreen
from wizard.screens.instructions import InstructionsScreen

SIZES = [(80, 24), (120, 40)]
SIGN_BOTH = "To sign, give both the certificate and its private key."


def settings() -> MailSettings:
    """A verified IMAP account on mail.com's usual servers."""
    provider = builtin_provider()
    return MailSettings(
        email="ann@mail.com",
        incoming_choice=IncomingChoice.IMAP,
        incoming=provider.imap[0],
        outgoing=provider.smtp[0],
        verified=True,
    )


async def open_export(app: WizardApp, home: Path) -> ExportScreen:
    screen = ExportScreen(settings(), "not-the-password", home=home)
    await app.push_screen(screen)
    return screen


@pytest.mark.parametrize("size", SIZES, ids=str)
async def test_sign_without_files_is_said_by_the_fields_before_any_replace_question(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """Issue 21: Ctrl+W asked "Replace the file?" first, and the error was below the fold."""
    default_profile_path(tmp_path, settings()).write_text("an older profile")
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_export(app, tmp_path)
        await pilot.pause()
        screen.query_one("#sign", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+w")
        # The error is scrolled to after a refresh: wait for it (bounded), not for a time.
        await until(pilot, lambda: SIGN_BOTH in visible_words(app.export_screenshot()))
        assert app.screen is screen, "no question before the fields are right"
        shown = visible_words(app.export_screenshot())
        assert "Certificate (PEM)" in shown and "Private key (PEM)" in shown
        assert app.focused is screen.query_one("#sign-cert", Input)


async def test_a_failed_write_shows_its_error_at_the_top_without_the_old_what_next(
    tmp_path: Path,
) -> None:
    """After a written profile, a second write that fails: the error shows, "What next" not."""
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_export(app, tmp_path)
        await pilot.pause()
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(screen.exported, ExportedProfile))
        await pilot.pause()
        assert "What next" in visible_words(app.export_screenshot())
        screen.query_one("#sign", Checkbox).value = True
        screen.query_one("#sign-cert", Input).value = str(tmp_path / "missing-cert.pem")
        screen.query_one("#sign-key", Input).value = str(tmp_path / "missing-key.pem")
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await app.workers.wait_for_complete()
        # The error is scrolled to after a refresh: wait for it (bounded), not for a time.
        await until(pilot, lambda: "missing-cert.pem" in visible_words(app.export_screenshot()))
        assert "What next" not in visible_words(app.export_screenshot())


async def test_the_steps_scroll_with_page_down_whatever_has_focus(tmp_path: Path) -> None:
    """Issue 21: with a button focused, Down and PageDown did nothing on the steps screen."""
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = InstructionsScreen(settings(), home=tmp_path)
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#back", Button).focus()
        await pilot.pause()
        await pilot.press("pagedown", "down")
        await pilot.pause()
        body = screen.scroll_body_widget()
        assert body is not None and body.scroll_y > 0
        assert app.focused is screen.query_one("#back")
        scrolling = [w for w in screen.query("*") if w.show_vertical_scrollbar]
        assert scrolling == [body], "one scroll bar"


async def test_the_save_profile_form_scrolls_with_page_down_from_the_button(
    tmp_path: Path,
) -> None:
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_export(app, tmp_path)
        screen.query_one("#sign", Checkbox).value = True
        screen.query_one("#include-password", Checkbox).value = True
        await pilot.pause()
        assert app.focused is screen.query_one("#write")
        await pilot.press("pagedown")
        await pilot.pause()
        form = screen.query_one("#export-form")
        assert form.scroll_y > 0
        assert [w for w in screen.query("*") if w.show_vertical_scrollbar] == [form]


async def test_s_says_where_it_saves_the_steps_before_and_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21: the demo's S wrote a file in the home folder without saying where."""
    monkeypatch.setenv("HOME", str(tmp_path))
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    notices: list[object] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notices.append(message))
    name = "mailcom-iphone-steps-ann@mail.com-ios18-26-27.txt"
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(InstructionsScreen(settings(), home=tmp_path))
        await pilot.pause()
        assert f"S saves these steps to ~/{name}" in visible_words(app.export_screenshot())
        assert not list(tmp_path.iterdir())
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [path.name for path in tmp_path.iterdir()] == [name]
    assert notices == [f"Saved the steps to ~/{name}"]


async def test_the_saved_notice_shows_the_path_whole_at_80x24(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21: a path is never broken inside, in the notice after S too."""
    monkeypatch.setenv("HOME", str(tmp_path))
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    name = "mailcom-iphone-steps-ann@mail.com-ios18-26-27.txt"
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await app.push_screen(InstructionsScreen(settings(), home=tmp_path))
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: bool(app.screen.query("Toast")))
        await pilot.pause()
        toast = app.screen.query_one("Toast")
        # Wide enough for the path on a line of its own (the text wraps at the space).
        assert toast.content_region.width >= len(f"~/{name}"), toast.content_region
