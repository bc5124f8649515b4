"""The check and result screens as a user meets them at 80x24: what the footer offers, what
scrolls, and the words on screen (plain words; the technical ones only with Details).

Every test drives the screens with a prepared report or the fake check (``tests/fakes.py``):
no server is started here.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.fakes import FakeCheck, checked, until, wizard_with
from tests.screen_text import visible_words
from wizard.app import WizardApp
from wizard.core.models import Account, CheckOptions, CheckReport, Role, Status
from wizard.core.provider import builtin_provider
from wizard.core.verdict import settings_from_report
from wizard.screens.check import CheckScreen, Stage
from wizard.screens.result import ResultScreen

pytestmark = pytest.mark.usefixtures("no_keyring")

PROVIDER = builtin_provider()
ACCOUNT = Account("ann@mail.com", "secret", name="Ann")
#: Jargon and internals that never show without Details: protocol terms, a library's own
#: words, status codes (``tls_stalled``) and flag names.
JARGON = re.compile(
    r"\b(TLS|SSL/TLS|STARTTLS|DNS)\b|wrong version number|reachable \(|\b[a-z]+_[a-z_]+\b|--\w"
)
#: Every way a port can fail, and a refused login.
FAILURES: dict[str, CheckReport] = {
    **{
        status.value: checked(PROVIDER, ACCOUNT, dict.fromkeys((993, 143, 465, 587), status))
        for status in Status
        if status not in (Status.OK, Status.AUTH_FAILED)
    },
    "refused": checked(PROVIDER, ACCOUNT, refused={Role.INCOMING, Role.OUTGOING}),
    "fallback": checked(PROVIDER, ACCOUNT, {993: Status.TIMEOUT, 465: Status.TIMEOUT}),
    "verified": checked(PROVIDER, ACCOUNT),
}


async def show(pilot: Pilot[None], report: CheckReport) -> CheckScreen:
    """The check screen showing ``report`` (as when coming back to it)."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    screen = CheckScreen(
        ACCOUNT, PROVIDER, CheckOptions(timeout=10), clock=app.clock, report=report
    )
    await app.push_screen(screen)
    await pilot.pause()
    return screen


def footer_keys(app: WizardApp) -> set[str]:
    """The keys the footer shows now."""
    return {key for key, active in app.active_bindings.items() if active.binding.show}


@pytest.mark.parametrize("name", list(FAILURES))
async def test_the_check_speaks_plain_words_until_details(name: str, tmp_path: Path) -> None:
    """No protocol term, status code or flag name on the screen (or any of it scrolled
    away); Details may show them."""
    app = WizardApp(PROVIDER, home=tmp_path)
    async with app.run_test(size=(100, 200)) as pilot:
        await show(pilot, FAILURES[name])
        shown = visible_words(app.export_screenshot())
        assert not JARGON.search(shown), (name, JARGON.findall(shown), shown)


@pytest.mark.parametrize("verified", [True, False])
async def test_the_result_speaks_the_phones_words(verified: bool, tmp_path: Path) -> None:
    report = FAILURES["verified" if verified else "refused"]
    settings = settings_from_report(report, ACCOUNT, PROVIDER)
    app = WizardApp(PROVIDER, home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ResultScreen(settings))
        await pilot.pause()
        shown = visible_words(app.export_screenshot())
    assert not JARGON.search(shown), (JARGON.findall(shown), shown)
    assert shown.count("Use SSL on") == 2, shown


@pytest.mark.parametrize(
    ("name", "keys", "escape"),
    [
        ("verified", {"s", "e", "d"}, "Back"),
        ("refused", {"r", "d"}, "Back"),
        ("timeout", {"r", "d"}, "Back"),
    ],
)
async def test_the_footer_shows_the_keys_that_work_once_finished(
    name: str, keys: set[str], escape: str, tmp_path: Path
) -> None:
    """After the check: Escape says Back (nothing left to cancel); S and E when there is a
    verified check to go on with; Retry when there is something to retry. All at 80x24."""
    app = WizardApp(PROVIDER, home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, FAILURES[name])
        shown = footer_keys(app)
        assert shown & {"s", "e", "r", "d"} == keys, shown
        assert app.active_bindings["escape"].binding.description == escape
        # Every key's hint is on the 80-column footer, none pushed off. The footer redraws
        # after the bindings change: on a busy machine that can take more than one pause.
        descriptions = [app.active_bindings[key].binding.description for key in ("escape", *keys)]

        def footer() -> str:
            return visible_words(app.export_screenshot()).split("▏^p")[0][-80:]

        with contextlib.suppress(AssertionError):
            await until(pilot, lambda: all(d in footer() for d in descriptions), 5)
        for description in descriptions:
            assert description in footer(), (description, footer())


async def test_while_running_the_footer_offers_cancel_only(tmp_path: Path) -> None:
    held = FakeCheck(lambda account, provider: checked(provider, account), hold=True)
    app = wizard_with(held, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = CheckScreen(
            ACCOUNT, PROVIDER, CheckOptions(timeout=10), clock=app.clock, check=held
        )
        await app.push_screen(screen)
        await until(pilot, lambda: len(held.accounts) == 1)
        await pilot.pause()
        assert screen.stage is Stage.RUNNING
        assert footer_keys(app) & {"s", "e", "r", "d"} == set()
        assert app.active_bindings["escape"].binding.description == "Cancel"
        await pilot.press("escape")
        await until(pilot, lambda: screen.stage is Stage.CANCELLED)
        assert app.active_bindings["escape"].binding.description == "Back"


async def test_details_scroll_into_view_at_80x24(tmp_path: Path) -> None:
    """D below the fold: the port rows it shows are scrolled into view, not left unseen."""
    app = WizardApp(PROVIDER, home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, FAILURES["verified"])
        await pilot.press("d")
        rows = screen.query_one("#check-rows")
        await until(pilot, lambda: rows.display and rows.region.height > 0)
        await pilot.pause()
        body = screen.query_one("#check-body")
        assert rows.region.y >= body.region.y and rows.region.bottom <= body.region.bottom, (
            rows.region,
            body.region,
        )
