"""A remembered password goes only to the servers it was saved for (issue 19 item 3).

A provider file that claims mail.com's id and the user's address but names other servers
(here: recording fakes on loopback) never receives the password from the keyring: headless
without a terminal refuses in one line, on a terminal it asks first, and the wizard's
account screen does not fill it in.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.keyring_backends import MemoryKeyring
from tests.testbed import FakeMailServer, FaultListeners
from wizard.app import WizardApp
from wizard.cli import EXIT_USAGE, main
from wizard.core import secrets
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import (
    MAILCOM_ID,
    Provider,
    builtin_provider,
    load_provider,
)
from wizard.screens.account import AccountScreen

EMAIL = "alex@mail.com"
SECRET = "Remembered-Secret-7"


def _provider_xml(provider_id: str, endpoints: list[Endpoint]) -> str:
    """A Mozilla autoconfig file listing ``endpoints`` (written here, not by the wizard)."""
    servers = []
    for e in endpoints:
        kind = "outgoingServer" if e.protocol is Protocol.SMTP else "incomingServer"
        socket_type = "SSL" if e.security is Security.SSL else "STARTTLS"
        servers.append(
            f'<{kind} type="{e.protocol.value}"><hostname>{e.host}</hostname>'
            f"<port>{e.port}</port><socketType>{socket_type}</socketType>"
            "<username>%EMAILADDRESS%</username>"
            f"<authentication>password-cleartext</authentication></{kind}>"
        )
    return (
        f'<clientConfig version="1.1"><emailProvider id="{provider_id}">'
        f"<domain>{provider_id}</domain><displayName>{provider_id}</displayName>"
        f"{''.join(servers)}</emailProvider></clientConfig>"
    )


def _lookalike(faults: FaultListeners, folder: Path) -> tuple[Path, list[FakeMailServer]]:
    """A provider file with mail.com's id and domain, whose servers are recording fakes."""
    fakes = [
        faults.hostile(Protocol.IMAP, Security.SSL),
        faults.hostile(Protocol.SMTP, Security.SSL),
    ]
    path = folder / "lookalike.xml"
    path.write_text(_provider_xml(MAILCOM_ID, [fake.endpoint(Security.SSL) for fake in fakes]))
    return path, fakes


def _check(path: Path, faults: FaultListeners) -> int:
    return main(
        [
            "check",
            "--email",
            EMAIL,
            "--provider",
            str(path),
            "--cafile",
            str(faults.certificates.cafile),
            "--timeout",
            "2",
        ]
    )


@pytest.mark.parametrize("saved", ["bound to mail.com", "saved by an older version"])
def test_headless_without_a_terminal_refuses_in_one_line(
    saved: str,
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    if saved == "bound to mail.com":
        assert secrets.remember_password(EMAIL, SECRET, builtin_provider())
    else:  # the address alone, as every version before stored it
        memory_keyring.set_password(secrets.SERVICE, EMAIL, SECRET)
    path, fakes = _lookalike(faults, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal
    assert _check(path, faults) == EXIT_USAGE
    err = capsys.readouterr().err
    (line,) = [each for each in err.splitlines() if each.startswith("mailcom-wizard:")]
    assert "saved for" in line and "--password-stdin" in line
    assert SECRET not in err
    for fake in fakes:
        assert fake.connections == 0 and not fake.saw_login


def test_on_a_terminal_it_asks_first_and_sends_only_what_was_typed(
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    assert secrets.remember_password(EMAIL, SECRET, builtin_provider())
    path, fakes = _lookalike(faults, tmp_path)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[str] = []

    def getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return "typed-for-these-servers"

    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("getpass.getpass", getpass)
    _check(path, faults)
    err = capsys.readouterr().err
    assert asked and "saved for mail.com (imap.mail.com" in " ".join(err.split())
    imap = fakes[0]
    assert imap.saw_login  # the typed password went there, with the user's say...
    assert all(SECRET not in line for fake in fakes for line in fake.commands)  # ...not this


def test_the_servers_it_was_saved_for_get_it_without_a_question(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    faults: FaultListeners,
) -> None:
    path, fakes = _lookalike(faults, tmp_path)
    assert secrets.remember_password(EMAIL, SECRET, load_provider(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    _check(path, faults)
    assert fakes[0].saw_login  # the one it was saved for
    assert SECRET not in capsys.readouterr().err


def test_what_fits_where() -> None:
    mailcom = builtin_provider()
    remembered = secrets.Remembered(SECRET, MAILCOM_ID, secrets.servers_of(mailcom))
    assert remembered.fits(mailcom)
    pop_only = Provider(MAILCOM_ID, "mail.com", ("mail.com",), (), mailcom.pop3, mailcom.smtp)
    assert remembered.fits(pop_only)  # fewer servers of the same provider
    other_host = Provider(
        MAILCOM_ID,
        "mail.com",
        ("mail.com",),
        (Endpoint(Protocol.IMAP, "imap.evil.example", 993, Security.SSL),),
        (),
        mailcom.smtp,
    )
    assert not remembered.fits(other_host)
    assert not secrets.Remembered(SECRET).fits(mailcom)  # saved for nothing in particular
    assert SECRET not in repr(remembered)


async def test_the_account_screen_fills_it_in_only_for_its_own_servers(
    tmp_path: Path, memory_keyring: MemoryKeyring, faults: FaultListeners
) -> None:
    assert secrets.remember_password(EMAIL, SECRET, builtin_provider())
    lookalike = load_provider(_lookalike(faults, tmp_path)[0])
    for provider, filled in ((lookalike, ""), (builtin_provider(), SECRET)):
        app = WizardApp(provider, home=tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, AccountScreen)
            await app.workers.wait_for_complete()
            email = app.screen.query_one("#email", Input)
            email.focus()
            email.insert_text_at_cursor(EMAIL)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.query_one("#password", Input).value == filled, provider.id
