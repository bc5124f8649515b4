"""The wizard in a real terminal (a pseudo-terminal at 80x24): Ctrl+C stops it at once.

People press Ctrl+C to stop a program. Textual's default only says to press Ctrl+Q; here
Ctrl+C quits, from any screen, even while a check waits on servers that never answer, and
with the cursor in an empty text field (where Ctrl+C would copy selected text).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import socket
import struct
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.testbed import Testbed
from wizard.recovery import LAST_RESORT

ROOT = Path(__file__).resolve().parent.parent
#: Far longer than stopping may take; the check waits this long on silent servers.
TIMEOUT = 30
#: Stopping is meant to take under a second; this bound leaves room for a busy CI machine
#: and is still far below the check's timeout, which a hang would run into.
STOPPED_WITHIN = 5.0
_ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|.)")


class Terminal:
    """The wizard's process on a pseudo-terminal, with what it has drawn so far."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.drawn = b""
        self.status: int | None = None

    def text(self) -> str:
        """What was drawn, without escape sequences, spaces squeezed."""
        plain = _ESCAPES.sub(b" ", self.drawn).decode("utf-8", "replace")
        return " ".join(plain.split())

    def read(self, seconds: float) -> None:
        """Keep reading output (a terminal that is not read blocks the program)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.drawn += chunk

    def wait_for(self, words: str, seconds: float = 20) -> None:
        end = time.monotonic() + seconds
        while words not in self.text():
            assert time.monotonic() < end, f"never drew {words!r}: {self.text()[-600:]}"
            self.read(0.1)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)
        self.read(0.3)

    def exited_within(self, seconds: float) -> float | None:
        """Seconds until the process ended, or None if it still runs after ``seconds``."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return time.monotonic() - started
            self.read(0.05)
        return None


@contextmanager
def wizard(*args: str, home: Path | None = None, bug: str = "") -> Iterator[Terminal]:
    """``mailcom-wizard ARGS`` on an 80x24 pseudo-terminal, killed at the end if need be.

    ``bug`` is Python run in the wizard's process first (to plant a bug).
    """
    pid, fd = pty.fork()
    if pid == 0:  # the child: the wizard, as a user starts it
        os.environ.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
        if home is not None:
            os.environ["HOME"] = str(home)
        os.environ.pop("TEXTUAL", None)
        code = f"{bug}\nfrom wizard.cli import main; raise SystemExit(main())"
        os.execv(sys.executable, [sys.executable, "-c", code, *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    terminal = Terminal(pid, fd)
    try:
        yield terminal
    finally:
        if terminal.status is None and terminal.exited_within(0) is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


def _to_a_running_check(terminal: Terminal) -> None:
    terminal.wait_for("Set up mail on an iPhone")
    terminal.send(b"\r")
    terminal.wait_for("Step 1 of 3")
    terminal.send(b"practice-password\r")
    terminal.wait_for("waiting for the server")


def test_ctrl_c_stops_the_wizard_while_a_check_waits_on_silent_servers() -> None:
    with wizard("--demo", "--demo-fault", "silent", "--timeout", str(TIMEOUT)) as terminal:
        _to_a_running_check(terminal)
        terminal.send(b"\x03")
        took = terminal.exited_within(STOPPED_WITHIN)
        assert took is not None, f"still running: {terminal.text()[-600:]}"
        assert terminal.status == 0
        assert "Traceback" not in terminal.text()


def test_ctrl_c_in_an_empty_field_stops_the_wizard() -> None:
    with wizard("--demo") as terminal:
        terminal.wait_for("Set up mail on an iPhone")
        terminal.send(b"\r")
        terminal.wait_for("Step 1 of 3")  # the cursor is in the password field
        terminal.send(b"\x03")
        assert terminal.exited_within(STOPPED_WITHIN) is not None, terminal.text()[-600:]
        assert terminal.status == 0


@pytest.mark.parametrize("key", [b"\x11"], ids=["ctrl+q"])
def test_ctrl_q_stops_the_wizard_while_a_check_waits(key: bytes) -> None:
    with wizard("--demo", "--demo-fault", "silent", "--timeout", str(TIMEOUT)) as terminal:
        _to_a_running_check(terminal)
        terminal.send(key)
        assert terminal.exited_within(STOPPED_WITHIN) is not None, terminal.text()[-600:]


@pytest.mark.servers
def test_ctrl_c_on_the_send_screen_stops_the_offer_and_the_wizard(
    testbed: Testbed, tmp_path: Path
) -> None:
    """A real account checked against Dovecot and Postfix, typed in one burst the way a
    person types it (Tab onto the two-factor box, Tab on to the password), the QR code
    offered, three clients connected (one sending a request a byte at a time): Ctrl+C
    ends all of it."""
    testbed.require_postfix()
    provider = testbed.provider_file(tmp_path, provider_id="mail.com")
    user = testbed.alice
    with wizard("--provider", str(provider), "--cafile", testbed.cafile, home=tmp_path) as term:
        term.wait_for("Set up mail on an iPhone")
        term.send(b"\r")
        term.wait_for("Step 1 of 3")
        term.send(f"Alice\t{user.email}\t\t{user.password}\r".encode())
        term.wait_for("Verified")
        term.send(b"\r")  # Send to iPhone (QR code)
        term.wait_for("Waiting for the iPhone")
        link = re.search(r"http://([0-9.]+):(\d+)/", term.text())
        assert link is not None, term.text()[-600:]
        clients = [socket.create_connection((link[1], int(link[2])), timeout=5) for _ in "abc"]
        clients[0].sendall(b"GET /")  # the start of a request that never ends
        term.read(0.3)
        os.write(term.fd, b"\x03")
        assert term.exited_within(STOPPED_WITHIN) is not None, term.text()[-600:]
        assert term.status == 0
        for client in clients:  # every connection was cut by the server
            client.settimeout(STOPPED_WITHIN)
            assert client.recv(1024) == b""
            client.close()
        with pytest.raises(OSError):
            socket.create_connection((link[1], int(link[2])), timeout=5).close()


#: Two bugs holding the typed password in a variable: the check raises (in a worker, so the
#: error dialog opens) and then the dialog's Copy key raises (in a handler, while the dialog
#: is open: Textual's last resort, whose traceback would show every frame's variables).
TWO_BUGS = """
import wizard.core.check
from wizard.screens.error import ErrorScreen

async def broken_check(account, *args, **kwargs):
    password = account.password
    raise RuntimeError("a bug in the check")

def broken_copy(self):
    password = self.app.state.form.account.password
    raise RuntimeError("a bug in Copy")

wizard.core.check.run_check = broken_check
ErrorScreen.action_copy = broken_copy
"""


def test_a_second_error_while_the_error_dialog_is_open_never_shows_the_password() -> None:
    typed = "Typed-Secret-4711"
    with wizard("--demo", bug=TWO_BUGS) as terminal:
        terminal.wait_for("Set up mail on an iPhone")
        terminal.send(b"\r")
        terminal.wait_for("Step 1 of 3")
        terminal.send(typed.encode() + b"\r")
        terminal.wait_for("Something went wrong")  # the first bug: the dialog
        terminal.send(b"c")  # the second bug, while the dialog is open
        assert terminal.exited_within(STOPPED_WITHIN) is not None, terminal.text()[-600:]
        assert terminal.status == 1
        shown = terminal.text()
        assert " ".join(LAST_RESORT.split()) in shown, shown[-600:]
        assert typed not in shown, shown[-2000:]
