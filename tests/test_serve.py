"""The one-time profile link: real HTTP clients against ``serve_once`` on 127.0.0.1, the QR
code, and the address it is offered on."""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import threading
from pathlib import Path
from typing import Any

import pytest
import segno

from tests.serving import (
    BOUND,
    PASSWORD,
    Serving,
    assert_refused,
    big_profile,
    body,
    connect,
    get_request,
    mail_settings,
    raw_exchange,
    read_all,
    request,
    signed_profile_bytes,
    split_url,
    write_profile,
    written,
)
from wizard.console.offer import serve_file
from wizard.core.errors import (
    NoNetworkError,
    PortInUseError,
    ServeError,
    UsageError,
)
from wizard.core.export import ExportedProfile, make_profile
from wizard.core.handoff import addresses
from wizard.core.handoff import server as server_module
from wizard.core.handoff.addresses import HostChoice, choose_host
from wizard.core.handoff.profile_file import (
    NotOffered,
    load_profile_file,
)
from wizard.core.handoff.qr import QR_BORDER, qr_ansi, qr_text
from wizard.core.handoff.server import (
    EventKind,
    ServeEvent,
    StopReason,
    serve_once,
)
from wizard.demo.practice import PRACTICE

# --------------------------------------------------------------------------- serving


async def test_right_url_serves_the_exact_bytes_with_profile_headers(
    profile: ExportedProfile,
) -> None:
    async with Serving(profile) as served:
        response = await asyncio.to_thread(request, served.url)
        assert response.status == 200
        assert response.getheader("Content-Type") == "application/x-apple-aspen-config"
        assert (
            response.getheader("Content-Disposition")
            == 'attachment; filename="someone@mail.com.mobileconfig"'
        )
        assert response.getheader("Content-Length") == str(len(profile.data))
        assert response.getheader("Cache-Control") == "no-store"
        assert response.getheader("Server") is None  # no banner with the Python version
        assert response.body == profile.data  # type: ignore[attr-defined]
        assert await served.ended() is StopReason.DOWNLOADED
        assert_refused(served.url)


