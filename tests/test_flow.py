"""The shortest clear path: Enter all the way to the QR code, the fix above the fold.

Counted as a user would press keys at 80x24: from launch to the QR code for an account that
verifies takes at most five presses of Enter plus the typed fields; every failure shows its
action sentence on the first screen, without scrolling; after a refused password, Enter leads
back to the password, not to a second login.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import stat
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Static

from screenshots import states as pictures
from tests.fakes import FakeCheck, accepting, focused, practice_target, until, wizard_with
from tests.screen_text import screen_lines, screen_text
from wizard.app import WizardApp
from wizard.core.models import CheckOptions, CheckReport
from wizard.core.target import Target
from wizard.core.verdict import role_lines, verdict_of
from wizard.demo.faults import DEMO_FAULTS, FAULT_DESCRIPTIONS
from wizard.demo.practice import DEMO_EMAIL, DEMO_PASSWORD, demo_banner
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.send import SendScreen
from wizard.screens.welcome import WelcomeScreen
from wizard.widgets.role_row import RoleRow

ROOT = Path(__file__).resolve().parent.parent
SIZE = (80, 24)


pytestmark = pytest.mark.usefixtures("no_keyring")


def wizard(home: Path, *, as_demo: bool, fault: str | None = None) -> WizardApp:
    """The wizard whose fake check accepts the demo's password, but refuses every password
    in the wrong-password fault (as the practice server does)."""
    accepted = "never typed" if fault == "wrong-password" else DEMO_PASSWORD
    target = practice_target(fault) if as_demo else None
    return wizard_with(FakeCheck(accepting(accepted)), home, target)


class Keys:
    """Presses keys like a user, counting the Enters."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.enters = 0

    async def enter(self) -> None:
        self.enters += 1
        await self.pilot.press("enter")
        await self.pilot.pause()

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)
        await self.pilot.pause()


async def test_demo_reaches_the_qr_code_with_enter_alone(tmp_path: Path) -> None:
    """Launch, type the password, and Enter does the rest: at most five presses."""
    app = wizard(tmp_path, as_demo=True)
    async with app.run_test(size=SIZE) as pilot:
        keys = Keys(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        assert focused(app) is app.screen.query_one("#password", Input)
        await keys.type(DEMO_PASSWORD)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        check = app.screen
        assert isinstance(check, CheckScreen)
        await until(pilot, lambda: check.report is not None and not check.running, 30)
        assert check.report is not None and check.report.verified
        assert focused(app) is check.query_one("#send", Button)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, SendScreen))
        send = app.screen
        assert isinstance(send, SendScreen)
        await until(pilot, lambda: send.query_one("#qr-code").display)
        assert keys.enters <= 5, keys.enters
        assert "Step 3 of 3" in (send.sub_title or "")


async def test_a_real_account_reaches_a_working_link_with_enter_and_typing(
    tmp_path: Path,
) -> None:
    """Not a practice run: the typed fields and Enter lead to a link the phone can download.

    The profile is written on the way (no password, unsigned, readable by the user only).
    """
    app = wizard(tmp_path, as_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        keys = Keys(pilot)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await keys.type("Ann Example")
        await keys.enter()
        await keys.type(DEMO_EMAIL)
        await keys.enter()
        await keys.type(DEMO_PASSWORD)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        check = app.screen
        assert isinstance(check, CheckScreen)
        await until(pilot, lambda: check.report is not None and not check.running, 30)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, SendScreen))
        send = app.screen
        assert isinstance(send, SendScreen)
        await until(pilot, lambda: send.url is not None)
        assert keys.enters <= 5, keys.enters
        url = send.url
        assert url is not None
        profile = tmp_path / f"mailcom-{DEMO_EMAIL}.mobileconfig"
        data = profile.read_bytes()
        assert DEMO_PASSWORD.encode() not in data
        if os.name == "posix":
            assert stat.S_IMODE(profile.stat().st_mode) == 0o600
        downloaded = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read())
        assert downloaded == data
        await until(pilot, lambda: send.has_class("-downloaded"))
        # After the download: the Install steps, and Finish has focus.
        assert "Install" in str(send.query_one("#send-steps", Static).content)
        assert focused(app) is send.query_one("#finish", Button)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))


