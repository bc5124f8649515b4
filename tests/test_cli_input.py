"""Headless input handling: where the password comes from, bad input, exit codes."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.keyring_backends import MemoryKeyring
from tests.testbed.provider_files import render_provider
from wizard.cli import build_parser, main
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import load_provider

SECRET = "Zürich pass wörd 7"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def closed_provider(tmp_path: Path) -> Path:
    port = _closed_port()
    endpoints = [
        Endpoint(Protocol.IMAP, "127.0.0.1", port, Security.SSL),
        Endpoint(Protocol.POP3, "127.0.0.1", port, Security.SSL),
        Endpoint(Protocol.SMTP, "127.0.0.1", port, Security.SSL),
    ]
    path = tmp_path / "closed.xml"
    path.write_text(render_provider("closed", ["example.test"], endpoints))
    return path


@pytest.fixture
def no_keyring() -> object:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_no_password_source_exits_2_with_how_to(
    closed_provider: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_keyring: object,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["check", "--email", "a@example.test", "--provider", str(closed_provider)])
    err = capsys.readouterr().err
    assert code == 2
    assert "--password-stdin" in err
    assert "Traceback" not in err


def test_password_stdin_keeps_spaces_and_non_ascii_and_never_prints_it(
    closed_provider: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    code = main(
        [
            "check",
            "--email",
            "a@example.test",
            "--provider",
            str(closed_provider),
            "--password-stdin",
            "--json",
            "--timeout",
            "2",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    report = json.loads(out)
    assert report["verified"] is False
    assert {a["status"] for a in report["attempts"]} == {"connection_refused"}
    assert SECRET not in out + err


def test_empty_stdin_password_is_bad_input(
    closed_provider: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    code = main(
        [
            "check",
            "--email",
            "a@example.test",
            "--provider",
            str(closed_provider),
            "--password-stdin",
        ]
    )
    assert code == 2
    assert "no password line" in capsys.readouterr().err


def test_keyring_password_is_used(
    closed_provider: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    from wizard.core import secrets

    # Remembered for this provider's servers (a password is only ever handed out for those).
    assert secrets.remember_password("a@example.test", SECRET, load_provider(closed_provider))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, nothing to read
    code = main(
        ["check", "--email", "a@example.test", "--provider", str(closed_provider), "--timeout", "2"]
    )
    out, err = capsys.readouterr()
    assert code == 1  # the servers are closed; what matters is that no password was asked
    assert "connection_refused" in out
    assert SECRET not in out + err


def test_bad_address_and_unknown_domain(
    closed_provider: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--email", "not-an-address", "--provider", str(closed_provider)])
    assert code == 2
    assert "needs an @" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    code = main(
        [
            "check",
            "--email",
            "a@elsewhere.test",
            "--provider",
            str(closed_provider),
            "--password-stdin",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "Warning: elsewhere.test is not one of the" in err


def test_missing_cafile_is_bad_input(
    closed_provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "check",
            "--email",
            "a@example.test",
            "--provider",
            str(closed_provider),
            "--cafile",
            "/nonexistent/ca.pem",
            "--password-stdin",
        ]
    )
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_unreachable_mailcom_says_so_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No machine here reaches the internet, so the real mail.com names cannot be looked up.
    # Make that certain (and keep the test on loopback) by failing every lookup.
    import asyncio

    async def no_dns(self: object, host: str, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", no_dns)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    code = main(["check", "--email", "someone@mail.com", "--password-stdin"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "mail.com cannot be reached" in out
    assert "not connected to the internet" in " ".join(out.split())
    assert out.count("Nothing answered on any of") == 1  # one explanation, not four
    assert "Traceback" not in out + err


def test_plain_text_file_keyrings_are_refused(tmp_path: Path) -> None:
    """keyrings.alt's file backend is not a system keyring: nothing is stored there."""
    from keyrings.alt.file import PlaintextKeyring

    from wizard.core import secrets

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        assert not secrets.keyring_available()
        assert secrets.set_password("a@example.test", SECRET) is False
        assert not (tmp_path / "keyring.cfg").exists()
    finally:
        keyring.set_keyring(previous)


def test_memory_keyring_round_trip(memory_keyring: MemoryKeyring) -> None:
    from wizard.core import secrets

    assert secrets.keyring_available()
    assert secrets.set_password("A@Example.test", SECRET)
    assert secrets.get_password("a@example.test") == SECRET
    assert secrets.delete_password("a@example.test")
    assert secrets.get_password("a@example.test") is None


def test_shared_options_work_before_or_after_the_command(
    closed_provider: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["--provider", str(closed_provider), "--timeout", "2", "check"],
        ["check", "--provider", str(closed_provider), "--timeout", "2"],
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
        code = main([*argv, "--email", "a@example.test", "--password-stdin", "--json"])
        out = capsys.readouterr().out
        assert code == 1
        assert {a["status"] for a in json.loads(out)["attempts"]} == {"connection_refused"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--demo", "--timeout", "5", "repair"], (True, 5.0)),
        (["repair", "--demo", "--timeout", "5"], (True, 5.0)),
        (["--timeout", "7", "repair", "--demo", "--timeout", "5"], (True, 5.0)),
        (["repair"], (False, 10.0)),
        (["--demo"], (True, 10.0)),
    ],
)
def test_connection_options_given_before_the_command_are_not_reset_by_it(
    argv: list[str], expected: tuple[bool, float]
) -> None:
    args = build_parser().parse_args(argv)
    assert (args.demo, args.timeout, args.provider, args.cafile) == (*expected, None, None)


def test_a_closed_output_pipe_ends_quietly() -> None:
    """``mailcom-wizard ... | head`` must not end in a traceback when head stops reading."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from wizard.cli import main\n"
        "sys.exit(main(['instructions', '--no-verify', '--email', 'a@mail.com']))\n"
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        writer = subprocess.run(
            [sys.executable, "-c", code],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parent.parent,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in writer.stderr, writer.stderr
    assert writer.returncode == 1