async def test_url_has_a_128_bit_random_path_on_the_given_host(profile: ExportedProfile) -> None:
    urls = []
    for _ in range(2):
        async with Serving(profile) as served:
            urls.append(served.url)
    host, port, path = split_url(urls[0])
    assert host == "127.0.0.1" and port > 0
    token = path.lstrip("/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)  # 22 base64 characters = 128 bits
    assert split_url(urls[1])[2] != path


@pytest.mark.parametrize(
    "wrong",
    [
        lambda p: "/",
        lambda p: p[:-1],  # truncated token
        lambda p: p[:12],
        lambda p: p + "x",
        lambda p: p + "/",
        lambda p: p + "?download=1",
        lambda p: p.swapcase(),
        lambda p: "/favicon.ico",
        lambda p: "/../" + p.lstrip("/"),
    ],
    ids=["root", "truncated", "half", "longer", "slash", "query", "case", "favicon", "dotdot"],
)
async def test_wrong_path_is_an_empty_404_and_the_link_still_works(
    profile: ExportedProfile, wrong: Any
) -> None:
    async with Serving(profile) as served:
        _, _, path = split_url(served.url)
        for _ in range(3):
            response = await asyncio.to_thread(request, served.url, path=wrong(path))
            assert response.status == 404
            assert response.body == b""  # type: ignore[attr-defined]
            assert response.getheader("Content-Length") == "0"
            assert response.getheader("Content-Type") is None
            assert response.getheader("Server") is None
        assert served.reason is None
        assert [e.count for e in served.events if e.kind is EventKind.NOT_FOUND] == [1, 2, 3]
        assert await asyncio.to_thread(body, served.url) == profile.data
        assert await served.ended() is StopReason.DOWNLOADED


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"])
async def test_other_methods_on_the_right_path_are_an_empty_404(
    profile: ExportedProfile, method: str
) -> None:
    async with Serving(profile) as served:
        response = await asyncio.to_thread(request, served.url, method=method)
        assert response.status == 404
        assert response.body == b""  # type: ignore[attr-defined]
        assert served.reason is None
        assert (await asyncio.to_thread(request, served.url)).status == 200


async def test_head_shows_the_headers_but_is_not_a_download(profile: ExportedProfile) -> None:
    async with Serving(profile) as served:
        head = await asyncio.to_thread(request, served.url, method="HEAD")
        assert head.status == 200
        assert head.getheader("Content-Type") == "application/x-apple-aspen-config"
        assert head.getheader("Content-Length") == str(len(profile.data))
        assert head.body == b""  # type: ignore[attr-defined]
        await asyncio.sleep(0.05)
        assert served.reason is None
        assert await asyncio.to_thread(body, served.url) == profile.data
        assert await served.ended() is StopReason.DOWNLOADED


async def test_malformed_and_http09_requests_get_nothing(profile: ExportedProfile) -> None:
    async with Serving(profile) as served:
        url = served.url
        _, _, path = split_url(url)
        # Not HTTP at all (a TLS hello): the connection closes without a byte.
        hello = b"\x16\x03\x01\x02\x00\x01\x00\r\n\r\n"
        assert await asyncio.to_thread(raw_exchange, url, hello) == b""
        # Malformed HTTP (http.server would say 400 or 505): the same empty 404.
        for bad in (f"GET {path} {path} HTTP/1.1", f"GET {path} HTTP/2.0"):
            answer = await asyncio.to_thread(raw_exchange, url, f"{bad}\r\n\r\n".encode())
            assert answer.startswith(b"HTTP/1.0 404 "), bad
            assert answer.endswith(b"\r\n\r\n")  # headers only, empty body
            assert b"Content-Length: 0\r\n" in answer
        # HTTP/0.9 has no headers, so the profile would arrive without its content type.
        assert await asyncio.to_thread(raw_exchange, url, f"GET {path}\r\n\r\n".encode()) == b""
        assert served.reason is None
        assert (await asyncio.to_thread(request, url)).status == 200


async def test_an_oversized_request_head_gets_nothing(profile: ExportedProfile) -> None:
    async with Serving(profile) as served:
        url = served.url
        _, _, path = split_url(url)
        long_line = f"GET {path} HTTP/1.1\r\nX-Pad: {'a' * 20_000}\r\n\r\n".encode()
        many = f"GET {path} HTTP/1.1\r\n".encode() + b"X-Pad: aaaaaaaaaaaaaaaa\r\n" * 2_000
        for payload in (long_line, many + b"\r\n"):
            assert await asyncio.to_thread(raw_exchange, url, payload) == b""
        assert served.reason is None
        assert await asyncio.to_thread(body, url) == profile.data


async def test_the_second_download_is_refused(profile: ExportedProfile) -> None:
    async with Serving(profile) as served:
        # Open a connection before the first download ends, send the request after it.
        late = await asyncio.to_thread(connect, served.url)
        assert (await asyncio.to_thread(request, served.url)).status == 200
        with late:
            late.sendall(get_request(served.url))
            answer = await asyncio.to_thread(read_all, late)
        assert answer.startswith(b"HTTP/1.0 404 ")
        assert profile.data not in answer
        assert await served.ended() is StopReason.DOWNLOADED


async def test_the_link_is_reserved_while_a_transfer_is_under_way(tmp_path: Path) -> None:
    """Two downloads at once: the second client gets a 404 while the first still receives."""
    big = big_profile(tmp_path)
    async with Serving(big) as served:
        url = served.url
        first = socket.socket()
        first.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a slow reader
        first.settimeout(BOUND)
        await asyncio.to_thread(first.connect, split_url(url)[:2])
        first.sendall(get_request(url))
        start = await asyncio.to_thread(first.recv, 100)
        assert start.startswith(b"HTTP/1.0 200 ")
        assert served.kinds() == [EventKind.DOWNLOAD_STARTED]  # and still sending
        second = await asyncio.to_thread(raw_exchange, url, get_request(url))
        assert second.startswith(b"HTTP/1.0 404 ") and big.data[:1000] not in second
        assert served.reason is None  # the first transfer goes on
        rest = await asyncio.to_thread(read_all, first)
        first.close()
        assert big.data in start + rest
        assert await served.ended() is StopReason.DOWNLOADED
        assert served.kinds() == [EventKind.DOWNLOAD_STARTED, EventKind.NOT_FOUND, EventKind.ENDED]


async def test_an_aborted_download_does_not_count(tmp_path: Path) -> None:
    # A big profile so the transfer is still going on when the client resets the
    # connection, as a phone losing Wi-Fi would.
    big = big_profile(tmp_path)
    async with Serving(big) as served:
        url = served.url
        client = await asyncio.to_thread(connect, url)
        client.sendall(get_request(url))
        assert (await asyncio.to_thread(client.recv, 100)).startswith(b"HTTP/1.0 200 ")
        # Linger 0: close() resets the connection instead of finishing it.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        for _ in range(int(BOUND / 0.01)):
            if EventKind.DOWNLOAD_FAILED in served.kinds():
                break
            await asyncio.sleep(0.01)
        assert served.kinds() == [EventKind.DOWNLOAD_STARTED, EventKind.DOWNLOAD_FAILED]
        assert served.reason is None
        assert await asyncio.to_thread(body, url) == big.data
        assert await served.ended() is StopReason.DOWNLOADED
        assert served.events[-2] == ServeEvent(EventKind.DOWNLOAD_STARTED, "127.0.0.1")
        assert served.kinds().count(EventKind.DOWNLOAD_FAILED) == 1


async def test_it_stops_after_its_time_limit(profile: ExportedProfile) -> None:
    async with Serving(profile, minutes=0.005) as served:
        assert await served.ended() is StopReason.TIMED_OUT
        assert_refused(served.url)


async def test_cancelling_ends_the_offer(profile: ExportedProfile) -> None:
    async with Serving(profile) as served:
        served.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(served.task, 1.0)
        assert served.reason is StopReason.CANCELLED
        assert_refused(served.url)


async def test_cancelling_before_the_link_is_up_leaves_nothing_listening(
    profile: ExportedProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving the Send screen while the link is being prepared leaves no server behind."""
    choosing, chosen = threading.Event(), threading.Event()

    def slow_choice(host: str | None) -> HostChoice:  # the address lookup, in its thread
        choosing.set()
        chosen.wait(BOUND)
        return HostChoice("127.0.0.1", (), detected=False)

    listened: list[object] = []
    start_server = asyncio.start_server

    async def recorded(*args: Any, **kwargs: Any) -> asyncio.Server:
        listened.append(args)
        return await start_server(*args, **kwargs)

    monkeypatch.setattr(server_module, "choose_host", slow_choice)
    monkeypatch.setattr(asyncio, "start_server", recorded)
    task = asyncio.create_task(serve_once(profile))
    assert await asyncio.to_thread(choosing.wait, BOUND)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    chosen.set()  # the lookup ends after the cancel; nothing may listen after it
    await asyncio.sleep(0.2)
    assert listened == []


async def test_port_in_use_is_a_clear_error(profile: ExportedProfile) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} .* already in use"):
            await serve_once(profile, host="127.0.0.1", port=port)


async def test_ipv6_loopback_url_has_brackets(profile: ExportedProfile) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    async with Serving(profile, host="::1") as served:
        assert served.url.startswith("http://[::1]:")
        assert await asyncio.to_thread(body, served.url) == profile.data
        assert await served.ended() is StopReason.DOWNLOADED


async def test_a_password_goes_out_only_when_allowed(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", IncomingPassword=PASSWORD)
    with_password = load_profile_file(path)
    with pytest.raises(ServeError, match="password") as refused:
        await serve_once(with_password, host="127.0.0.1")
    assert PASSWORD not in str(refused.value)
    async with Serving(with_password, allow_password=True) as served:
        assert await asyncio.to_thread(body, served.url) == path.read_bytes()
        assert await served.ended() is StopReason.DOWNLOADED


async def test_a_practice_profile_is_never_offered(tmp_path: Path) -> None:
    practice = make_profile(mail_settings(caveat=PRACTICE), tmp_path / "demo.mobileconfig")
    events: list[ServeEvent] = []
    with pytest.raises(NotOffered, match="practice profile made by the demo"):
        await serve_once(practice, host="127.0.0.1", on_event=events.append)
    assert events == []  # nothing listened
    # Read back from a file, signed or not, it is the same profile.
    assert load_profile_file(written(tmp_path / "a.mobileconfig", practice.data)).practice
    signed = signed_profile_bytes(practice.data)
    assert load_profile_file(written(tmp_path / "b.mobileconfig", signed)).practice


# --------------------------------------------------------------------------- the QR code


GLYPH_LIGHT = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def decode_half_blocks(text: str) -> list[list[int]]:
    """Turn qr_text back into module rows (1 = dark), two rows per text line."""
    rows: list[list[int]] = []
    for line in text.split("\n"):
        top = [0 if GLYPH_LIGHT[c][0] else 1 for c in line]
        bottom = [0 if GLYPH_LIGHT[c][1] else 1 for c in line]
        rows += [top, bottom]
    return rows


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/abc",
        "http://192.168.178.123:65535/" + "A" * 22,
        "http://[fe80::1234:5678:9abc:def0]:54321/" + "-_aZ09" * 4,
    ],
)
def test_qr_text_encodes_exactly_the_url(url: str) -> None:
    text = qr_text(url)
    rows = decode_half_blocks(text)
    expected = [list(row) for row in segno.make_qr(url).matrix]
    size = len(expected)
    border = QR_BORDER
    assert border >= 2
    # The odd last half line is padding, and light.
    assert len(rows) in (size + 2 * border, size + 2 * border + 1)
    assert all(len(row) == size + 2 * border for row in rows)
    inner = [row[border : border + size] for row in rows[border : border + size]]
    assert inner == expected
    # Quiet zone: every module outside the symbol is light.
    outside = (
        rows[:border]
        + rows[border + size :]
        + [row[:border] + row[border + size :] for row in rows]
    )
    assert all(module == 0 for row in outside for module in row)
    # A full QR code (the iPhone camera does not read Micro QR codes).
    assert size >= 21


def test_qr_text_matches_segnos_own_compact_terminal_output() -> None:
    url = "http://192.168.1.20:41234/" + "Zq" * 11
    out = __import__("io").StringIO()
    segno.make_qr(url).terminal(out=out, compact=True, border=QR_BORDER)
    theirs = out.getvalue().rstrip("\n").split("\n")
    ours = qr_text(url).split("\n")
    # segno leaves the bottom half of the last line to the terminal background; ours paints
    # it light like the rest of the quiet zone. Every other line is the same.
    assert ours[:-1] == theirs[:-1]
    assert ours[-1] == "█" * len(ours[-1]) and set(theirs[-1]) == {"▀"}


def test_qr_for_a_typical_link_fits_an_80x24_terminal() -> None:
    url = "http://192.168.178.123:65535/" + "x" * 22
    lines = qr_text(url).split("\n")
    assert len(lines) <= 21 and max(len(line) for line in lines) <= 41


def test_qr_ansi_paints_both_colours() -> None:
    url = "http://10.0.0.2:8080/abc"
    coloured = qr_ansi(url).split("\n")
    plain = qr_text(url).split("\n")
    assert [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in coloured] == plain
    assert all(line.startswith("\x1b[97;40m") and line.endswith("\x1b[0m") for line in coloured)


# --------------------------------------------------------------------------- the address


# How the address is found (ifaddr, the default route) is tested in test_addresses.py.


def test_no_interface_suggests_host(monkeypatch: pytest.MonkeyPatch, profile_path: Path) -> None:
    monkeypatch.setattr(addresses, "local_addresses", list)
    with pytest.raises(NoNetworkError) as caught:
        choose_host(None)
    assert caught.value.field == "host"
    assert choose_host("127.0.0.1").address == "127.0.0.1"
    # The command line names the option that fixes it.
    with pytest.raises(UsageError, match="--host"):
        serve_file(str(profile_path), host=None)


async def test_core_messages_name_no_option(
    monkeypatch: pytest.MonkeyPatch, profile: ExportedProfile
) -> None:
    """The TUI shows these words too: the field says what to change, never a flag."""
    caught: dict[str, ServeError] = {}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        attempts: dict[str, dict[str, Any]] = {
            "range": {"host": "127.0.0.1", "port": 70000},
            "in-use": {"host": "127.0.0.1", "port": taken.getsockname()[1]},
            "unspecified": {"host": "0.0.0.0"},
            # A documentation address (RFC 5737) is on no interface here.
            "foreign": {"host": "203.0.113.7"},
            "no-name": {"host": "no-such-host.invalid"},
            "minutes": {"host": "127.0.0.1", "minutes": 0},
        }
        for name, options in attempts.items():
            with pytest.raises(ServeError) as error:
                await serve_once(profile, **options)
            caught[name] = error.value
    monkeypatch.setattr(addresses, "local_addresses", list)
    with pytest.raises(NoNetworkError) as no_network:
        await serve_once(profile)
    caught["no-network"] = no_network.value
    fields = {name: error.field for name, error in caught.items()}
    assert fields == {
        "range": "port",
        "in-use": "port",
        "unspecified": "host",
        "foreign": "host",
        "no-name": "host",
        "minutes": "minutes",
        "no-network": "host",
    }
    for name, problem in caught.items():
        assert "--" not in str(problem), name
    assert "203.0.113.7 is not an address of this computer" in str(caught["foreign"])


@pytest.mark.parametrize(
    "spelling",
    ["0.0.0.0", "0", "0.0", "0x0", "000.000.000.000", "::", "[::]", "::ffff:0.0.0.0", "224.0.0.1"],
)
async def test_the_any_address_is_refused_however_it_is_spelled(
    profile: ExportedProfile, spelling: str
) -> None:
    """What the host resolves to is checked, not how it is written."""
    with pytest.raises(ServeError, match="address the phone should use") as caught:
        await asyncio.wait_for(serve_once(profile, host=spelling), BOUND)  # not serving
    assert caught.value.field == "host"


@pytest.mark.parametrize("spelling", ["localhost", "127.1", "::ffff:127.0.0.1", "0x7f000001"])
async def test_another_spelling_of_this_computer_listens_on_the_address_it_means(
    profile: ExportedProfile, spelling: str
) -> None:
    async with Serving(profile, host=spelling) as served:
        assert served.url.startswith("http://127.0.0.1:")
        assert await asyncio.to_thread(body, served.url) == profile.data
