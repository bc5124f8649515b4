"""The one-time profile link: a real HTTP client against the server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import os
import plistlib
import pty
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import segno
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from wizard.console.offer import serve_file
from wizard.core.errors import (
    NoNetworkError,
    PortInUseError,
    ProfileFileError,
    ServeError,
    UsageError,
)
from wizard.core.handoff import addresses
from wizard.core.handoff import offer as offer_module
from wizard.core.handoff.addresses import choose_host
from wizard.core.handoff.offer import start_offer, start_offer_async
from wizard.core.handoff.profile_file import MAX_PROFILE_BYTES, ProfileFile, load_profile_file
from wizard.core.handoff.qr import QR_BORDER, qr_ansi, qr_text
from wizard.core.handoff.server import EventKind, ProfileServer, ServeEvent, StopReason
from wizard.core.handoff.steps import phone_steps

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Tr0ub4dor&3-serve-test"
BOUND = 10.0  # seconds: the longest any test waits for something that should be quick


# --------------------------------------------------------------------------- helpers


def profile_dict(**mail_extra: Any) -> dict[str, Any]:
    """A minimal mail profile, built directly with plistlib."""
    mail = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadIdentifier": "com.example.mail",
        "PayloadUUID": "A1B2C3D4-0000-4000-8000-000000000001",
        "PayloadVersion": 1,
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": "someone@mail.com",
        "IncomingMailServerHostName": "imap.mail.com",
        "IncomingMailServerPortNumber": 993,
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": "smtp.mail.com",
        "OutgoingMailServerPortNumber": 465,
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    mail.update(mail_extra)
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.profile",
        "PayloadUUID": "A1B2C3D4-0000-4000-8000-000000000000",
        "PayloadDisplayName": "someone@mail.com",
        "PayloadContent": [mail],
    }


def write_profile(path: Path, **mail_extra: Any) -> Path:
    """Write an XML plist profile and return its path."""
    path.write_bytes(plistlib.dumps(profile_dict(**mail_extra)))
    return path


def signed_profile_bytes(content: bytes) -> bytes:
    """``content`` signed as DER CMS SignedData, as `openssl smime -sign -outform der` does."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Profile signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    return write_profile(tmp_path / "someone@mail.com.mobileconfig")


@pytest.fixture
def profile(profile_path: Path) -> ProfileFile:
    return load_profile_file(profile_path)


