"""``serve`` on the command line: what it says, its exit codes, and the QR code and link
together in a real 80x24 terminal."""

from __future__ import annotations

import codecs
import os
import pty
import re
import signal
import socket
import struct
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.serving import (
    PASSWORD,
    Output,
    assert_refused,
    body,
    finish,
    mail_settings,
    request,
    wizard_command,
    write_profile,
)
from wizard.core.export import make_profile
from wizard.core.handoff.profile_file import (
    MAX_PROFILE_BYTES,
)
from wizard.core.handoff.qr import qr_text

# --------------------------------------------------------------------------- the command


def words_around_the_qr(url: str, text: str) -> str:
    """The QR code of ``url`` must be in the output whole (each of its lines starts a line,
    in order; the phone's first steps may stand beside it); the words without it."""
    qr = qr_text(url).split("\n")
    lines = text.split("\n")
    starts = [
        i
        for i, line in enumerate(lines)
        if all(i + n < len(lines) and lines[i + n].startswith(row) for n, row in enumerate(qr))
    ]
    assert starts, f"no whole QR code for {url} in:\n{text}"
    for n in range(len(qr)):
        lines[starts[0] + n] = lines[starts[0] + n][len(qr[0]) :]
    return " ".join(" ".join(lines).split())


def test_cli_serves_until_the_download_and_says_so(profile_path: Path) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    response = request(url)
    assert response.status == 200
    assert response.body == profile_path.read_bytes()  # type: ignore[attr-defined]
    code, text, err = output.finish()
    assert code == 0, err
    assert "Done: the profile was downloaded" in text
    assert "is downloading the profile" in text
    flat = words_around_the_qr(url, text)
    assert "Open it in Safari" in flat and "Profile Downloaded" in flat
    assert "this computer only" in flat  # 127.0.0.1 cannot be reached by the phone
    assert "Traceback" not in err


def test_cli_says_when_the_time_ran_out(profile_path: Path) -> None:
    code, out, _ = finish(
        wizard_command(str(profile_path), "--host", "127.0.0.1", "--minutes", "0.005")
    )
    assert code == 1
    assert "Stopped: nobody downloaded the profile within 0.3 seconds" in " ".join(out.split())


def test_cli_says_when_the_profile_is_not_verified(tmp_path: Path) -> None:
    made = make_profile(mail_settings(verified=False), tmp_path / "p.mobileconfig")
    made.path.write_bytes(made.data)
    code, out, _ = finish(
        wizard_command(str(made.path), "--host", "127.0.0.1", "--minutes", "0.005")
    )
    assert code == 1
    assert "These settings were not verified" in " ".join(out.split())


def test_cli_counts_the_requests_it_turned_away(profile_path: Path) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    for _ in range(3):
        assert request(url, path="/favicon.ico").status == 404
    assert request(url).status == 200
    code, text, _ = output.finish()
    assert code == 0
    assert "Turned away 3 request(s) for a wrong or used link." in text
    assert text.count("wrong or used link") == 1


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    return lines[-1]


def test_cli_password_profile_without_flag_or_terminal_exits_2(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", IncomingPassword=PASSWORD)
    code, out, err = finish(wizard_command(str(path), "--host", "127.0.0.1"))
    assert code == 2
    assert "anyone on the network" in one_line_error(err)
    assert "--yes-serve-password" in err
    assert "http://" not in out
    assert PASSWORD not in out + err


def test_cli_password_profile_with_flag_is_served(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", IncomingPassword=PASSWORD)
    output = Output(wizard_command(str(path), "--host", "127.0.0.1", "--yes-serve-password"))
    url = output.url()
    assert body(url) == path.read_bytes()
    code, out, err = output.finish()
    assert code == 0
    assert "plain HTTP" in err  # the warning is still shown
    assert PASSWORD not in out + err


@pytest.mark.parametrize(("answer", "served"), [("n", False), ("y", True)])
def test_cli_password_profile_asks_on_a_terminal(tmp_path: Path, answer: str, served: bool) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", OutgoingPassword=PASSWORD)
    controller, terminal = pty.openpty()
    try:
        process = wizard_command(
            str(path), "--host", "127.0.0.1", "--minutes", "0.005", stdin=terminal
        )
        os.write(controller, f"{answer}\n".encode())
        code, out, err = finish(process)
    finally:
        os.close(controller)
        os.close(terminal)
    assert "Serve it anyway? [y/N]" in out
    assert "anyone on this network" in err
    if served:
        assert "http://127.0.0.1:" in out and code == 1  # served, then timed out
    else:
        assert "Not served." in err and "http://" not in out and code == 1


def test_cli_port_in_use_exits_2(profile_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = finish(
            wizard_command(str(profile_path), "--host", "127.0.0.1", "--port", str(port))
        )
    assert code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in one_line_error(err)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p.write_text("not a profile"), "is not a configuration profile"),
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b"<" * (MAX_PROFILE_BYTES + 1)), "too big"),
    ],
    ids=["not-a-profile", "missing", "too-big"],
)
def test_cli_bad_file_exits_2(tmp_path: Path, setup: Any, message: str) -> None:
    path = tmp_path / "x.mobileconfig"
    setup(path)
    code, out, err = finish(wizard_command(str(path), "--host", "127.0.0.1"))
    assert code == 2
    assert message in one_line_error(err)
    assert out == ""


