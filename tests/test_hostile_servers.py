"""What a hostile or broken server can do to a check, on loopback, and what it cannot.

- nothing it provokes in a library (an exception, a log line) carries the password to the
  output, and a reply that repeats the password in any encoding is withheld, after a
  refused login and after a successful one alike;
- clear text sent along with the STARTTLS go-ahead ends the check as ``plaintext_injected``
  before anything is read or sent on that connection;
- a flood before the login (an endless greeting, endless capabilities) is cut off at a
  bound, and memory stays small.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.testbed import FaultListeners
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import Provider, render_provider

PASSWORD = 'Kx9 "Qv-Secret" \\ Wz-42'


def _provider_file(tmp_path: Path, faults: FaultListeners, *endpoints: Endpoint) -> Path:
    """A provider file listing ``endpoints``; a role left out gets a closed port (fast)."""
    listed = list(endpoints)
    if not any(endpoint.protocol is Protocol.SMTP for endpoint in listed):
        listed.append(faults.closed_port.endpoint(Protocol.SMTP, Security.SSL))
    if all(endpoint.protocol is Protocol.SMTP for endpoint in listed):
        listed.append(faults.closed_port.endpoint(Protocol.IMAP, Security.SSL))
    path = tmp_path / "hostile.xml"
    path.write_text(render_provider("hostile", ["mail.com"], listed, display_name="Hostile"))
    return path


def _check(faults: FaultListeners, provider: Path, *extra: str) -> tuple[int, str, str]:
    """``mailcom-wizard check`` for ann@mail.com in a process of its own, the password on
    stdin: its real stdout and stderr, where Python's logging prints when nothing is set up."""
    argv = ["check", "--email", "ann@mail.com", "--provider", str(provider)]
    argv += ["--cafile", str(faults.certificates.cafile), "--password-stdin", "--timeout", "3"]
    done = subprocess.run(
        [sys.executable, "-m", "wizard", *argv, *extra],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _secret_parts() -> list[str]:
    """The password and the words it is made of that are long enough to be telling."""
    return [PASSWORD, *[word.strip('"\\') for word in PASSWORD.split() if len(word) > 3]]


# -- nothing a library raises or logs carries the password --------------------------------


@pytest.mark.parametrize("json_mode", [False, True])
def test_a_login_answered_with_an_unexpected_tag_leaves_no_password_on_stderr(
    faults: FaultListeners, tmp_path: Path, json_mode: bool
) -> None:
    """aioimaplib raises an Abort quoting the pending LOGIN command; asyncio would log it."""
    fake = faults.scripted(
        "wrong_tag", Protocol.IMAP, login_answer=lambda _tag, _secret: ["ZZZZ9 NO bad"]
    )
    provider = _provider_file(tmp_path, faults, fake.endpoint())
    code, out, err = _check(faults, provider, *(["--json"] * json_mode))
    assert fake.saw_login  # the password did go to the (trusted) server...
    assert code == 1
    for part in _secret_parts():  # ...and nowhere else
        assert part not in out + err, (part, out, err)
    if json_mode:
        report = json.loads(out)
        assert report["incoming"]["status"] == "protocol_error"


async def test_the_wizard_tells_an_exception_in_the_event_loop_by_its_kind_only(
    faults: FaultListeners, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from wizard.app import WizardApp

    closed = faults.closed_port
    provider = Provider(
        "hostile",
        "Hostile",
        ("mail.com",),
        (closed.endpoint(Protocol.IMAP, Security.SSL),),
        (),
        (closed.endpoint(Protocol.SMTP, Security.SSL),),
    )

    def library_callback() -> None:
        raise RuntimeError(f"unexpected answer to LOGIN ann {PASSWORD}")

    caplog.set_level(logging.DEBUG)
    async with WizardApp(provider, home=tmp_path).run_test() as pilot:
        asyncio.get_running_loop().call_soon(library_callback)
        await pilot.pause()
    assert "RuntimeError inside the event loop" in caplog.text
    for part in _secret_parts():
        assert part not in caplog.text