REPORTS: dict[str, Callable[[], CheckReport]] = dict(pictures.FAILURES)


@pytest.mark.parametrize("name", list(REPORTS))
async def test_every_failure_shows_its_action_on_the_first_screen(name: str) -> None:
    """At 80x24, without scrolling, the first lines say what is wrong and what to do."""
    report = REPORTS[name]()
    verdict = verdict_of(report)
    assert verdict.action, name
    app = WizardApp(pictures.PROVIDER, clock=pictures.FrozenClock(), home=pictures.HOME)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(
            CheckScreen(
                pictures.ACCOUNT,
                pictures.PROVIDER,
                CheckOptions(timeout=10),
                clock=app.clock,
                report=report,
            )
        )
        await pilot.pause()
        svg = app.export_screenshot()
        # Each row says all it has to say, wrapped if need be, never cut off.
        lines = screen_lines(svg)
        for line in role_lines(report):
            region = app.screen.query_one(f"#role-{line.role.value}", RoleRow).region
            text = " ".join(lines.get(y, "") for y in range(region.y, region.bottom))
            at = 0
            for word in line.words.split():  # every word, in order
                at = text.find(word, at)
                assert at >= 0, (name, line.words, word, text)
                at += len(word)
    shown = screen_text(svg)
    assert " ".join(f"✗ {verdict.action}".split()) in shown, (name, shown)


async def test_after_a_refused_password_enter_goes_back_to_the_password(tmp_path: Path) -> None:
    """Change the password is focused: Enter returns to the password, with a note, no login."""
    app = wizard(tmp_path, as_demo=True, fault="wrong-password")
    async with app.run_test(size=SIZE) as pilot:
        keys = Keys(pilot)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await keys.type(DEMO_PASSWORD)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        check = app.screen
        assert isinstance(check, CheckScreen)
        await until(pilot, lambda: check.report is not None and not check.running, 30)
        assert check.report is not None and not check.report.verified
        assert focused(app) is check.query_one("#change-password", Button)
        await keys.enter()
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        account = app.screen
        assert focused(app) is account.query_one("#password", Input)
        note = str(account.query_one("#password-status", Static).content)
        assert "refused this password" in note
        assert app.state.report is None  # no second login was started


async def test_retrying_a_refused_password_asks_first(tmp_path: Path) -> None:
    """R after a refusal does not log in again at once: it says what that risks."""
    from wizard.screens.confirm import ConfirmScreen

    app = wizard(tmp_path, as_demo=True, fault="wrong-password")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await pilot.press(*DEMO_PASSWORD, "enter")
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        check = app.screen
        assert isinstance(check, CheckScreen)
        await until(pilot, lambda: check.report is not None and not check.running, 30)
        first = check.report
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and "lock" in str(dialog.question)
        await pilot.press("enter")  # the safe answer has focus: no retry
        await pilot.pause()
        assert check.report is first and not check.running and app.screen is check