def test_cli_bad_minutes_exits_2(profile_path: Path) -> None:
    code, _, err = finish(wizard_command(str(profile_path), "--minutes", "0"))
    assert code == 2 and "--minutes" in one_line_error(err)


def test_cli_ctrl_c_stops_cleanly(profile_path: Path) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    # Wait for the last line before the wait begins, so the signal lands in the wait.
    output.until("Ctrl+C stops now")
    output.process.send_signal(signal.SIGINT)
    code, out, err = output.finish()
    assert code == 130
    assert "Stopped before the phone downloaded the profile" in out
    assert "Traceback" not in err
    assert_refused(url)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--port", "70000"], "--port 70000"),
        # A documentation address (RFC 5737) is on no interface here.
        (["--host", "203.0.113.7"], "not an address of this computer"),
        (["--host", "0.0.0.0"], "address the phone should use"),
        (["--host", "0"], "address the phone should use"),
        (["--host", "0x0"], "address the phone should use"),
        (["--host", "::ffff:0.0.0.0"], "address the phone should use"),
        (["--host", "no-such-host.invalid"], "no such name"),
    ],
    ids=["port-range", "foreign-host", "unspecified", "zero", "hex", "mapped", "no-name"],
)
def test_cli_bad_host_or_port_exits_2(profile_path: Path, options: list[str], message: str) -> None:
    code, out, err = finish(wizard_command(str(profile_path), *options))
    assert code == 2
    assert message in one_line_error(err)
    assert "http://" not in out


# ------------------------------------------------------------------- in a real terminal

_SGR = re.compile(r"\x1b\[[0-9;]*m")


class TerminalScreen:
    """What an 80x24 terminal shows of some output: lines wrap at the edge, the top
    scrolls off. ``wraps`` counts the lines the terminal had to break."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = columns, rows
        self.decoder = codecs.getincrementaldecoder("utf-8")()  # a character may be split
        self.lines = [""]
        self.column = 0
        self.wraps = 0

    def feed(self, text: str) -> None:
        for char in _SGR.sub("", text):
            if char == "\r":
                self.column = 0
            elif char == "\n":
                self.lines.append("")
            else:
                if self.column == self.columns:  # the terminal wraps: a word may break here
                    self.lines.append("")
                    self.column = 0
                    self.wraps += 1
                line = self.lines[-1].ljust(self.column)
                self.lines[-1] = line[: self.column] + char + line[self.column + 1 :]
                self.column += 1

    def shown(self) -> list[str]:
        return self.lines[-self.rows :]


def serve_in_a_terminal(path: Path, columns: int, rows: int) -> tuple[int, int]:
    """``serve PATH`` on a pseudo-terminal of that size (its own size, read as a user's)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, as a user runs it
        import fcntl
        import termios

        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        for name in ("COLUMNS", "LINES", "NO_COLOR"):
            os.environ.pop(name, None)
        os.chdir(Path(__file__).resolve().parents[1])
        argv = ["-m", "wizard", "serve", str(path), "--host", "127.0.0.1", "--minutes", "1"]
        os.execv(sys.executable, [sys.executable, *argv])
    return pid, fd


def read_terminal(fd: int, screen: TerminalScreen, until: str, seconds: float = 30) -> str:
    """Feed the terminal's output to ``screen`` until ``until`` was drawn."""
    import select
    import time

    drawn, end = "", time.monotonic() + seconds
    while until not in _SGR.sub("", drawn):
        assert time.monotonic() < end, f"never drew {until!r}: {drawn[-800:]}"
        if select.select([fd], [], [], 0.1)[0]:
            chunk = screen.decoder.decode(os.read(fd, 65536))
            screen.feed(chunk)
            drawn += chunk
    return drawn


def test_serve_shows_the_qr_code_and_the_link_together_at_80x24(profile_path: Path) -> None:
    screen = TerminalScreen(80, 24)
    pid, fd = serve_in_a_terminal(profile_path, 80, 24)
    try:
        read_terminal(fd, screen, "Ctrl+C stops now")
        shown = screen.shown()
        [url] = [line.strip() for line in shown if line.strip().startswith("http://")]
        flat = words_around_the_qr(url, "\n".join(shown))  # the whole code, on the screen
        assert screen.wraps == 0  # nothing broken by the terminal, mid-word or mid-link
        for words in ("On the iPhone:", "Camera app", "Open it in Safari", "tap Allow"):
            assert words in flat, flat
        assert "Waiting for the phone" in flat
        assert body(url) == profile_path.read_bytes()
        read_terminal(fd, screen, "The account is in the Mail app.")
        after = " ".join(" ".join(screen.shown()).split())
        assert "Done: the profile was downloaded" in after and "Profile Downloaded" in after
        assert screen.wraps == 0
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
