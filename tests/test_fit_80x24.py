"""The welcome, account, help and check screens at 80x24: one scrollbar per screen, the
main panel scrolling with PageDown whatever has focus, every option visible when reached,
the footer within 80 columns, and plain words (no protocol terms, codes or flag names).

The check is a fake (``tests/fakes.py``): no server is started here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList

from tests.fakes import FakeCheck, checked, until, wizard_with
from tests.screen_text import screen_lines, visible_words
from wizard.app import WizardApp
from wizard.core.models import Account, CheckOptions, CheckReport, Role, Status
from wizard.core.provider import builtin_provider
from wizard.core.target import Target
from wizard.demo.faults import DEMO_FAULTS
from wizard.demo.practice import demo_banner
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.help import HELP_TEXT, HelpScreen
from wizard.widgets.failure_panel import FailurePanel

pytestmark = pytest.mark.usefixtures("no_keyring")

SIZE = (80, 24)
PROVIDER = builtin_provider()
ACCOUNT = Account("ann@mail.com", "secret", name="Ann")
#: Protocol terms, status codes (``tls_stalled``) and flag names: never on these screens.
JARGON = re.compile(r"\b(TLS|SSL/TLS|STARTTLS|DNS)\b|\b[a-z]+_[a-z_]+\b|--\w")
_EVERY_PORT = (993, 143, 465, 587)
#: The check as the demo faults the issue names end it (no-starttls passes: Details shows 587).
FAULTS: dict[str, CheckReport] = {
    "intercepted": checked(
        PROVIDER, ACCOUNT, dict.fromkeys(_EVERY_PORT, Status.CERTIFICATE_UNTRUSTED)
    ),
    "expired": checked(PROVIDER, ACCOUNT, dict.fromkeys(_EVERY_PORT, Status.CERTIFICATE_EXPIRED)),
    "wrong-password": checked(PROVIDER, ACCOUNT, refused={Role.INCOMING, Role.OUTGOING}),
    "no-starttls": checked(PROVIDER, ACCOUNT, {587: Status.STARTTLS_UNAVAILABLE}),
}


def scrollbars(screen: Screen[Any]) -> list[Widget]:
    """The widgets on ``screen`` showing a vertical scrollbar now."""
    return [w for w in screen.query("*") if w.is_on_screen and w.show_vertical_scrollbar]


async def _pagedown_scrolls(pilot: Pilot[None], body: Widget) -> None:
    """PageDown, with whatever has focus, scrolls ``body`` (which has more than a screen)."""
    assert body.max_scroll_y > 0 and body.scroll_y == 0
    focused = pilot.app.focused
    await pilot.press("pagedown")
    await until(pilot, lambda: body.scroll_y > 0, 2)
    assert pilot.app.focused is focused


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_the_check_has_one_scrollbar_and_what_went_wrong_shows(
    fault: str, tmp_path: Path
) -> None:
    """The "What went wrong" box is part of the main panel: no scrollbar or Tab stop of its
    own; its first lines are on the first screen (after Details for no-starttls, which
    passes), and PageDown with the focused button scrolls the panel."""
    app = WizardApp(PROVIDER, home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = CheckScreen(
            ACCOUNT, PROVIDER, CheckOptions(timeout=10), clock=app.clock, report=FAULTS[fault]
        )
        await app.push_screen(screen)
        await pilot.pause()
        panel = screen.query_one(FailurePanel)
        body = screen.query_one("#check-body")
        if fault == "no-starttls":
            await pilot.press("d")  # scrolls the details into view; back to the top
            await pilot.pause()
            body.scroll_home(animate=False)
            await pilot.pause()
        assert scrollbars(screen) in ([], [body])
        assert panel not in screen.focus_chain
        if fault != "no-starttls":
            assert panel.region.y + 3 <= body.region.bottom, (panel.region, body.region)
        if body.max_scroll_y:
            await _pagedown_scrolls(pilot, body)
        assert scrollbars(screen) in ([], [body])
        assert panel.region.y + 3 <= body.region.bottom, (panel.region, body.region)


def _demo_app(tmp_path: Path, fault: str | None) -> WizardApp:
    target = Target(PROVIDER, CheckOptions(timeout=5), banner=demo_banner(fault), keyring=False)
    check = FakeCheck(lambda account, provider: checked(provider, account))
    return WizardApp(target, home=tmp_path, check=check)


@pytest.mark.parametrize("fault", [None, *DEMO_FAULTS])
async def test_the_welcome_scrolls_its_text_with_pagedown_and_speaks_plainly(
    fault: str | None, tmp_path: Path
) -> None:
    """The choices keep the focus (Enter takes the first), yet PageDown scrolls the text
    rather than jumping the highlight to Quit."""
    app = _demo_app(tmp_path, fault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = visible_words(app.export_screenshot())
        assert not JARGON.search(shown), (JARGON.findall(shown), shown)
        body = app.screen.query_one("#welcome-body")
        choices = app.screen.query_one("#welcome-choices", OptionList)
        assert app.focused is choices
        assert scrollbars(app.screen) in ([], [body])
        if body.max_scroll_y:
            await _pagedown_scrolls(pilot, body)
        assert choices.highlighted == 0


async def _account(pilot: Pilot[None]) -> AccountScreen:
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


@pytest.mark.parametrize("two_factor", [False, True])
async def test_the_account_form_fits_with_a_suggestion_and_two_factor(
    two_factor: bool, tmp_path: Path
) -> None:
    """With Ctrl+Y offered (and the two-factor help shown): one scrollbar, PageDown from
    the password field scrolls the form, the test-message box is whole when reached, and
    every key the footer shows is within 80 columns."""
    app = wizard_with(FakeCheck(lambda account, provider: checked(provider, account)), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _account(pilot)
        screen.query_one("#email", Input).value = "ann@mail.co"
        screen.query_one("#app-password", Checkbox).value = two_factor
        screen.query_one("#password", Input).focus()
        await until(pilot, lambda: screen.suggestion is not None)
        await pilot.pause()
        form = screen.query_one("#account-form")
        assert scrollbars(screen) in ([], [form])
        shown = visible_words(app.export_screenshot())
        assert not JARGON.search(shown), (JARGON.findall(shown), shown)
        footer = screen_lines(app.export_screenshot())[SIZE[1] - 1]
        keys = [b.binding for b in app.active_bindings.values() if b.binding.show]
        for binding in keys:
            assert binding.description in footer, (binding.description, footer)
        if form.max_scroll_y:
            await _pagedown_scrolls(pilot, form)
        box = screen.query_one("#round-trip", Checkbox)
        while app.focused is not box:
            await pilot.press("tab")
        await pilot.pause()
        assert form.scrollable_content_region.contains_region(box.region), box.region
        assert "Also send myself a test message" in visible_words(app.export_screenshot())


async def test_help_has_one_scrollbar_and_speaks_plainly(tmp_path: Path) -> None:
    app = wizard_with(FakeCheck(checked(PROVIDER, ACCOUNT)), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        assert scrollbars(app.screen) == [app.screen.query_one("#help-body")]
    assert not JARGON.search(HELP_TEXT), JARGON.findall(HELP_TEXT)