@contextmanager
def serving(profile: ProfileFile, **options: Any) -> Iterator[ProfileServer]:
    """A started server on loopback; afterwards it is stopped and no thread is left."""
    before = set(threading.enumerate())
    server = ProfileServer(profile, "127.0.0.1", **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        assert server.wait(BOUND) is not None, "the server did not stop"
        # The event loop's own executor threads (asyncio.to_thread) outlive a test; ours not.
        left = [
            t
            for t in set(threading.enumerate()) - before
            if t.is_alive() and not t.name.startswith("asyncio_")
        ]
        assert left == [], f"threads still running after stop: {left}"


def split_url(url: str) -> tuple[str, int, str]:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port, parts.path


def request(url: str, method: str = "GET", path: str | None = None) -> http.client.HTTPResponse:
    """One request with http.client; the body is read before returning."""
    host, port, url_path = split_url(url)
    connection = http.client.HTTPConnection(host, port, timeout=BOUND)
    connection.request(method, url_path if path is None else path)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def raw_exchange(url: str, payload: bytes) -> bytes:
    """Send raw bytes, read until the server closes."""
    host, port, _ = split_url(url)
    with socket.create_connection((host, port), timeout=BOUND) as connection:
        connection.sendall(payload)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def assert_refused(url: str) -> None:
    host, port, _ = split_url(url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=BOUND).close()


# --------------------------------------------------------------------------- serving


def test_right_url_serves_the_exact_bytes_with_profile_headers(profile: ProfileFile) -> None:
    with serving(profile) as server:
        assert server.url is not None
        response = request(server.url)
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
        assert server.wait(BOUND) is StopReason.DOWNLOADED
        assert server.wait(0) is StopReason.DOWNLOADED  # stopped: wait() no longer blocks
        assert_refused(server.url)


def test_url_has_a_128_bit_random_path_on_the_given_host(profile: ProfileFile) -> None:
    urls = []
    for _ in range(2):
        with serving(profile) as server:
            assert server.url is not None
            urls.append(server.url)
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
def test_wrong_path_is_an_empty_404_and_the_link_still_works(
    profile: ProfileFile, wrong: Any
) -> None:
    with serving(profile) as server:
        assert server.url is not None
        _, _, path = split_url(server.url)
        for _ in range(3):
            response = request(server.url, path=wrong(path))
            assert response.status == 404
            assert response.body == b""  # type: ignore[attr-defined]
            assert response.getheader("Content-Length") == "0"
            assert response.getheader("Content-Type") is None
            assert response.getheader("Server") is None
        assert server.wait(0.05) is None and server.accepts(path)
        ok = request(server.url)
        assert ok.status == 200 and ok.body == profile.data  # type: ignore[attr-defined]
        assert server.wait(BOUND) is StopReason.DOWNLOADED


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"])
def test_other_methods_on_the_right_path_are_an_empty_404(
    profile: ProfileFile, method: str
) -> None:
    with serving(profile) as server:
        assert server.url is not None
        response = request(server.url, method=method)
        assert response.status == 404
        assert response.body == b""  # type: ignore[attr-defined]
        assert server.accepts(split_url(server.url)[2])
        assert request(server.url).status == 200


def test_head_shows_the_headers_but_is_not_a_download(profile: ProfileFile) -> None:
    with serving(profile) as server:
        assert server.url is not None
        head = request(server.url, method="HEAD")
        assert head.status == 200
        assert head.getheader("Content-Type") == "application/x-apple-aspen-config"
        assert head.body == b""  # type: ignore[attr-defined]
        assert server.wait(0.05) is None
        assert request(server.url).body == profile.data  # type: ignore[attr-defined]
        assert server.wait(BOUND) is StopReason.DOWNLOADED


def test_malformed_and_http09_requests_get_nothing(profile: ProfileFile) -> None:
    with serving(profile) as server:
        assert server.url is not None
        _, _, path = split_url(server.url)
        # Not HTTP at all (a TLS hello): the connection closes without a byte.
        assert raw_exchange(server.url, b"\x16\x03\x01\x02\x00\x01\x00\r\n\r\n") == b""
        # Malformed HTTP (http.server would say 400 or 505): the same empty 404.
        answer = raw_exchange(server.url, f"GET {path} {path} HTTP/1.1\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 404 ")
        assert answer.endswith(b"\r\n\r\n")  # headers only, empty body
        assert b"Content-Length: 0\r\n" in answer
        # HTTP/0.9 has no headers, so the profile would arrive without its content type.
        assert raw_exchange(server.url, f"GET {path}\r\n\r\n".encode()) == b""
        assert server.accepts(path)
        assert request(server.url).status == 200


def test_the_second_download_is_refused(profile: ProfileFile) -> None:
    with serving(profile) as server:
        assert server.url is not None
        host, port, path = split_url(server.url)
        # Open a connection before the first download ends, send the request after it.
        late = socket.create_connection((host, port), timeout=BOUND)
        assert request(server.url).status == 200
        with late:
            late.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            answer = b""
            while chunk := late.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 404 ")
        assert profile.data not in answer
        assert server.wait(BOUND) is StopReason.DOWNLOADED


def test_an_aborted_download_does_not_count(tmp_path: Path) -> None:
    # A big profile (within the 1 MiB limit) so the transfer is still going on when the
    # client resets the connection, as a phone losing Wi-Fi would.
    big = load_profile_file(
        write_profile(tmp_path / "big.mobileconfig", PayloadDescription="x" * 900_000)
    )
    events: queue.Queue[ServeEvent] = queue.Queue()
    with serving(big, on_event=events.put) as server:
        assert server.url is not None
        host, port, path = split_url(server.url)
        client = socket.create_connection((host, port), timeout=BOUND)
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert client.recv(100).startswith(b"HTTP/1.0 200 ")
        # Linger 0: close() resets the connection instead of finishing it.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        kinds = [events.get(timeout=BOUND).kind for _ in range(2)]
        assert kinds == [EventKind.DOWNLOAD_STARTED, EventKind.DOWNLOAD_FAILED]
        assert server.accepts(path) and server.wait(0) is None
        ok = request(server.url)
        assert ok.body == big.data  # type: ignore[attr-defined]
        assert server.wait(BOUND) is StopReason.DOWNLOADED
        assert events.get(timeout=BOUND) == ServeEvent(EventKind.DOWNLOAD_STARTED, "127.0.0.1")
        assert events.empty()  # the download that completed did not break off


def test_it_stops_after_its_time_limit(profile: ProfileFile) -> None:
    with serving(profile, time_limit=0.3) as server:
        assert server.url is not None
        assert server.wait(BOUND) is StopReason.TIMED_OUT
        assert_refused(server.url)


def test_stop_from_another_thread_cancels(profile: ProfileFile) -> None:
    with serving(profile) as server:
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(BOUND)
        assert server.wait(BOUND) is StopReason.CANCELLED
        server.stop()  # a second stop is harmless
        assert server.wait(BOUND) is StopReason.CANCELLED


def test_stop_before_start_is_safe(profile: ProfileFile) -> None:
    server = ProfileServer(profile, "127.0.0.1")
    server.stop()
    assert server.wait(BOUND) is StopReason.CANCELLED
    with pytest.raises(ServeError):
        server.start()


async def test_wait_async_reports_the_download(profile: ProfileFile) -> None:
    with serving(profile) as server:
        assert server.url is not None
        waiting = asyncio.create_task(server.wait_async())
        response = await asyncio.to_thread(request, server.url)
        assert response.status == 200
        assert await asyncio.wait_for(waiting, BOUND) is StopReason.DOWNLOADED


async def test_cancelling_wait_async_stops_the_server(profile: ProfileFile) -> None:
    with serving(profile) as server:
        waiting = asyncio.create_task(server.wait_async())
        await asyncio.sleep(0)  # let the task start waiting
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await asyncio.to_thread(server.wait, BOUND) is StopReason.CANCELLED


def test_port_in_use_is_a_clear_error(profile: ProfileFile) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ProfileServer(profile, "127.0.0.1", port)
        with pytest.raises(PortInUseError, match=f"port {port} .* already in use"):
            server.start()
        server.stop()
        assert server.wait(BOUND) is StopReason.CANCELLED


def test_ipv6_loopback_url_has_brackets(profile: ProfileFile) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server = ProfileServer(profile, "::1")
    url = server.start()
    try:
        assert url.startswith("http://[::1]:")
        connection = http.client.HTTPConnection("::1", split_url(url)[1], timeout=BOUND)
        connection.request("GET", split_url(url)[2])
        assert connection.getresponse().read() == profile.data
        connection.close()
        assert server.wait(BOUND) is StopReason.DOWNLOADED
    finally:
        server.stop()
        server.wait(BOUND)


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


def test_unsigned_profile_is_inspected(profile: ProfileFile) -> None:
    assert not profile.signed
    assert not profile.contains_password
    assert profile.has_mail_payload
    steps = " ".join(phone_steps(profile))
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
    path = tmp_path / "signed.mobileconfig"
    path.write_bytes(signed)
    loaded = load_profile_file(path)
    assert loaded.signed and not loaded.contains_password and loaded.has_mail_payload
    assert "Not Signed" not in " ".join(phone_steps(loaded))
    with serving(loaded) as server:
        assert server.url is not None
        assert request(server.url).body == signed  # type: ignore[attr-defined]
    with_password = tmp_path / "signed-password.mobileconfig"
    with_password.write_bytes(
        signed_profile_bytes(plistlib.dumps(profile_dict(IncomingPassword=PASSWORD)))
    )
    assert load_profile_file(with_password).contains_password


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
        b"",
    ],
    ids=["text", "zero", "json", "payload-only", "array", "entity", "empty"],
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


