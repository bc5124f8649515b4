"""The one-time link under hostile clients, on loopback with real sockets.

Anyone on the network can connect to the link. Nothing a client does (trickling a request
a byte at a time, holding idle connections from one address or many, flooding it with
wrong requests, resetting after the download) may keep the server or the command alive,
keep the phone from its download, or let a second copy of the profile leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.serving import (
    BOUND,
    Output,
    Serving,
    assert_refused,
    body,
    closed_by_server,
    connect,
    get_request,
    read_all,
    read_response,
    request,
    reset,
    split_url,
    wizard_command,
    write_profile,
)
from wizard.core.export import ExportedProfile
from wizard.core.handoff.profile_file import load_profile_file
from wizard.core.handoff.server import EventKind, Limits, StopReason

# "Free within a second": how long stopping may take, whatever the clients do.
PROMPT = 1.0
# A command also starts and ends a Python interpreter; on a busy machine that takes a while.
PROMPT_COMMAND = 2.5
#: Peers on other addresses: all of 127.0.0.0/8 is this computer on Linux.
PEERS = [f"127.0.0.{n}" for n in range(2, 10)]


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


def held(connections: list[socket.socket]) -> list[socket.socket]:
    """The connections the server still holds open (it closed the others)."""
    return [c for c in connections if not closed_by_server(c, 0.05)]


# --------------------------------------------------------------------------- the server


async def test_a_trickling_request_is_cut_at_one_deadline_for_the_whole_request(
    profile: ExportedProfile,
) -> None:
    # One byte every 50 ms renews any per-read timeout; the deadline is for the request.
    async with Serving(profile, limits=Limits(request_seconds=0.5)) as served:
        trickler = await asyncio.to_thread(Trickler, served.url)
        assert await asyncio.to_thread(trickler.closed.wait, 0.5 + PROMPT), "not cut"
        assert 0.4 <= trickler.lasted() <= 0.5 + PROMPT
        trickler.close()
        assert served.reason is None  # the offer stands
        assert await asyncio.to_thread(body, served.url) == profile.data
        assert await served.ended() is StopReason.DOWNLOADED


async def test_a_silent_connection_is_cut_at_the_first_byte_deadline(
    profile: ExportedProfile,
) -> None:
    async with Serving(profile, limits=Limits(first_byte_seconds=0.3)) as served:
        silent = await asyncio.to_thread(connect, served.url)
        start = time.monotonic()
        assert await asyncio.to_thread(closed_by_server, silent, PROMPT)
        assert 0.25 <= time.monotonic() - start <= 0.3 + PROMPT
        silent.close()
        assert served.reason is None


async def test_a_complete_request_in_pieces_within_the_deadline_is_served(
    profile: ExportedProfile,
) -> None:
    def in_pieces(url: str) -> bytes:
        with connect(url) as client:
            for piece in get_request(url).split(b"\r\n"):
                client.sendall(piece + b"\r\n")
                time.sleep(0.05)
            return read_response(client)[1]

    async with Serving(profile, limits=Limits(request_seconds=2.0)) as served:
        assert await asyncio.to_thread(in_pieces, served.url) == profile.data
        assert await served.ended() is StopReason.DOWNLOADED


async def test_idle_connections_are_capped_per_address_and_the_oldest_dropped(
    profile: ExportedProfile,
) -> None:
    """40 idle connections from one address: only the newest few are held, and a phone
    arriving from the same address is served, not turned away."""
    limits = Limits()
    async with Serving(profile) as served:
        idle = [await asyncio.to_thread(connect, served.url) for _ in range(40)]
        await asyncio.sleep(0.3)  # let the server accept them all
        try:
            kept = await asyncio.to_thread(held, idle)
            assert kept == idle[-limits.per_client :]
            assert await asyncio.to_thread(body, served.url) == profile.data
            assert await served.ended() is StopReason.DOWNLOADED
        finally:
            for connection in idle:
                connection.close()


async def test_the_phone_is_served_while_eight_idle_peers_hold_every_slot(
    profile: ExportedProfile,
) -> None:
    """Issue 19: 8 idle peers, refreshed before any deadline, no longer lock the phone out."""
    limits = Limits()
    assert len(PEERS) == limits.connections
    async with Serving(profile) as served:
        url = served.url
        peers: list[socket.socket] = []
        try:
            for _ in range(3):  # the peers refresh their connections, again and again
                fresh = [await asyncio.to_thread(connect, url, peer) for peer in PEERS]
                peers += fresh
                await asyncio.sleep(0.2)
                assert len(await asyncio.to_thread(held, fresh)) == limits.connections
                # The phone (another address) gets in: the oldest idle peer makes room.
                assert (await asyncio.to_thread(request, url, "HEAD")).status == 200
            assert await asyncio.to_thread(body, url) == profile.data
            assert await served.ended() is StopReason.DOWNLOADED
        finally:
            for connection in peers:
                connection.close()


@pytest.mark.parametrize("ending", ["stop", "download", "time-limit"])
async def test_the_server_is_free_within_a_second_of_its_end_whatever_the_clients_do(
    profile: ExportedProfile, ending: str
) -> None:
    minutes = 0.5 / 60 if ending == "time-limit" else 10.0
    async with Serving(profile, minutes=minutes) as served:
        url = served.url
        idle = await asyncio.to_thread(connect, url)
        trickler = await asyncio.to_thread(Trickler, url)
        half_sent = await asyncio.to_thread(connect, url)
        half_sent.sendall(get_request(url)[:10])
        start = time.monotonic()
        if ending == "stop":
            served.task.cancel()
            expected = StopReason.CANCELLED
        elif ending == "download":
            assert await asyncio.to_thread(body, url) == profile.data
            start = time.monotonic()
            expected = StopReason.DOWNLOADED
        else:
            start += 0.5
            expected = StopReason.TIMED_OUT
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(served.task), 0.5 + PROMPT + 1)
        assert served.reason is expected
        assert time.monotonic() - start < PROMPT
        # Every client was cut, and the link is gone.
        assert await asyncio.to_thread(trickler.closed.wait, PROMPT)
        assert await asyncio.to_thread(closed_by_server, idle, PROMPT)
        assert await asyncio.to_thread(closed_by_server, half_sent, PROMPT)
        assert_refused(url)
        for connection in (idle, half_sent):
            connection.close()
        trickler.close()


async def test_a_request_sent_as_the_offer_ends_gets_a_404_not_the_file(
    profile: ExportedProfile,
) -> None:
    async with Serving(profile) as served:
        late = await asyncio.to_thread(connect, served.url)
        await asyncio.sleep(0.1)  # accepted by the server
        served.task.cancel()
        late.sendall(get_request(served.url))
        answer = await asyncio.to_thread(read_all, late)
        late.close()
        assert answer.startswith(b"HTTP/1.0 404 ")
        assert profile.data not in answer
        assert served.reason is StopReason.CANCELLED


# --------------------------------------------------------------------------- one copy


async def test_a_reset_after_reading_the_whole_file_is_the_one_copy(
    profile: ExportedProfile,
) -> None:
    """A client that reads everything and then resets has the file: no second copy leaves."""
    async with Serving(profile) as served:
        url = served.url
        late = await asyncio.to_thread(connect, url)
        first = await asyncio.to_thread(connect, url)
        first.sendall(get_request(url))
        head, data = await asyncio.to_thread(read_response, first)
        assert head.startswith(b"HTTP/1.0 200 ") and data == profile.data
        reset(first)
        assert await served.decided() is StopReason.DOWNLOADED
        late.sendall(get_request(url))
        answer = await asyncio.to_thread(read_all, late)
        late.close()
        assert answer.startswith(b"HTTP/1.0 404 ") and profile.data not in answer
        assert await served.ended() is StopReason.DOWNLOADED
        assert served.kinds() == [EventKind.DOWNLOAD_STARTED, EventKind.ENDED, EventKind.NOT_FOUND]


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
async def test_a_reset_after_the_whole_file_was_sent_ends_the_offer(
    tmp_path: Path, size: int, window: int | None, expected: StopReason
) -> None:
    """Once the whole file has left, the link never works again; the reset decides the words."""
    profile = load_profile_file(
        write_profile(tmp_path / "p.mobileconfig", PayloadDescription="x" * size)
    )
    async with Serving(profile) as served:
        url = served.url
        late = await asyncio.to_thread(connect, url)
        await asyncio.to_thread(reset_without_reading, url, window=window)
        assert await served.decided() is expected
        # A second client gets a 404, or nothing if the server has closed by now.
        answer = b""
        with contextlib.suppress(OSError):
            late.sendall(get_request(url))
            answer = await asyncio.to_thread(read_all, late)
        late.close()
        assert answer == b"" or answer.startswith(b"HTTP/1.0 404 ")
        assert profile.data not in answer
        assert await served.ended() is expected
        assert_refused(url)
        assert EventKind.DOWNLOAD_FAILED not in served.kinds()


# --------------------------------------------------------------------------- the command


def test_cli_reset_after_the_whole_file_says_done_and_serves_no_second_copy(
    profile_path: Path,
) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    late = connect(url)
    first = connect(url)
    first.sendall(get_request(url))
    _, data = read_response(first)
    assert data == profile_path.read_bytes()
    reset(first)
    late.sendall(get_request(url))
    answer = read_all(late)
    late.close()
    assert profile_path.read_bytes() not in answer
    code, text, err = output.finish()
    assert code == 0, err
    assert "Done: the profile was downloaded" in text
    assert "broke off" not in text and "still works" not in text
    assert "Traceback" not in err


def test_cli_ctrl_c_with_clients_connected_exits_at_once(profile_path: Path) -> None:
    output = Output(wizard_command(str(profile_path), "--host", "127.0.0.1"))
    url = output.url()
    output.until("Ctrl+C stops now")
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
        assert body(url) == profile_path.read_bytes()
        start = time.monotonic()
    else:
        start = trickler.started + 0.6  # 0.01 minutes after the link was printed, at most
    output.process.wait(timeout=60)
    took = time.monotonic() - start
    code, out, err = output.finish()
    trickler.close()
    flat = " ".join(out.split())
    if ending == "download":
        assert code == 0 and "Done: the profile was downloaded" in flat
    else:
        assert code == 1 and "Stopped: nobody downloaded the profile within 0.6 seconds" in flat
    assert took < PROMPT_COMMAND, f"the command took {took:.1f} s to end"
    assert "Traceback" not in err


def test_cli_says_when_the_whole_file_left_but_was_not_acknowledged(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", PayloadDescription="x" * 50_000)
    output = Output(wizard_command(str(path), "--host", "127.0.0.1"))
    url = output.url()
    reset_without_reading(url, window=4096)
    code, text, err = output.finish()
    flat = " ".join(text.split())
    assert code == 1, err
    assert "did not confirm" in flat and "The link no longer works" in flat
    assert "Done:" not in flat and "still works" not in flat
    assert "Traceback" not in err
