"""Pilot tests that run end to end against the test bed: real Dovecot and Postfix on
loopback (and the practice server for the demo's early verdict).

Here the servers are the point: what the engine makes of real logins, blocked and silent
ports, and how quickly the screen lets the user go on. The screens' own behaviour is tested
with the fake check (``tests/test_tui_check.py``, ``tests/test_tui_account.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.fakes import until
from tests.pilot import (
    SIZE,
    demo_app,
    fill_account,
    panel_text,
    row_text,
    run_check_to_end,
    start_check,
)
from tests.testbed import FaultListeners, Testbed
from wizard.app import WizardApp
from wizard.core.diagnosis import short_words
from wizard.core.models import CheckOptions, Endpoint, Protocol, Security, Status
from wizard.core.provider import MAILCOM_ID, Provider, load_provider
from wizard.demo.blackhole import Blackhole
from wizard.demo.practice import PRACTICE, start_demo
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.error import ErrorScreen
from wizard.screens.export import ExportScreen
from wizard.screens.instructions import InstructionsScreen
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.role_row import RoleRow
from wizard.widgets.value_row import ValueRow


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
    """SMTP 465 is a port that never answers; Postfix on 587 is used and the screen says so.

    The limit is long enough for Postfix's login on a busy machine: one run that shared two
    cores with eight others saw 587 miss a 1.5 s limit.
    """
    testbed.require_postfix()
    with Blackhole() as hole:
        blocked = Endpoint(Protocol.SMTP, hole.host, hole.port, Security.SSL)
        provider_file = testbed.provider_file(
            tmp_path, imap=[testbed.imap_ssl], smtp=[blocked, testbed.smtp_starttls]
        )
        app = bed_app(testbed, provider_file, tmp_path, timeout=4.0)
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
    alike. How quickly the verdict comes is measured in benchmarks/check_speed.py."""
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
            assert app.state.settings is not None and app.state.settings.caveat is PRACTICE


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