def test_download_name_is_safe_for_the_header(tmp_path: Path) -> None:
    odd = write_profile(tmp_path / 'mail "work"; x.plist')
    assert load_profile_file(odd).filename == "mail__work___x.plist.mobileconfig"


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


def test_core_messages_name_no_option(
    monkeypatch: pytest.MonkeyPatch, profile: ProfileFile, profile_path: Path
) -> None:
    """The TUI shows these words too: the field says what to change, never a flag."""
    caught: dict[str, ServeError] = {}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        attempts = {
            "range": lambda: ProfileServer(profile, "127.0.0.1", 70000),
            "in-use": lambda: ProfileServer(profile, "127.0.0.1", taken.getsockname()[1]).start(),
            "unspecified": lambda: ProfileServer(profile, "0.0.0.0").start(),
            # A documentation address (RFC 5737) is on no interface here.
            "foreign": lambda: ProfileServer(profile, "203.0.113.7").start(),
            "no-name": lambda: ProfileServer(profile, "no-such-host.invalid").start(),
        }
        for name, attempt in attempts.items():
            with pytest.raises(ServeError) as error:
                attempt()
            caught[name] = error.value
    monkeypatch.setattr(addresses, "local_addresses", list)
    with pytest.raises(NoNetworkError) as error:
        start_offer(profile_path, allow_password=never_asked)
    caught["no-network"] = error.value
    fields = {name: error.field for name, error in caught.items()}
    assert fields == {
        "range": "port",
        "in-use": "port",
        "unspecified": "host",
        "foreign": "host",
        "no-name": "host",
        "no-network": "host",
    }
    for name, error in caught.items():
        assert "--" not in str(error), name
    assert "203.0.113.7 is not an address of this computer" in str(caught["foreign"])


