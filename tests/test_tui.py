"""Pilot tests end to end: a user walks the wizard against a practice mail server, and
"Send to iPhone" serves the profile to a real HTTP client.

The practice server (``wizard.demo``) speaks real IMAP, POP3 and SMTP over TLS on loopback,
so the whole flow, the demo's dialling and the round trip exercise the same engine and the
same screens as a real run. The screens' own behaviour is tested with a fake check
(``tests/test_tui_check.py``, ``tests/test_tui_account.py``); the real test bed in
``tests/test_tui_servers.py``. Nothing here sleeps: waits are on workers, on the pilot, or
bounded polls of screen state.
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
from textual.widgets import Static

from tests.fakes import until
from tests.pilot import SIZE, demo_app, fill_account, row_text, run_check_to_end, start_check
from tests.screen_text import visible_words
from tests.serving import closed_by_server, connect, listens_here, split_url, write_profile
from wizard.app import WizardApp
from wizard.core.export import make_profile
from wizard.core.handoff.profile_file import load_profile_file
from wizard.core.models import (
    CheckOptions,
    IncomingChoice,
    MailSettings,
    Status,
)
from wizard.core.provider import builtin_provider
from wizard.demo.practice import PRACTICE, RunningDemo, start_demo
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.export import ExportScreen
from wizard.screens.instructions import InstructionsScreen
from wizard.screens.send import SendScreen
from wizard.screens.welcome import WelcomeScreen
from wizard.widgets.value_row import ValueRow


@pytest.fixture(autouse=True)
def _keep_keyring() -> Iterator[None]:
    """Each test chooses its keyring; the process-wide choice is restored afterwards."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def demo() -> Iterator[RunningDemo]:
    """A working practice server."""
    with start_demo(None) as session:
        yield session


async def test_whole_flow_verified_steps_profile_and_qr(demo: RunningDemo, tmp_path: Path) -> None:
    """Welcome to QR code with the keyboard: verified check, steps, copy, save, export, send.

    The wizard runs as for a real mailbox (the practice server standing in for mail.com),
    so Send to iPhone really offers the profile; the demo itself only practises that step.
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


async def test_demo_shows_a_real_accounts_values_as_practice_and_only_practises_sending(
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
        assert settings is not None and settings.caveat is PRACTICE and settings.verified
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
        caveat=PRACTICE,
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
    """Does the link's server (in this process) still listen?"""
    return listens_here(split_url(url)[1])
