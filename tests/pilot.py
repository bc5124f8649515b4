"""Driving the wizard as a user does, for the Pilot tests: the wizard on the practice
server, the account fields filled in, the check started and waited for, and what the check
screen's rows and panel say."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from tests.fakes import until
from wizard.app import WizardApp
from wizard.demo.practice import RunningDemo
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.failure_panel import FailurePanel

#: The terminal a user is assumed to have.
SIZE = (80, 24)


def demo_app(
    session: RunningDemo, tmp_path: Path, *, timeout: float = 5.0, as_demo: bool = True
) -> WizardApp:
    """The wizard pointed at the practice server (``as_demo`` False: as if it were real)."""
    return WizardApp(
        session.target(timeout) if as_demo else session.provider,
        session.options(timeout),
        home=tmp_path,
        serve_host="127.0.0.1",
    )


async def type_into(pilot: Pilot[None], selector: str, text: str, *, keys: bool = False) -> None:
    """Focus a field and enter ``text``: key by key with ``keys``, else pasted at once."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    if keys:
        await pilot.press(*text)
    else:
        field.insert_text_at_cursor(text)
    await pilot.pause()


async def fill_account(
    pilot: Pilot[None], email: str, password: str, name: str = "Ann", *, keys: bool = False
) -> None:
    """On the account screen: fill in the three fields."""
    assert isinstance(pilot.app.screen, AccountScreen)
    await type_into(pilot, "#name", name, keys=keys)
    await type_into(pilot, "#email", email, keys=keys)
    await type_into(pilot, "#password", password, keys=keys)


async def start_check(pilot: Pilot[None], *, round_trip: bool = False) -> CheckScreen:
    """From the account screen: (optionally tick the test message), then Check."""
    if round_trip:
        pilot.app.screen.query_one("#round-trip", Checkbox).value = True
    await pilot.press("ctrl+n")
    await until(pilot, lambda: isinstance(pilot.app.screen, CheckScreen))
    screen = pilot.app.screen
    assert isinstance(screen, CheckScreen)
    return screen


async def run_check_to_end(pilot: Pilot[None]) -> CheckScreen:
    """From the account screen: Check, then wait for the check's worker."""
    screen = await start_check(pilot)
    await until(pilot, lambda: screen.report is not None and not screen.running, 30)
    await pilot.pause()
    return screen


def row_text(screen: CheckScreen, key: str) -> str:
    """What the check screen's row for the endpoint ``key`` says."""
    (row,) = [row for row in screen.query(EndpointRow) if row.endpoint.key == key]
    return str(row.query_one(".row-status", Static).content)


def panel_text(screen: CheckScreen) -> str:
    """What the check screen's failure panel says."""
    return str(screen.query_one("#failure-panel", FailurePanel).query_one(Static).content)
