"""The one-time profile link: real HTTP clients against ``serve_once`` on 127.0.0.1."""

from __future__ import annotations

import asyncio
import codecs
import os
import plistlib
import pty
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import xml.sax.saxutils
from pathlib import Path
from typing import Any

import pytest
import segno

from tests.serving import (
    BOUND,
    PASSWORD,
    Output,
    Serving,
    assert_refused,
    body,
    connect,
    finish,
    get_request,
    profile_dict,
    raw_exchange,
    read_all,
    request,
    signed_profile_bytes,
    signer,
    split_url,
    wizard_command,
    write_profile,
)
from wizard.console.offer import serve_file
from wizard.core.errors import (
    NoNetworkError,
    PortInUseError,
    ProfileFileError,
    ServeError,
    UsageError,
)
from wizard.core.export import ExportedProfile, make_profile
from wizard.core.handoff import addresses
from wizard.core.handoff import server as server_module
from wizard.core.handoff.addresses import HostChoice, choose_host
from wizard.core.handoff.profile_file import (
    MAX_PROFILE_BYTES,
    NotOffered,
    inspect_profile,
    load_profile_file,
)
from wizard.core.handoff.qr import QR_BORDER, qr_ansi, qr_text
from wizard.core.handoff.server import (
    UNVERIFIED_NOTE,
    EventKind,
    Link,
    ServeEvent,
    StopReason,
    offer_notes,
    serve_once,
)
from wizard.core.handoff.steps import download_steps, install_steps
from wizard.core.models import IncomingChoice, MailSettings
from wizard.core.provider import builtin_provider
from wizard.demo.practice import PRACTICE


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    return write_profile(tmp_path / "someone@mail.com.mobileconfig")


@pytest.fixture
def profile(profile_path: Path) -> ExportedProfile:
    return load_profile_file(profile_path)


def mail_settings(**changes: Any) -> MailSettings:
    """mail.com's usual servers for an address, as the check or the demo would give them."""
    provider = builtin_provider()
    fields: dict[str, Any] = {
        "email": "ann@mail.com",
        "incoming_choice": IncomingChoice.IMAP,
        "incoming": provider.imap[0],
        "outgoing": provider.smtp[0],
        "verified": True,
    }
    return MailSettings(**(fields | changes))


def big_profile(tmp_path: Path, size: int = 900_000) -> ExportedProfile:
    """A profile big enough (within the 1 MiB limit) that a transfer takes a while."""
    path = write_profile(tmp_path / "big.mobileconfig", PayloadDescription="x" * size)
    return load_profile_file(path)


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
    assert load_profile_file(_written(tmp_path / "a.mobileconfig", practice.data)).practice
    signed = signed_profile_bytes(practice.data)
    assert load_profile_file(_written(tmp_path / "b.mobileconfig", signed)).practice


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


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


# --------------------------------------------------------------------------- the file


def test_unsigned_profile_is_inspected(profile: ExportedProfile) -> None:
    assert not profile.signed
    assert not profile.contains_password
    assert profile.has_mail_payload and profile.verified and not profile.practice
    steps = " ".join(download_steps() + install_steps(profile))
    for words in ("Camera", "Safari", "Allow", "Profile Downloaded", "8 minutes", "Not Signed"):
        assert words in steps
    assert "password" in steps  # iOS will ask for it


def test_password_bearing_profile_is_flagged(tmp_path: Path) -> None:
    for key in ("IncomingPassword", "OutgoingPassword"):
        flagged = load_profile_file(
            write_profile(tmp_path / f"{key}.mobileconfig", **{key: PASSWORD})
        )
        assert flagged.contains_password, key
        assert PASSWORD not in repr(flagged)
    empty = load_profile_file(write_profile(tmp_path / "e.mobileconfig", IncomingPassword=""))
    assert not empty.contains_password


def test_binary_plist_profile_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "binary.mobileconfig"
    path.write_bytes(
        plistlib.dumps(profile_dict(IncomingPassword=PASSWORD), fmt=plistlib.FMT_BINARY)
    )
    loaded = load_profile_file(path)
    assert not loaded.signed and loaded.contains_password


def test_signed_profile_is_recognised_and_served_as_is(tmp_path: Path) -> None:
    signed = signed_profile_bytes(plistlib.dumps(profile_dict()))
    assert signed[0] == 0x30
    loaded = inspect_profile(signed, tmp_path / "signed.mobileconfig")
    assert loaded.signed and not loaded.contains_password and loaded.has_mail_payload
    assert loaded.data == signed
    assert "Not Signed" not in " ".join(download_steps() + install_steps(loaded))
    with_password = signed_profile_bytes(plistlib.dumps(profile_dict(IncomingPassword=PASSWORD)))
    assert inspect_profile(with_password, tmp_path / "p.mobileconfig").contains_password


async def test_a_signed_profile_is_served_byte_for_byte(tmp_path: Path) -> None:
    signed = signed_profile_bytes(plistlib.dumps(profile_dict()))
    async with Serving(inspect_profile(signed, tmp_path / "signed.mobileconfig")) as served:
        assert await asyncio.to_thread(body, served.url) == signed


ESCAPED = xml.sax.saxutils.escape(PASSWORD)
XML_PLIST = (
    '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
    "<key>PayloadType</key><string>Configuration</string>"
    "<key>PayloadContent</key><array><dict>"
    "<key>PayloadType</key><string>com.apple.mail.managed</string>{}"
    "</dict></array></dict></plist>"
)