async def test_a_domain_typo_is_corrected_with_one_key(tmp_path: Path) -> None:
    app = wizard(tmp_path, as_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        email = app.screen.query_one("#email", Input)
        email.value = "ann@mail.co"
        await pilot.pause()
        status = str(app.screen.query_one("#email-status", Static).content)
        assert "Did you mean ann@mail.com?" in status
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert email.value == "ann@mail.com"
        assert not app.screen.query_one("#email-status", Static).display


async def test_an_expired_link_is_renewed_with_one_key(tmp_path: Path) -> None:
    """The link timed out: N offers a new one at once (a new secret link)."""
    from wizard.core.export import quick_export

    settings = pictures.settings()
    exported = quick_export(settings, tmp_path)
    app = WizardApp(pictures.PROVIDER, home=tmp_path, serve_host="127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(exported, settings=settings, host="127.0.0.1", minutes=0.01)
        await app.push_screen(send)
        await until(pilot, lambda: send.url is not None)
        first = send.url
        await until(pilot, lambda: send.has_class("-timed-out"))
        assert focused(app) is send.query_one("#new-link", Button)
        send.minutes = 10
        await pilot.press("n")
        await until(pilot, lambda: send.url != first and send.has_class("-waiting"))
        url = send.url
        assert url is not None
        assert await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read())
        await until(pilot, lambda: send.has_class("-downloaded"))
        await pilot.press("escape")


async def test_the_focus_moves_with_the_stage_at_once(tmp_path: Path) -> None:
    """No moment where the stage has changed but the focus (what Enter does) has not: the
    expired-link race (a key pressed right then went to Back, not New link)."""
    from wizard.core.export import make_profile
    from wizard.core.handoff.addresses import HostChoice
    from wizard.core.handoff.server import Link, StopReason

    profile = make_profile(pictures.settings(), tmp_path / "p.mobileconfig")
    app = WizardApp(pictures.PROVIDER, home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(profile, autostart=False)
        await app.push_screen(send)
        await pilot.pause()
        send.show_offer(
            Link("http://192.168.1.2:1/x", HostChoice("192.168.1.2", (), False)), profile
        )
        assert focused(app) is send.query_one("#send-text")  # while waiting, Enter does nothing
        await pilot.pause()
        assert app.active_bindings["escape"].binding.description == "Back (stop sending)"
        for reason, button in [
            (StopReason.TIMED_OUT, "#new-link"),
            (StopReason.UNCONFIRMED, "#new-link"),
            (StopReason.DOWNLOADED, "#finish"),
        ]:
            send.show_stopped(reason)
            assert focused(app) is send.query_one(button, Button), reason
        await pilot.pause()
        assert app.active_bindings["escape"].binding.description == "Back"  # nothing to stop


@pytest.mark.parametrize("fault", [None, *DEMO_FAULTS])
async def test_the_demo_welcome_fits_80x24_with_any_fault(fault: str | None) -> None:
    """The banner names the fault practised, and the prerequisites and every choice stay on
    the first screen."""
    banner = demo_banner(fault)
    if fault:
        assert FAULT_DESCRIPTIONS[fault] in banner
    assert "--demo-fault" not in banner
    app = WizardApp(
        Target(
            pictures.PROVIDER, email="demo@mail.com", password="practice-password", banner=banner
        ),
        clock=pictures.FrozenClock(),
        home=pictures.HOME,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app.export_screenshot())
    for words in (
        "Practising:" if fault else "Practice run",
        "Premium",
        "new accounts",
        "Quit",
    ):
        assert words in shown, (fault, words, shown)
    assert "Fix an account that stopped working" in shown
    # Nothing untrue (files are written where the user asks), no command-line flag, no jargon.
    assert "nothing is saved" not in shown and "--demo-fault" not in shown
    assert not re.findall(r"\b(STARTTLS|SMTP|TLS|DNS)\b", banner), banner


def _screen_titles() -> list[str]:
    """Every title a screen can show: its ``SUB_TITLE`` and the other ``*_TITLE`` it takes."""
    import wizard.screens

    titles: set[str] = set()
    for info in pkgutil.iter_modules(wizard.screens.__path__, "wizard.screens."):
        module = importlib.import_module(info.name)
        for _, screen in inspect.getmembers(module, inspect.isclass):
            if issubclass(screen, Screen) and screen.__module__ == module.__name__:
                titles.update(
                    value
                    for name, value in vars(screen).items()
                    if name.endswith("TITLE") and isinstance(value, str)
                )
    return sorted(titles)


@pytest.mark.parametrize("title", _screen_titles())
async def test_every_screen_title_fits_80_columns(title: str) -> None:
    """The header shows the whole title at 80x24, never cut off with an ellipsis."""

    class Titled(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Header()

        def on_mount(self) -> None:
            self.sub_title = title

    app = WizardApp(pictures.PROVIDER, clock=pictures.FrozenClock(), home=pictures.HOME)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(Titled())
        await pilot.pause()
        first = screen_lines(app.export_screenshot())[0].replace("\xa0", " ")
    assert f"{app.title} — {title}" in first, first
