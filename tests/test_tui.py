"""Pilot tests: a user walks the wizard with the keyboard, against a practice mail server.

The practice server (``wizard.demo``) speaks real IMAP, POP3 and SMTP over TLS on loopback,
so these tests exercise the same engine and the same screens as a real run. Nothing here
sleeps: waits are on workers, on the pilot, or bounded polls of screen state.
"""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from tests.fakes import FakeCheck, checked, until, wizard_with
from tests.keyring_backends import MemoryKeyring
from tests.pilot import SIZE, demo_app, fill_account, run_check_to_end, start_check, type_into
from tests.screen_text import visible_words
from tests.serving import closed_by_server, connect, split_url, write_profile
from tests.testbed import FaultListeners, Testbed
from wizard.app import WizardApp
from wizard.core import secrets
from wizard.core.diagnosis import short_words
from wizard.core.errors import ResourceLimitError
from wizard.core.export import make_profile
from wizard.core.handoff.profile_file import load_profile_file
from wizard.core.models import (
    CheckOptions,
    CheckReport,
    Endpoint,
    IncomingChoice,
    MailSettings,
    Protocol,
    Role,
    Security,
    Status,
)
from wizard.core.provider import MAILCOM_ID, Provider, builtin_provider, load_provider
from wizard.demo.blackhole import Blackhole
from wizard.demo.practice import RunningDemo, start_demo
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.error import ErrorScreen
from wizard.screens.export import ExportScreen
from wizard.screens.help import HelpScreen
from wizard.screens.instructions import InstructionsScreen
from wizard.screens.result import ResultScreen
from wizard.screens.send import SendScreen
from wizard.screens.welcome import WelcomeScreen
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.failure_panel import FailurePanel
from wizard.widgets.role_row import RoleRow
from wizard.widgets.value_row import ValueRow


@pytest.fixture(autouse=True)
def _keep_keyring() -> Iterator[None]:
    """Each test chooses its keyring; the process-wide choice is restored afterwards."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """A real keyring backend that keeps secrets in memory."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def demo() -> Iterator[RunningDemo]:
    """A working practice server."""
    with start_demo(None) as session:
        yield session


def row_text(screen: CheckScreen, key: str) -> str:
    (row,) = [row for row in screen.query(EndpointRow) if row.endpoint.key == key]
    return str(row.query_one(".row-status", Static).content)


def panel_text(screen: CheckScreen) -> str:
    return str(screen.query_one("#failure-panel", FailurePanel).query_one(Static).content)


async def test_whole_flow_verified_steps_profile_and_qr(demo: RunningDemo, tmp_path: Path) -> None:
    """Welcome to QR code with the keyboard: verified check, steps, copy, save, export, send.

    The wizard runs as for a real mailbox (the practice server standing in for mail.com),
    so Send to iPhone really offers the profile; the demo itself only rehearses that step.
    """
    keyring.set_keyring(fail.Keyring())
    app = demo_app(demo, tmp_path, as_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, demo.password, keys=True)
        screen = await run_check_to_end(pilot)
        assert screen.report is not None and screen.report.verified
        ports = {e.key: row_text(screen, e.key) for e in screen.endpoints}
        assert all(text.startswith("✓") for text in ports.values()), ports
        assert "Verified" in str(screen.query_one("#check-summary", Static).content)

        await pilot.press("s")  # the typing steps
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        steps = app.screen
        assert isinstance(steps, InstructionsScreen)
        email_row = next(r for r in steps.query(ValueRow) if r.value.label == "Email")
        email_row.focus()
        await pilot.press("c")
        assert app.clipboard == demo.email
        await pilot.press("2")  # the iOS 14-17 tab
        await pilot.press("s")
        await app.workers.wait_for_complete()
        saved = tmp_path / f"mailcom-iphone-steps-{demo.email}-ios14-17.txt"
        assert saved.is_file()
        text = saved.read_text()
        assert "Mail > Accounts" in text and demo.password not in text

        await pilot.press("escape")  # back to the finished check
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("ctrl+w")
        await until(pilot, lambda: app.screen.query_one("#send").display)
        profile = tmp_path / f"mailcom-{demo.email}.mobileconfig"
        assert profile.is_file()
        data = profile.read_bytes()
        assert demo.password.encode() not in data and b"com.apple.mail.managed" in data

        await pilot.press("enter")  # Send to iPhone has focus
        await until(pilot, lambda: isinstance(app.screen, SendScreen))
        send = app.screen
        assert isinstance(send, SendScreen)
        await until(pilot, lambda: send.url is not None)
        assert send.url is not None and send.url.startswith("http://127.0.0.1:")
        assert send.query_one("#qr-code").display
        url = send.url
        downloaded = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read())
        assert downloaded == data
        await until(pilot, lambda: send.has_class("-downloaded"))
        assert "downloaded" in str(send.query_one("#send-status", Static).content)


