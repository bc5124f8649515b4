"""The profile server under hostile clients, on loopback with real sockets.

Anyone on the network can connect to the one-time link. Nothing a client does (trickling a
request a byte at a time, holding idle connections, resetting after the download) may keep
the server or the command alive, or let a second copy of the profile leave.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.test_serve import (
    BOUND,
    Output,
    assert_refused,
    request,
    split_url,
    wizard_command,
    write_profile,
)
from wizard.core.handoff.profile_file import ProfileFile, load_profile_file
from wizard.core.handoff.server import (
    DEFAULT_MAX_CONNECTIONS,
    EventKind,
    ProfileServer,
    ServeEvent,
    StopReason,
)

# "Free within a second": how long stopping may take, whatever the clients do.
PROMPT = 1.0
# A command also starts and ends a Python interpreter; on a busy machine that takes a while.
PROMPT_COMMAND = 2.5


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    return write_profile(tmp_path / "someone@mail.com.mobileconfig")


@pytest.fixture
def profile(profile_path: Path) -> ProfileFile:
    return load_profile_file(profile_path)


@contextmanager
def serving(profile: ProfileFile, **options: Any) -> Iterator[ProfileServer]:
    """A started server on loopback; afterwards it is stopped and none of its threads is left."""
    before = set(threading.enumerate())
    server = ProfileServer(profile, "127.0.0.1", **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        assert server.wait(BOUND) is not None, "the server did not stop"
        left = [
            t
            for t in set(threading.enumerate()) - before
            if t.is_alive() and t.name.startswith("profile-server")
        ]
        assert left == [], f"server threads still running after stop: {left}"


def connect(url: str) -> socket.socket:
    host, port, _ = split_url(url)
    return socket.create_connection((host, port), timeout=BOUND)


def get_request(url: str) -> bytes:
    host, _, path = split_url(url)
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def closed_by_server(connection: socket.socket, within: float) -> bool:
    """True if the server closes (or resets) ``connection`` within ``within`` seconds."""
    connection.settimeout(within)
    try:
        while connection.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def reset(connection: socket.socket) -> None:
    """Close with a TCP reset (linger 0) instead of a clean finish."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def read_response(connection: socket.socket) -> tuple[bytes, bytes]:
    """Headers and the whole body (by Content-Length), leaving the connection open."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"closed before the headers: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "closed before the end of the body"
        body += chunk
    return head, body


class Trickler:
    """A client that sends its request a byte at a time and never finishes it.

    It notes when the server closed the connection (``closed`` is set then).
    """

    def __init__(self, url: str, interval: float = 0.05) -> None:
        self.connection = connect(url)
        host, _, path = split_url(url)
        self.request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode()
        self.interval = interval
        self.started = time.monotonic()
        self.closed = threading.Event()
        self.closed_at: float | None = None
        self.thread = threading.Thread(target=self._run, name="test-trickler", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        sent = 0
        self.connection.settimeout(self.interval)
        try:
            while True:
                try:
                    if not self.connection.recv(65536):
                        break  # the server closed the connection
                except TimeoutError:
                    byte = self.request[sent : sent + 1] or b"a"
                    self.connection.sendall(byte)
                    sent += 1
        except OSError:
            pass  # reset, or our own close at the end of the test
        self.closed_at = time.monotonic()
        self.closed.set()

    def lasted(self) -> float:
        """Seconds from connecting until the server closed the connection."""
        assert self.closed_at is not None
        return self.closed_at - self.started

    def close(self) -> None:
        self.connection.close()
        self.thread.join(BOUND)


# --------------------------------------------------------------------------- the server


def test_a_trickling_request_is_cut_at_one_deadline_for_the_whole_request(
    profile: ProfileFile,
) -> None:
    # One byte every 50 ms renews any per-read timeout; the deadline is for the request.
    with serving(profile, request_timeout=0.5) as server:
        assert server.url is not None
        trickler = Trickler(server.url)
        assert trickler.closed.wait(0.5 + PROMPT), "the trickling client was not cut"
        assert 0.4 <= trickler.lasted() <= 0.5 + PROMPT
        trickler.close()
        assert server.wait(0) is None  # the offer stands
        assert request(server.url).body == profile.data  # type: ignore[attr-defined]
        assert server.wait(BOUND) is StopReason.DOWNLOADED


def test_a_complete_request_in_pieces_within_the_deadline_is_served(
    profile: ProfileFile,
) -> None:
    with serving(profile, request_timeout=2.0) as server:
        assert server.url is not None
        with connect(server.url) as client:
            for piece in get_request(server.url).split(b"\r\n"):
                client.sendall(piece + b"\r\n")
                time.sleep(0.05)
            _, body = read_response(client)
        assert body == profile.data
        assert server.wait(BOUND) is StopReason.DOWNLOADED


def test_idle_connections_are_capped_and_the_excess_closed_without_a_thread(
    profile: ProfileFile,
) -> None:
    cap = DEFAULT_MAX_CONNECTIONS
    with serving(profile) as server:
        assert server.url is not None
        baseline = threading.active_count()  # the server's two threads are running
        idle = [connect(server.url) for _ in range(40)]
        try:
            time.sleep(0.3)  # let the server accept them all
            # The first ones hold the slots; every connection beyond the cap is closed at once.
            held = [c for c in idle if not closed_by_server(c, 0.02)]
            assert len(held) == cap
            assert threading.active_count() <= baseline + cap
            # A phone arriving now is turned away too, and its link still stands.
            with connect(server.url) as phone:
                phone.sendall(get_request(server.url))
                assert closed_by_server(phone, PROMPT)
            assert server.wait(0) is None
        finally:
            for connection in idle:
                connection.close()
        # Once the idle clients are gone, the phone gets the profile.
        deadline = time.monotonic() + BOUND
        while threading.active_count() > baseline and time.monotonic() < deadline:
            time.sleep(0.02)
        assert request(server.url).body == profile.data  # type: ignore[attr-defined]
        assert server.wait(BOUND) is StopReason.DOWNLOADED


@pytest.mark.parametrize("ending", ["stop", "download", "time-limit"])
def test_the_server_is_free_within_a_second_of_its_end_whatever_the_clients_do(
    profile: ProfileFile, ending: str
) -> None:
    time_limit = 0.5 if ending == "time-limit" else 600.0
    with serving(profile, time_limit=time_limit) as server:
        assert server.url is not None
        idle = connect(server.url)
        trickler = Trickler(server.url)
        half_sent = connect(server.url)
        half_sent.sendall(get_request(server.url)[:10])
        start = time.monotonic()
        if ending == "stop":
            server.stop()
            expected = StopReason.CANCELLED
        elif ending == "download":
            assert request(server.url).body == profile.data  # type: ignore[attr-defined]
            start = time.monotonic()
            expected = StopReason.DOWNLOADED
        else:
            start += time_limit
            expected = StopReason.TIMED_OUT
        assert server.wait(time_limit + PROMPT) is expected
        assert time.monotonic() - start < PROMPT
        # Every client was cut, and the link is gone.
        assert trickler.closed.wait(PROMPT)
        assert closed_by_server(idle, PROMPT) and closed_by_server(half_sent, PROMPT)
        assert_refused(server.url)
        for connection in (idle, half_sent):
            connection.close()
        trickler.close()


def test_a_request_sent_as_the_offer_ends_gets_a_404_not_the_file(profile: ProfileFile) -> None:
    with serving(profile) as server:
        assert server.url is not None
        late = connect(server.url)
        # Accepted (a connection still waiting to be accepted is simply closed).
        deadline = time.monotonic() + BOUND
        while not any(t.name == "profile-server-client" for t in threading.enumerate()):
            assert time.monotonic() < deadline, "the connection was not accepted"
            time.sleep(0.005)
        server.stop()
        late.sendall(get_request(server.url))
        answer = b""
        while chunk := late.recv(65536):
            answer += chunk
        late.close()
        assert answer.startswith(b"HTTP/1.0 404 ")
        assert profile.data not in answer
        assert server.wait(BOUND) is StopReason.CANCELLED


# --------------------------------------------------------------------------- one copy


def test_a_reset_after_reading_the_whole_file_is_the_one_copy(profile: ProfileFile) -> None:
    """A client that reads everything and then resets has the file: no second copy leaves."""
    events: list[ServeEvent] = []
    with serving(profile, on_event=events.append) as server:
        assert server.url is not None
        late = connect(server.url)
        first = connect(server.url)
        first.sendall(get_request(server.url))
        head, body = read_response(first)
        assert head.startswith(b"HTTP/1.0 200 ") and body == profile.data
        reset(first)
        # Wait until the server has judged the reset: ended, or (the defect) reopened.
        deadline = time.monotonic() + BOUND
        while server.reason is None and len(events) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert server.reason is StopReason.DOWNLOADED
        late.sendall(get_request(server.url))
        answer = b""
        while chunk := late.recv(65536):
            answer += chunk
        late.close()
        assert answer.startswith(b"HTTP/1.0 404 ") and profile.data not in answer
        assert server.wait(BOUND) is StopReason.DOWNLOADED
        assert [e.kind for e in events] == [EventKind.DOWNLOAD_STARTED, EventKind.NOT_FOUND]


def reset_without_reading(url: str, *, window: int | None) -> None:
    """Ask for the file, read none of it, then reset (``window``: a small receive buffer)."""
    client = socket.socket()
    if window is not None:  # before connecting, so the handshake announces the small window
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, window)
    client.settimeout(BOUND)
    host, port, _ = split_url(url)
    client.connect((host, port))
    client.sendall(get_request(url))
    time.sleep(0.3)  # the server has handed the whole file to its kernel by now
    reset(client)


@pytest.mark.parametrize(
    ("size", "window", "expected"),
    [
        # The whole file fits in the client's receive buffer: its computer has every byte,
        # whatever the program then does. That is the one copy.
        (0, None, StopReason.DOWNLOADED),
        # The client's computer took only a few KiB; the rest was never acknowledged.
        (50_000, 4096, StopReason.UNCONFIRMED),
    ],
    ids=["acknowledged", "unacknowledged"],
)
def test_a_reset_after_the_whole_file_was_sent_ends_the_offer(
    tmp_path: Path, size: int, window: int | None, expected: StopReason
) -> None:
    """Once the whole file has left, the link never works again; the reset decides the words."""
    profile = load_profile_file(
        write_profile(tmp_path / "p.mobileconfig", PayloadDescription="x" * size)
    )
    events: list[ServeEvent] = []
    with serving(profile, on_event=events.append) as server:
        assert server.url is not None
        late = connect(server.url)
        reset_without_reading(server.url, window=window)
        deadline = time.monotonic() + BOUND
        while server.reason is None and len(events) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert server.reason is expected
        # A second client gets a 404, or nothing if the server has closed by now.
        answer = b""
        with contextlib.suppress(OSError):
            late.sendall(get_request(server.url))
            while chunk := late.recv(65536):
                answer += chunk
        late.close()
        assert answer == b"" or answer.startswith(b"HTTP/1.0 404 ")
        assert profile.data not in answer
        assert server.wait(BOUND) is expected
        assert_refused(server.url)
        assert EventKind.DOWNLOAD_FAILED not in [e.kind for e in events]


# --------------------------------------------------------------------------- the command


def test_cli_reset_after_the_whole_file_says_done_and_serves_no_second_copy(
    profile_path: Path,
) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    late = connect(url)
    first = connect(url)
    first.sendall(get_request(url))
    _, body = read_response(first)
    assert body == profile_path.read_bytes()
    reset(first)
    late.sendall(get_request(url))
    answer = b""
    while chunk := late.recv(65536):
        answer += chunk
    late.close()
    assert profile_path.read_bytes() not in answer
    code, text, err = output.finish()
    assert code == 0, err
    assert "Done: the profile was downloaded" in text
    assert "broke off" not in text and "still works" not in text
    assert "Traceback" not in err


def wait_for_the_waiting_line(output: Output) -> None:
    """Read until the line printed just before the command starts waiting."""
    while "Ctrl+C stops now" not in output.seen[-1]:
        line = output.lines.get(timeout=60)
        assert line, f"the command ended early: {output.seen}"
        output.seen.append(line)


def test_cli_ctrl_c_with_clients_connected_exits_at_once(profile_path: Path) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    wait_for_the_waiting_line(output)
    idle = connect(url)
    trickler = Trickler(url, interval=0.2)
    time.sleep(0.3)  # both connections are being served
    start = time.monotonic()
    output.process.send_signal(signal.SIGINT)  # once
    output.process.wait(timeout=60)
    took = time.monotonic() - start
    code, out, err = output.finish()
    assert code == 130
    assert "Stopped before the phone downloaded the profile; the link no longer works." in out
    assert "Traceback" not in err
    assert took < PROMPT_COMMAND, f"the command took {took:.1f} s to end after Ctrl+C"
    assert closed_by_server(idle, PROMPT) and trickler.closed.wait(PROMPT)
    idle.close()
    trickler.close()


@pytest.mark.parametrize("ending", ["download", "time-limit"])
def test_cli_ends_promptly_with_a_trickling_client(profile_path: Path, ending: str) -> None:
    minutes = "0.01" if ending == "time-limit" else "10"
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1", "--minutes", minutes))
    url = output.url()
    trickler = Trickler(url, interval=0.2)
    if ending == "download":
        assert request(url).body == profile_path.read_bytes()  # type: ignore[attr-defined]
        start = time.monotonic()
    else:
        start = trickler.started + 0.6  # 0.01 minutes after the link was printed, at most
    output.process.wait(timeout=60)
    took = time.monotonic() - start
    code, out, err = output.finish()
    trickler.close()
    if ending == "download":
        assert code == 0 and "Done: the profile was downloaded" in out
    else:
        assert code == 1 and "Stopped: nobody downloaded the profile within 0.6 seconds" in out
    assert took < PROMPT_COMMAND, f"the command took {took:.1f} s to end"
    assert "Traceback" not in err


def test_cli_says_when_the_whole_file_left_but_was_not_acknowledged(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", PayloadDescription="x" * 50_000)
    output = Output(wizard_command(str(path), "--host", "127.0.0.1"))
    url = output.url()
    reset_without_reading(url, window=4096)
    code, text, err = output.finish()
    assert code == 1, err
    assert "did not confirm" in text and "The link no longer works" in text
    assert "Done:" not in text and "still works" not in text
    assert "Traceback" not in err