def test_unspecified_host_is_refused(profile: ProfileFile) -> None:
    with pytest.raises(ServeError, match="address the phone should use"):
        ProfileServer(profile, "0.0.0.0").start()


# --------------------------------------------------------------------------- the offer


def never_asked() -> bool:
    raise AssertionError("asked about a password the profile does not hold")


def test_start_offer_serves_the_file_on_the_given_host(profile_path: Path) -> None:
    before = set(threading.enumerate())
    offer = start_offer(profile_path, allow_password=never_asked, host="127.0.0.1")
    assert offer is not None
    try:
        assert offer.url == offer.server.url and offer.url.startswith("http://127.0.0.1:")
        assert offer.host.address == "127.0.0.1" and not offer.host.detected
        assert offer.profile.data == profile_path.read_bytes()
        assert request(offer.url).body == offer.profile.data  # type: ignore[attr-defined]
        assert offer.server.wait(BOUND) is StopReason.DOWNLOADED
    finally:
        offer.server.stop()
        offer.server.wait(BOUND)
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert left == []


@pytest.mark.parametrize("allowed", [False, True])
def test_start_offer_serves_a_password_only_when_allowed(tmp_path: Path, allowed: bool) -> None:
    path = write_profile(tmp_path / "p.mobileconfig", IncomingPassword=PASSWORD)
    before = set(threading.enumerate())
    asked: list[bool] = []

    def allow() -> bool:
        asked.append(True)
        return allowed

    offer = start_offer(path, allow_password=allow, host="127.0.0.1", minutes=0.005)
    assert asked == [True]
    if allowed:
        assert offer is not None and offer.profile.contains_password
        assert offer.server.wait(BOUND) is StopReason.TIMED_OUT
    else:
        assert offer is None
    assert [t for t in set(threading.enumerate()) - before if t.is_alive()] == []