async def test_demo_shows_a_real_accounts_values_as_practice_and_only_rehearses_sending(
    demo: RunningDemo, tmp_path: Path
) -> None:
    """The demo checks mail.com's own servers (dialled to the practice server on 127.0.0.1)
    and never hands a phone that address, or a practice profile."""
    app = demo_app(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, demo.password)
        screen = await run_check_to_end(pilot)
        assert screen.report is not None and screen.report.verified
        assert screen.report.incoming.endpoint.host == "imap.mail.com"  # what was checked...
        assert screen.report.incoming.address == "127.0.0.1"  # ...where it was dialled
        # What the iPhone would use is said in the real account's ports.
        summary = str(screen.query_one("#check-summary", Static).content)
        assert "receive mail on port 993 and send on port 465" in summary, summary
        assert "127.0.0.1" not in summary

        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        hosts = {r.value.value for r in app.screen.query(ValueRow) if r.value.label == "Host Name"}
        assert hosts == {"imap.mail.com", "smtp.mail.com"}
        texts = " ".join(str(w.content) for w in app.screen.query(Static))
        assert "127.0.0.1" not in texts and "practice run" in texts
        settings = app.state.settings
        assert settings is not None and settings.practice and settings.verified
        assert (settings.incoming.host, settings.incoming.port) == ("imap.mail.com", 993)
        assert (settings.outgoing.host, settings.outgoing.port) == ("smtp.mail.com", 465)

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("ctrl+w")
        await until(pilot, lambda: app.screen.query_one("#send").display)
        data = (tmp_path / f"mailcom-{demo.email}.mobileconfig").read_bytes()
        assert b"imap.mail.com" in data and b"127.0.0.1" not in data
        assert b"PRACTICE" in data

        await pilot.press("enter")  # Send to iPhone
        await until(pilot, lambda: isinstance(app.screen, SendScreen))
        send = app.screen
        assert isinstance(send, SendScreen)
        await until(pilot, lambda: send.has_class("-not-offered"))
        assert send.url is None
        assert send.query_one("#qr-code").display
        status = str(send.query_one("#send-status", Static).content)
        assert "Practice run: nothing is offered to a phone" in status
        assert "Profile Downloaded" in str(send.query_one("#send-steps", Static).content)
        assert "http" not in str(send.query_one("#send-url", Static).content)


async def test_step_tabs_name_the_ios_versions_and_keys_switch_them(
    demo: RunningDemo, tmp_path: Path
) -> None:
    """The tabs say iOS 18, 26, 27 / 14-17 / 11-13; 1, 2 and 3 switch between them."""
    from textual.widgets import TabbedContent

    app = demo_app(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, demo.password)
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


async def test_wrong_password_then_back_keeps_fields_and_fix_works(
    demo: RunningDemo, tmp_path: Path
) -> None:
    """A wrong password ends in the login diagnosis; Back keeps what was typed."""
    app = demo_app(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, "not-the-password", name="Ann Other")
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
        assert account.query_one("#email", Input).value == demo.email
        assert account.query_one("#password", Input).value == "not-the-password"
        await type_into(pilot, "#password", demo.password)
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
    with start_demo("blocked-465") as session:
        app = demo_app(session, tmp_path, timeout=1.5)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, AccountScreen))
            await fill_account(pilot, session.email, session.password)
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


