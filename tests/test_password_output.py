"""The password is kept out of the output by construction, so any password leaves it intact.

Nothing rewrites finished output: a one-letter password such as ``e`` must not turn the
address, the advice or the JSON keys into "[password removed]" marks (which would also
show where the letter was).
"""

from __future__ import annotations

import io
import json
import re
import ssl

import pytest

from wizard.cli import main
from wizard.core.models import Endpoint, Protocol, Security, Status
from wizard.core.probes.base import ECHO_WITHHELD, MailSession, PhaseCallback, ProbeFailure
from wizard.demo.practice import DEMO_EMAIL

# Passwords that occur everywhere in ordinary text, and one that occurs nowhere.
SHORT_PASSWORDS = ["e", "mail", "a", "demo", "com", "."]
CONTROL_PASSWORD = "Qz7-nowhere-in-the-output"


def _check(
    password: str,
    extra: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code = main(["check", "--demo", "--password-stdin", "--timeout", "5", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _without_times(text: str) -> str:
    """The output without what differs from run to run: times and the demo's free ports."""
    text = re.sub(r'"elapsed_ms": \d+', '"elapsed_ms": 0', text)
    text = re.sub(r"\d+(\.\d)? (ms|s)\b", "T", text)
    text = re.sub(r"\b\d{4,5}\b", "PORT", text)
    return re.sub(r" +", " ", text)


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_short_password_leaves_the_text_report_intact(
    password: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _check(password, [], monkeypatch, capsys)
    assert code == 1
    assert "[password removed]" not in out + err
    assert f"Checked {DEMO_EMAIL} (IMAP and SMTP):" in out
    _, control_out, control_err = _check(CONTROL_PASSWORD, [], monkeypatch, capsys)
    # The same wrong-password report, whatever the password was (each attempt's line is
    # printed as it arrives, so their order may differ from run to run).
    assert sorted(_without_times(out).splitlines()) == sorted(
        _without_times(control_out).splitlines()
    )
    assert _without_times(err) == _without_times(control_err)


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_short_password_leaves_the_json_intact(
    password: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _check(password, ["--json"], monkeypatch, capsys)
    assert code == 1
    report = json.loads(out)  # still JSON
    assert set(report) == {
        "email",
        "protocol",
        "verified",
        "incoming",
        "outgoing",
        "attempts",
        "round_trip",
    }
    assert report["email"] == DEMO_EMAIL
    assert report["incoming"]["status"] == Status.AUTH_FAILED.value
    _, control_out, _ = _check(CONTROL_PASSWORD, ["--json"], monkeypatch, capsys)
    assert _without_times(out) == _without_times(control_out)


class _EchoingSession(MailSession):
    """A session whose server refuses the login quoting what it was sent."""

    endpoint = Endpoint(Protocol.IMAP, "localhost", 993, Security.SSL)

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def _login(self, username: str, password: str) -> str:
        raise ProbeFailure(Status.AUTH_FAILED, "the server refused the login", self.reply)

    async def secure(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        return None

    async def _goodbye(self, timeout: float) -> None:
        return None

    def abort(self) -> None:
        return None

    def ssl_object(self) -> None:
        return None


@pytest.mark.parametrize(
    ("password", "reply", "withheld"),
    [
        ("Long-Secret-99", "NO wrong password Long-Secret-99 for ann", True),
        ("Long-Secret-99", 'NO [AUTH] password="Long-Secret-99"', True),
        ("pass word", "NO you typed: pass word.", True),
        ("e", "NO e", True),
        # A one-letter password inside words is not an echo: the reply stays as it came.
        ("e", "NO [AUTHENTICATIONFAILED] Authentication failed.", False),
        ("mail", "NO [AUTHENTICATIONFAILED] Authentication failed.", False),
        ("mail", "NO login failed for demo@mail.com, try again.", False),
        ("com", "NO login failed for demo@mail.com.", False),
        ("a", "NO login failed: a password is needed", True),
    ],
)
async def test_a_reply_that_echoes_the_password_is_withheld_at_capture(
    password: str, reply: str, withheld: bool
) -> None:
    session = _EchoingSession(reply)
    with pytest.raises(ProbeFailure) as caught:
        await session.login("ann@mail.com", password)
    assert caught.value.status is Status.AUTH_FAILED
    if withheld:
        assert caught.value.reply == ECHO_WITHHELD
        assert "password" in ECHO_WITHHELD  # says why the reply is not shown
    else:
        assert caught.value.reply == reply


@pytest.mark.parametrize("password", ["e", "mail", "Very-Secret-Passw0rd"])
def test_the_error_dialog_keeps_messages_intact_and_the_password_out(password: str) -> None:
    """The dialog shows the traceback (no locals) and marks only a password quoted as a word."""
    from wizard.recovery import PASSWORD_MARK, error_report

    def failing() -> None:
        secret_local = password  # a local: tracebacks never show it
        raise RuntimeError(f"engine bug at demo@mail.com ({len(secret_local)})")

    try:
        failing()
    except RuntimeError as exc:
        error = exc
    summary, details = error_report(error, [password])
    assert summary == f"RuntimeError: engine bug at demo@mail.com ({len(password)})"
    assert 'raise RuntimeError(f"engine bug at demo@mail.com' in details  # code is shown...
    assert PASSWORD_MARK not in summary + details  # ...and nothing is rewritten
    assert "secret_local =" not in details  # locals are not shown
    try:
        raise RuntimeError(f"bug quoting {password} by mistake")
    except RuntimeError as exc:
        summary, details = error_report(exc, [password])
    assert summary == f"RuntimeError: bug quoting {PASSWORD_MARK} by mistake"
    assert f"quoting {password} " not in details