async def test_start_offer_async_serves_without_blocking_the_loop(profile_path: Path) -> None:
    offer = await start_offer_async(profile_path, allow_password=never_asked, host="127.0.0.1")
    assert offer is not None
    try:
        waiting = asyncio.create_task(offer.server.wait_async())
        assert (await asyncio.to_thread(request, offer.url)).status == 200
        assert await asyncio.wait_for(waiting, BOUND) is StopReason.DOWNLOADED
    finally:
        offer.server.stop()


async def test_cancelling_start_offer_async_stops_the_server_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving the Send screen while the link is being prepared leaves no server behind."""
    path = write_profile(tmp_path / "p.mobileconfig", IncomingPassword=PASSWORD)
    created: list[ProfileServer] = []

    class RecordedServer(ProfileServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(offer_module, "ProfileServer", RecordedServer)
    asking = threading.Event()
    answer = threading.Event()

    def allow() -> bool:
        asking.set()
        # Holds the start in its thread; the event loop must stay free to cancel meanwhile.
        assert answer.wait(BOUND), "the event loop was blocked"
        return True

    starting = asyncio.create_task(start_offer_async(path, allow_password=allow, host="127.0.0.1"))
    assert await asyncio.to_thread(asking.wait, BOUND)
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    answer.set()  # now the thread binds and starts a server whose link nobody will show
    for _ in range(int(BOUND / 0.05)):
        if created:
            break
        await asyncio.sleep(0.05)
    [server] = created
    assert await asyncio.to_thread(server.wait, BOUND) is StopReason.CANCELLED
    assert server.url is not None  # it had started, and was stopped


def test_start_offer_raises_before_serving_a_bad_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileFileError, match="no such file"):
        start_offer(tmp_path / "missing.mobileconfig", allow_password=never_asked)


# --------------------------------------------------------------------------- the command


def wizard_command(*args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "wizard", "serve", *args],
        cwd=ROOT,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


class Output:
    """The command's stdout, read line by line in the background so a test can wait on it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._pump, args=(process.stdout,))
        self.reader.start()

    def _pump(self, stdout: Any) -> None:
        for line in stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output

    def url(self) -> str:
        """Wait (with a bound) for the URL line."""
        while True:
            line = self.lines.get(timeout=60)
            assert line, f"no URL printed: {self.seen}"
            self.seen.append(line)
            if line.startswith("  http://"):
                return line.strip()

    def finish(self) -> tuple[int, str, str]:
        """Wait for the command to end; all of stdout and stderr."""
        while line := self.lines.get(timeout=60):
            self.seen.append(line)
        self.reader.join(BOUND)
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        return self.process.wait(timeout=60), "".join(self.seen), err


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
    assert "Open it in Safari" in text and "Profile Downloaded" in text
    assert "this computer only" in text  # 127.0.0.1 cannot be reached by the phone
    assert qr_text(url) in text
    assert "Traceback" not in err


def test_cli_says_when_the_time_ran_out(profile_path: Path) -> None:
    code, out, _ = finish(
        wizard_command(str(profile_path), "--host", "127.0.0.1", "--minutes", "0.005")
    )
    assert code == 1
    assert "Stopped: nobody downloaded the profile within 0.3 seconds" in out


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
    assert request(url).body == path.read_bytes()  # type: ignore[attr-defined]
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
    # Wait for the last line before the wait begins, so the signal lands in wait().
    while "Ctrl+C stops now" not in output.seen[-1]:
        output.seen.append(output.lines.get(timeout=60))
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
        # A documentation address (RFC 5737) is on no interface here: bind() fails locally.
        (["--host", "203.0.113.7"], "not an address of this computer"),
        (["--host", "0.0.0.0"], "address the phone should use"),
    ],
    ids=["port-range", "foreign-host", "unspecified"],
)
def test_cli_bad_host_or_port_exits_2(profile_path: Path, options: list[str], message: str) -> None:
    code, out, err = finish(wizard_command(str(profile_path), *options))
    assert code == 2
    assert message in one_line_error(err)
    assert "http://" not in out