async def test_no_keyring_disables_remember_with_the_reason(
    demo: RunningDemo, tmp_path: Path
) -> None:
    """Without a keyring backend the box is off and disabled, and the screen says why."""
    keyring.set_keyring(fail.Keyring())
    app = demo_app(demo, tmp_path, as_demo=False)
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
    demo: RunningDemo, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """With a keyring, a verified check stores the password; the next run fills it in."""
    app = demo_app(demo, tmp_path, as_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        remember = app.screen.query_one("#remember", Checkbox)
        assert not remember.disabled
        await fill_account(pilot, demo.email, demo.password)
        remember.value = True
        await run_check_to_end(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        await app.workers.wait_for_complete()
    assert secrets.recall_password(demo.email, demo.provider) == demo.password

    again = demo_app(demo, tmp_path, as_demo=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(again.screen, AccountScreen))
        await type_into(pilot, "#email", demo.email)
        field = again.screen.query_one("#password", Input)
        await until(pilot, lambda: field.value == demo.password, 5)
        assert again.screen.query_one("#remember", Checkbox).value
        assert "keyring" in str(again.screen.query_one("#password-status", Static).content)


async def test_unticking_remember_forgets_the_stored_password(
    demo: RunningDemo, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """A remembered password is filled in; untick Remember and a verified check forgets it."""
    secrets.remember_password(demo.email, demo.password, demo.provider)
    app = demo_app(demo, tmp_path, as_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await type_into(pilot, "#email", demo.email)
        field = app.screen.query_one("#password", Input)
        await until(pilot, lambda: field.value == demo.password, 5)
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
    assert secrets.get_password(demo.email) is None


async def test_demo_never_writes_the_keyring(
    demo: RunningDemo, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """In the demo the box is disabled and a verified check stores nothing."""
    app = demo_app(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        assert app.screen.query_one("#remember", Checkbox).disabled
        await fill_account(pilot, demo.email, demo.password)
        await run_check_to_end(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        await app.workers.wait_for_complete()
    assert secrets.get_password(demo.email) is None


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


async def test_help_and_command_palette_open_and_close(demo: RunningDemo, tmp_path: Path) -> None:
    """F1 shows help over any screen; Escape closes it; Ctrl+P opens the palette."""
    app = demo_app(demo, tmp_path)
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


async def test_bad_address_blocks_next_and_says_why(demo: RunningDemo, tmp_path: Path) -> None:
    """An address without a domain keeps the user on the account screen with the reason."""
    app = demo_app(demo, tmp_path)
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


async def test_round_trip_message_arrives(demo: RunningDemo, tmp_path: Path) -> None:
    """ "Also send myself a test message" on the account screen: the check reports it arrived."""
    app = demo_app(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, demo.password)
        screen = await start_check(pilot, round_trip=True)
        await until(pilot, lambda: screen.report is not None and not screen.running, 60)
        assert screen.report is not None and screen.report.round_trip is not None
        assert screen.report.round_trip.status is Status.OK and screen.report.verified
        assert "arrived" in str(screen.query_one("#round-trip", Static).content)


async def test_leaving_send_to_iphone_stops_the_server(demo: RunningDemo, tmp_path: Path) -> None:
    """Back from the QR screen ends the offer: the link stops answering."""
    keyring.set_keyring(fail.Keyring())
    app = demo_app(demo, tmp_path, as_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, demo.password)
        await run_check_to_end(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("ctrl+w")
        await until(pilot, lambda: app.screen.query_one("#send").display)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SendScreen))
        send = app.screen
        assert isinstance(send, SendScreen)
        await until(pilot, lambda: send.url is not None)
        url = send.url
        assert url is not None
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await until(pilot, lambda: not listening(url), 10)


async def test_leaving_send_with_clients_connected_frees_it_within_a_second(
    tmp_path: Path,
) -> None:
    """Clients that connect and never finish their request cannot hold the Send screen."""
    exported = load_profile_file(write_profile(tmp_path / "ann@mail.com.mobileconfig"))
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(exported, host="127.0.0.1")
        await app.push_screen(send)
        await until(pilot, lambda: send.url is not None)
        url = send.url
        assert url is not None
        idle = await asyncio.to_thread(connect, url)
        half = await asyncio.to_thread(connect, url)
        half.sendall(b"GET / HTTP/1.1\r\nHo")
        await pilot.pause(0.1)  # both accepted
        await pilot.press("escape")
        took = await until(pilot, lambda: not listening(url), 1.0)
        assert took < 1.0
        assert not isinstance(app.screen, SendScreen)
        for client in (idle, half):  # cut by the server, not left open
            assert await asyncio.to_thread(closed_by_server, client, 1.0)
            client.close()


async def test_enter_while_waiting_never_stops_sending(tmp_path: Path) -> None:
    """Issue 21: Help says Enter takes the next step; while waiting that is on the phone."""
    exported = load_profile_file(write_profile(tmp_path / "ann@mail.com.mobileconfig"))
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(exported, host="127.0.0.1")
        await app.push_screen(send)
        await until(pilot, lambda: send.has_class("-waiting"))
        url = send.url
        assert url is not None
        await pilot.press("enter", "enter")
        await pilot.pause(0.1)
        assert app.screen is send and listening(url)
        await pilot.press("escape")
        await until(pilot, lambda: not listening(url), 1.0)


async def test_the_qr_screen_fits_80x24_whole_links_and_paths_then_the_install_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link and the file have lines of their own (the path with ~), the profile is
    marked unverified when it is, and after the download the install steps are on screen."""
    monkeypatch.setenv("HOME", str(tmp_path))
    provider = builtin_provider()
    settings = MailSettings(
        email="ann@mail.com",
        incoming_choice=IncomingChoice.IMAP,
        incoming=provider.imap[0],
        outgoing=provider.smtp[0],
        verified=False,
    )
    exported = make_profile(settings, tmp_path / f"mailcom-{settings.email}.mobileconfig")
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(exported, host="127.0.0.1")
        await app.push_screen(send)
        await until(pilot, lambda: send.has_class("-waiting"))
        await pilot.pause()
        url = send.url
        assert url is not None
        link, path = send.query_one("#send-url", Static), send.query_one("#send-file", Static)
        assert str(link.content) == f"Link: {url}" and link.region.height == 1
        assert str(path.content) == f"File: ~/mailcom-{settings.email}.mobileconfig"
        assert path.region.height == 1 and path.region.width >= len(str(path.content))
        assert "These settings were not verified" in str(
            send.query_one("#send-notes", Static).content
        )
        qr = send.query_one("#qr-code")
        assert qr.region.bottom <= send.query_one("#send-body").region.bottom  # not cut
        assert not send.query_one(".button-row").display  # Enter has nothing to stop
        assert await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read())
        await until(pilot, lambda: send.has_class("-downloaded"))
        await pilot.pause()
        steps = send.query_one("#send-steps", Static)
        assert "Tap Done" in str(steps.content)
        assert steps.region.bottom <= send.query_one("#send-text").region.bottom  # no scrolling


async def test_the_qr_screen_scrolls_with_page_down_whatever_has_focus(
    tmp_path: Path,
) -> None:
    """Issue 21: the demo's QR screen had steps 5-8 below the fold at 80x24, and Down and
    PageDown did nothing while the Back button had focus."""
    provider = builtin_provider()
    settings = MailSettings(
        email="demo@mail.com",
        incoming_choice=IncomingChoice.IMAP,
        incoming=provider.imap[0],
        outgoing=provider.smtp[0],
        verified=True,
        practice=True,
    )
    app = WizardApp(provider, CheckOptions(), home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(settings=settings, home=tmp_path)
        await app.push_screen(send)
        await until(pilot, lambda: send.has_class("-not-offered"))
        send.query_one("#back").focus()
        await pilot.pause()
        assert "Tap Done" not in visible_words(app.export_screenshot())
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert "Tap Done" in visible_words(app.export_screenshot())
        assert app.focused is send.query_one("#back")


async def test_without_a_network_the_file_is_offered_another_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No address to serve on: say so, and show the file to AirDrop or mail instead."""
    from wizard.core.handoff import addresses

    monkeypatch.setattr(addresses, "local_addresses", list)
    exported = load_profile_file(write_profile(tmp_path / "ann@mail.com.mobileconfig"))
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(exported)
        await app.push_screen(send)
        await until(pilot, lambda: send.has_class("-not-sent"))
        await pilot.pause()
        assert "no network interface" in str(send.query_one("#send-status", Static).content)
        assert send.query_one("#send-other-ways").display
        assert str(send.query_one("#send-file", Static).content).endswith(
            "ann@mail.com.mobileconfig"
        )
        assert app.focused is send.query_one("#back")  # Enter goes back


async def test_wrong_requests_are_counted_in_one_line_and_keys_stay_quick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: 3,000 wrong-path requests queued 2,997 pop-ups and slowed every key."""
    exported = load_profile_file(write_profile(tmp_path / "ann@mail.com.mobileconfig"))
    app = WizardApp(builtin_provider(), CheckOptions(), home=tmp_path)
    notices: list[object] = []
    monkeypatch.setattr(app, "notify", lambda *args, **kwargs: notices.append(args))
    async with app.run_test(size=SIZE) as pilot:
        send = SendScreen(exported, host="127.0.0.1")
        await app.push_screen(send)
        await until(pilot, lambda: send.url is not None)
        url = send.url
        assert url is not None
        host, port, _ = split_url(url)

        def flood() -> None:
            for _ in range(3000):
                with socket.create_connection((host, port), timeout=10) as peer:
                    peer.sendall(b"GET /wrong HTTP/1.1\r\n\r\n")
                    while peer.recv(4096):
                        pass

        await asyncio.to_thread(flood)
        await until(pilot, lambda: send.turned_away == 3000)
        notes = str(send.query_one("#send-notes", Static).content)
        assert "Turned away 3000 request(s)" in notes
        assert notices == []  # no pop-up per request
        start = time.monotonic()
        await pilot.press("down")
        await pilot.pause()
        assert time.monotonic() - start < 1.0  # 2.3 s with a pop-up per request
        assert await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read())


def listening(url: str) -> bool:
    """Does the link's server still accept connections?"""
    host, port, _ = split_url(url)
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


# -- the same flow against the real Dovecot and Postfix test bed ---------------------------


def bed_app(
    testbed: Testbed, provider_file: Path, tmp_path: Path, *, timeout: float = 5.0
) -> WizardApp:
    """The wizard as ``mailcom-wizard --provider FILE --cafile CA`` would build it."""
    return WizardApp(
        load_provider(provider_file),
        CheckOptions(timeout=timeout, cafile=testbed.cafile),
        home=tmp_path,
        serve_host="127.0.0.1",
    )


async def start_with(pilot: Pilot[None], email: str, password: str) -> CheckScreen:
    """Welcome, account, and the finished check."""
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    await fill_account(pilot, email, password)
    return await run_check_to_end(pilot)


@pytest.mark.servers
async def test_testbed_verified_then_steps_and_profile(testbed: Testbed, tmp_path: Path) -> None:
    """Real servers accept alice: verified, then the steps and a written profile."""
    testbed.require_postfix()
    app = bed_app(testbed, testbed.default_provider_file(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_with(pilot, testbed.alice.email, testbed.alice.password)
        report = screen.report
        assert report is not None and report.verified, panel_text(screen)
        assert report.incoming.endpoint == testbed.imap_ssl
        assert report.outgoing.endpoint == testbed.smtp_ssl
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, InstructionsScreen))
        hosts = [r.value.value for r in app.screen.query(ValueRow) if r.value.label == "Host Name"]
        assert testbed.host in hosts
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("ctrl+w")
        await until(pilot, lambda: app.screen.query_one("#send").display)
        data = (tmp_path / f"mailcom-{testbed.alice.email}.mobileconfig").read_bytes()
        assert str(testbed.imap_ssl.port).encode() in data
        assert testbed.alice.password.encode() not in data


@pytest.mark.servers
async def test_testbed_wrong_password_gives_the_login_diagnosis(
    testbed: Testbed, tmp_path: Path
) -> None:
    """Dovecot refuses the password: the panel names the login problem and what to do."""
    testbed.require_postfix()
    # The bed stands in for mail.com's own record, whose advice names mail.com's settings.
    provider_file = testbed.provider_file(tmp_path, provider_id=MAILCOM_ID)
    app = bed_app(testbed, provider_file, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_with(pilot, testbed.alice.email, "definitely wrong")
        report = screen.report
        assert report is not None and not report.verified
        assert report.incoming.status is Status.AUTH_FAILED
        text = panel_text(screen)
        assert report.incoming.title in text and "IMAP" in text
        assert "POP3/IMAP" in text  # the access switch is part of the advice
        assert "definitely wrong" not in text


@pytest.mark.servers
async def test_testbed_blocked_smtp_port_falls_back(
    testbed: Testbed, faults: FaultListeners, tmp_path: Path
) -> None:
    """SMTP 465 is a port that never answers; Postfix on 587 is used and the screen says so."""
    testbed.require_postfix()
    with Blackhole() as hole:
        blocked = Endpoint(Protocol.SMTP, hole.host, hole.port, Security.SSL)
        provider_file = testbed.provider_file(
            tmp_path, imap=[testbed.imap_ssl], smtp=[blocked, testbed.smtp_starttls]
        )
        app = bed_app(testbed, provider_file, tmp_path, timeout=1.5)
        async with app.run_test(size=SIZE) as pilot:
            screen = await start_with(pilot, testbed.alice.email, testbed.alice.password)
            report = screen.report
            assert report is not None and report.verified
            assert report.outgoing.endpoint == testbed.smtp_starttls
            assert row_text(screen, blocked.key).startswith("✗")
            sending = screen.query_one("#role-outgoing", RoleRow).status_text
            assert f"works on port {testbed.smtp_starttls.port}" in sending
            failed = next(a for a in report.attempts if a.endpoint == blocked)
            assert f"({blocked.port} {short_words(failed, report)})" in sending


@pytest.mark.servers
async def test_testbed_escape_cancels_at_once(
    testbed: Testbed, faults: FaultListeners, tmp_path: Path
) -> None:
    """Every server silent, 30 s limit: Escape stops the check within a second or two."""
    provider_file = testbed.provider_file(
        tmp_path,
        imap=[faults.silent.endpoint(Protocol.IMAP, Security.SSL)],
        smtp=[faults.silent.endpoint(Protocol.SMTP, Security.SSL)],
    )
    app = bed_app(testbed, provider_file, tmp_path, timeout=30)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, testbed.alice.email, testbed.alice.password)
        screen = await start_check(pilot)
        await until(pilot, lambda: any(r.running for r in screen.query(EndpointRow)))
        started = time.monotonic()
        await pilot.press("escape")
        await until(pilot, lambda: not screen.running, 3)
        await app.workers.wait_for_complete()
        assert time.monotonic() - started < 5
        assert screen.report is None
        assert "Cancelled" in str(screen.query_one("#check-summary", Static).content)


async def _enter_goes_on_with_587(pilot: Pilot[None], email: str, password: str) -> None:
    """From the welcome screen: once 587's login works, the screen says so and Enter goes
    on while the silent 465 is still being waited for (its 10 s not run out).

    Shown by 465's row still having no result, not by a clock: a busy machine slows both
    alike. How quickly the verdict comes is measured in benchmarks/early_verdict.py."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, AccountScreen))
    await fill_account(pilot, email, password)
    screen = await start_check(pilot)
    row = screen.query_one("#row-3", EndpointRow)  # IMAP 993, 143, SMTP 465, 587
    silent = screen.query_one("#row-2", EndpointRow)  # 465
    await until(pilot, lambda: row.attempt is not None and row.attempt.verified)
    await until(pilot, lambda: screen.stage == "decided")
    assert silent.attempt is None  # decided without waiting for 465
    port = row.endpoint.port
    sending = screen.query_one("#role-outgoing", RoleRow).status_text
    assert sending.startswith(f"✓ works on port {port}"), sending
    summary = str(screen.query_one("#check-summary", Static).content)
    assert summary.startswith("✓ Verified") and "has not answered yet" in summary
    assert screen.running and screen.report is None  # 465 is still being waited for
    await pilot.press("enter")
    # Gone on: the check screen handed over its settings (the next screen then draws),
    # while 465 had still not answered: Enter did not wait for it, however busy the
    # machine (the check is cancelled on leaving, so 465's row never gets a result).
    await until(pilot, lambda: app.state.settings is not None)
    assert silent.attempt is None and silent.endpoint.port != port
    await until(pilot, lambda: not isinstance(app.screen, CheckScreen))
    settings = app.state.settings
    assert settings is not None and settings.verified and settings.outgoing.port == port


async def test_demo_blocked_465_enter_goes_on_with_587_at_once(tmp_path: Path) -> None:
    with start_demo("blocked-465") as session:
        app = demo_app(session, tmp_path, timeout=10)
        async with app.run_test(size=SIZE) as pilot:
            await _enter_goes_on_with_587(pilot, session.email, session.password)
            assert app.state.settings is not None and app.state.settings.practice


@pytest.mark.servers
@pytest.mark.parametrize("silence", ["blackhole", "silent-listener"])
async def test_testbed_enter_goes_on_with_587_while_465_is_silent(
    testbed: Testbed, faults: FaultListeners, tmp_path: Path, silence: str
) -> None:
    """465 dropped by a firewall, or accepting and then saying nothing."""
    testbed.require_postfix()
    with Blackhole() as hole:
        blocked = (
            Endpoint(Protocol.SMTP, hole.host, hole.port, Security.SSL)
            if silence == "blackhole"
            else faults.silent.endpoint(Protocol.SMTP, Security.SSL)
        )
        provider_file = testbed.provider_file(
            tmp_path,
            imap=[testbed.imap_ssl, testbed.imap_starttls],
            smtp=[blocked, testbed.smtp_starttls],
        )
        app = bed_app(testbed, provider_file, tmp_path, timeout=10)
        async with app.run_test(size=SIZE) as pilot:
            await _enter_goes_on_with_587(pilot, testbed.alice.email, testbed.alice.password)
            assert app.state.settings is not None
            assert app.state.settings.outgoing == testbed.smtp_starttls


async def test_a_check_that_cannot_go_on_says_why_on_the_screen(
    demo: RunningDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This computer out of file descriptors: the screen says so, offers Retry, no dialog."""

    async def no_descriptors(*args: object, **kwargs: object) -> None:
        raise ResourceLimitError("this computer cannot open another connection (too many)")

    monkeypatch.setattr("wizard.screens.check.run_check", no_descriptors)
    app = demo_app(demo, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await fill_account(pilot, demo.email, demo.password)
        screen = await start_check(pilot)
        await until(pilot, lambda: not screen.running)
        summary = str(screen.query_one("#check-summary", Static).content)
        assert "The check stopped" in summary and "too many" in summary
        assert screen.stage == "failed" and app.focused is screen.query_one("#retry")
        assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack)


@pytest.mark.servers
async def test_two_incoming_servers_on_one_port_each_get_a_row(
    faults: FaultListeners, tmp_path: Path
) -> None:
    """``localhost:N`` and ``127.0.0.1:N`` (and one listed twice): no crash, one row each."""
    closed = faults.closed_port.port
    imap = [
        Endpoint(Protocol.IMAP, "localhost", closed, Security.SSL),
        Endpoint(Protocol.IMAP, "127.0.0.1", closed, Security.SSL),
        Endpoint(Protocol.IMAP, "127.0.0.1", closed, Security.SSL),
    ]
    smtp = [Endpoint(Protocol.SMTP, "127.0.0.1", closed, Security.SSL)] * 2
    provider = Provider("dup", "Dup Mail", ("example.test",), tuple(imap), (), tuple(smtp))
    app = WizardApp(provider, CheckOptions(timeout=2), home=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_with(pilot, "ann@example.test", "pw")
        assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack)
        rows = list(screen.query(EndpointRow))
        assert [row.id for row in rows] == [f"row-{n}" for n in range(5)]
        assert all(row.attempt is not None for row in rows)
        assert screen.report is not None and len(screen.report.attempts) == 5