@pytest.mark.parametrize(
    "content",
    [
        plistlib.dumps(profile_dict(IncomingPassword=PASSWORD), fmt=plistlib.FMT_BINARY),
        XML_PLIST.format(f"<key>Incoming&#80;assword</key><string>{ESCAPED}</string>").encode(),
        XML_PLIST.format(
            f"<key>OutgoingPassword</key><!-- a comment --><string>{ESCAPED}</string>"
        ).encode(),
        XML_PLIST.format(f"<key>IncomingPassword</key>\n\t<string>{ESCAPED}</string>").encode(),
        XML_PLIST.format(
            f"<key>OutgoingPassword</key><string>&#{ord(PASSWORD[0])};{ESCAPED[1:]}</string>"
        ).encode(),
        XML_PLIST.replace("UTF-8", "UTF-16")
        .format(f"<key>IncomingPassword</key><string>{ESCAPED}</string>")
        .encode("utf-16"),
    ],
    ids=["binary", "character-reference", "comment", "newline", "reference-value", "utf-16"],
)
def test_a_password_in_a_signed_profile_is_found_however_the_plist_is_written(
    tmp_path: Path, content: bytes
) -> None:
    """Signing does not encrypt: the content is read and inspected like an unsigned file."""
    assert plistlib.loads(content)  # a valid plist, the way iOS reads it
    assert inspect_profile(content, tmp_path / "p.mobileconfig").contains_password
    signed = inspect_profile(signed_profile_bytes(content), tmp_path / "s.mobileconfig")
    assert signed.signed and signed.contains_password


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.parametrize("stream", [False, True], ids=["der", "ber-stream"])
def test_a_profile_signed_by_openssl_is_read_der_or_ber(tmp_path: Path, stream: bool) -> None:
    """``openssl smime -stream`` writes BER: indefinite lengths, the content in pieces."""
    from cryptography.hazmat.primitives import serialization

    cert, key = signer()
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for password in ("", PASSWORD):
        content = plistlib.dumps(profile_dict(IncomingPassword=password, Pad="x" * 3000))
        (tmp_path / "p.plist").write_bytes(content)
        command = ["openssl", "smime", "-sign", "-nodetach", "-binary", "-outform", "der"]
        command += ["-signer", "cert.pem", "-inkey", "key.pem", "-in", "p.plist"]
        signed = subprocess.run(
            command + (["-stream"] if stream else []), cwd=tmp_path, capture_output=True, check=True
        ).stdout
        assert (signed[1] == 0x80) is stream  # BER's indefinite length, or DER
        loaded = inspect_profile(signed, tmp_path / "s.mobileconfig")
        assert loaded.signed and loaded.has_mail_payload
        assert loaded.contains_password is bool(password)


def test_a_signed_profile_whose_content_cannot_be_read_counts_as_holding_a_password(
    tmp_path: Path,
) -> None:
    signed = signed_profile_bytes(plistlib.dumps(profile_dict()))
    for unreadable in (signed[: len(signed) // 2], signed[:40]):
        loaded = inspect_profile(unreadable, tmp_path / "s.mobileconfig")
        assert loaded.signed and loaded.contains_password


def test_an_unverified_profile_says_so(tmp_path: Path) -> None:
    """After "Continue unverified" or ``export --no-verify``, the file itself tells."""
    for verified in (True, False):
        made = make_profile(mail_settings(verified=verified), tmp_path / "p.mobileconfig")
        assert made.verified is verified
        assert inspect_profile(made.data, made.path).verified is verified
        signed = inspect_profile(signed_profile_bytes(made.data), made.path)
        assert signed.verified is verified
        link = Link("http://192.168.1.2:1/x", HostChoice("192.168.1.2", (), False))
        assert (UNVERIFIED_NOTE in offer_notes(made, link)) is not verified


@pytest.mark.parametrize(
    "content",
    [
        b"hello, this is a text file\n",
        b"0 starts with the byte 0x30 but is text\n",
        b'{"PayloadType": "Configuration"}',
        plistlib.dumps({"PayloadType": "com.apple.mail.managed"}),
        plistlib.dumps(["Configuration"]),
        b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "Configuration">]>'
        b"<plist><dict><key>PayloadType</key><string>&a;</string></dict></plist>",
        signed_profile_bytes(b"just some text, signed"),
        b"",
    ],
    ids=["text", "zero", "json", "payload-only", "array", "entity", "signed-text", "empty"],
)
def test_not_a_profile_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "thing.mobileconfig"
    path.write_bytes(content)
    with pytest.raises(ProfileFileError, match="not a configuration profile") as caught:
        load_profile_file(path)
    assert "\n" not in str(caught.value)


def test_missing_big_and_folder_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileFileError, match="no such file"):
        load_profile_file(tmp_path / "missing.mobileconfig")
    with pytest.raises(ProfileFileError, match="folder"):
        load_profile_file(tmp_path)
    big = tmp_path / "big.mobileconfig"
    with big.open("wb") as stream:
        stream.truncate(MAX_PROFILE_BYTES + 1)
    with pytest.raises(ProfileFileError, match=r"too big.*1 MiB"):
        load_profile_file(big)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_refused(profile_path: Path) -> None:
    profile_path.chmod(0)
    with pytest.raises(ProfileFileError, match="permission denied"):
        load_profile_file(profile_path)


async def test_download_name_is_safe_for_the_header(tmp_path: Path) -> None:
    odd = load_profile_file(write_profile(tmp_path / 'mail "work"; x.plist'))
    async with Serving(odd) as served:
        response = await asyncio.to_thread(request, served.url)
    expected = 'attachment; filename="mail__work___x.plist.mobileconfig"'
    assert response.getheader("Content-Disposition") == expected


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
