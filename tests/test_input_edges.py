"""Bad input at every edge gets one line and exit 2, never a traceback and never the wire.

Passwords with a line break, provider files that smuggle a command into the user name,
host names no resolver takes, names a profile cannot hold, files that never end (a device,
a named pipe), plists nested too deep or looping, a protocol the provider does not have.
"""

from __future__ import annotations

import io
import os
import plistlib
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.keyring_backends import MemoryKeyring
from tests.testbed import FaultListeners
from tests.testbed.provider_files import render_provider
from wizard.cli import main
from wizard.core import secrets
from wizard.core.errors import ProfileFileError, ProviderError
from wizard.core.handoff.profile_file import inspect_profile
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import load_provider, parse_provider

ROOT = Path(__file__).resolve().parent.parent


def one_line_error(err: str) -> str:
    """The one line a bad input prints (and nothing else: no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mailcom-wizard: "), err
    return lines[0]


def provider_xml(*endpoints: Endpoint, username: str | None = None) -> bytes:
    text = render_provider("edge", ["mail.com"], list(endpoints))
    if username is not None:
        text = text.replace(
            "<username>%EMAILADDRESS%</username>", f"<username>{username}</username>"
        )
    return text.encode()


# -- CR, LF and NUL never reach the wire ---------------------------------------------------


def pop3_recorder(faults: FaultListeners, folder: Path, username: str | None = None) -> Path:
    """A provider whose POP3 and SMTP servers are recording fakes (TLS, trusted)."""
    pop3 = faults.hostile(Protocol.POP3, Security.SSL)
    smtp = faults.hostile(Protocol.SMTP, Security.SSL)
    path = folder / "recorder.xml"
    path.write_bytes(
        provider_xml(
            Endpoint(Protocol.IMAP, "localhost", 1, Security.SSL),
            pop3.endpoint(Security.SSL),
            smtp.endpoint(Security.SSL),
            username=username,
        )
    )
    return path


def test_a_username_template_with_a_line_break_is_refused_when_the_file_is_read(
    faults: FaultListeners, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`%EMAILADDRESS%&#13;&#10;DELE 1` would send `USER a@mail.com` and then `DELE 1`."""
    smuggled = "%EMAILADDRESS%&#13;&#10;DELE 1"
    with pytest.raises(ProviderError, match="user name"):
        parse_provider(
            provider_xml(
                Endpoint(Protocol.POP3, "h", 995, Security.SSL),
                Endpoint(Protocol.SMTP, "h", 465, Security.SSL),
                username=smuggled,
            )
        )
    path = pop3_recorder(faults, tmp_path, username=smuggled)
    code = main(
        [
            "check",
            "--email",
            "a@mail.com",
            "--protocol",
            "pop",
            "--provider",
            str(path),
            "--cafile",
            str(faults.certificates.cafile),
            "--password-stdin",
            "--timeout",
            "2",
        ]
    )
    assert code == 2
    assert "user name" in one_line_error(capsys.readouterr().err)
    assert faults.hostile(Protocol.POP3, Security.SSL).commands == []


@pytest.mark.parametrize("password", ["pass\rDELE 1", "\rpass", "pa\x00ss", "a\rb\r"])
def test_a_password_with_cr_or_nul_on_stdin_is_refused_and_never_sent(
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    password: str,
) -> None:
    path = pop3_recorder(faults, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code = main(
        [
            "check",
            "--email",
            "a@mail.com",
            "--protocol",
            "pop",
            "--provider",
            str(path),
            "--cafile",
            str(faults.certificates.cafile),
            "--password-stdin",
            "--timeout",
            "2",
        ]
    )
    assert code == 2
    line = one_line_error(capsys.readouterr().err)
    assert "line break" in line or "NUL" in line
    assert faults.hostile(Protocol.POP3, Security.SSL).commands == []
    assert faults.hostile(Protocol.POP3, Security.SSL).connections == 0


def test_a_password_with_a_line_break_from_the_keyring_or_the_prompt_is_refused(
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    path = pop3_recorder(faults, tmp_path)
    argv = [
        "check",
        "--email",
        "a@mail.com",
        "--protocol",
        "pop",
        "--provider",
        str(path),
        "--cafile",
        str(faults.certificates.cafile),
        "--timeout",
        "2",
    ]
    # Saved for these very servers, so only its line break can stop it.
    assert secrets.remember_password("a@mail.com", "kept\r\nDELE 1", load_provider(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(argv) == 2
    assert "keyring" in one_line_error(capsys.readouterr().err)
    memory_keyring.delete_password("mailcom-wizard", "a@mail.com")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed\rDELE 1")
    assert main(argv) == 2
    assert "line break" in one_line_error(capsys.readouterr().err)
    assert faults.hostile(Protocol.POP3, Security.SSL).connections == 0


async def test_the_probes_refuse_a_line_break_even_if_an_edge_missed_it() -> None:
    """The last guard: a login with CR, LF or NUL in it is never written to a socket."""
    from wizard.core.models import Status
    from wizard.core.probes.base import MailSession, PhaseCallback, ProbeFailure

    sent: list[str] = []

    class Recorder(MailSession):
        endpoint = Endpoint(Protocol.POP3, "localhost", 995, Security.SSL)

        async def _login(self, username: str, password: str) -> str:
            sent.append(username + password)
            return "+OK"

        async def secure(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
            return None

        async def _goodbye(self, timeout: float) -> None:
            return None

        def abort(self) -> None:
            return None

        def ssl_object(self) -> None:
            return None

    for username, password in (
        ("a@mail.com\r\nDELE 1", "pw"),
        ("a@mail.com", "p\nw"),
        ("a@mail.com", "p\x00w"),
    ):
        with pytest.raises(ProbeFailure) as caught:
            await Recorder().login(username, password)
        assert caught.value.status is Status.PROTOCOL_ERROR
    assert sent == []
    assert await Recorder().login("a@mail.com", "tab\tand space ok") == "+OK"


# -- one line instead of a traceback -------------------------------------------------------


GOOD = (
    Endpoint(Protocol.IMAP, "imap.example.test", 993, Security.SSL),
    Endpoint(Protocol.SMTP, "smtp.example.test", 465, Security.SSL),
)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'<?xml version="1.0" encoding="klingon"?><clientConfig/>', "encoding"),
        (provider_xml(Endpoint(Protocol.IMAP, "a..b", 993, Security.SSL), GOOD[1]), "a..b"),
        (
            provider_xml(GOOD[0], Endpoint(Protocol.SMTP, "x" * 70 + ".com", 465, Security.SSL)),
            "host name",
        ),
        (provider_xml(Endpoint(Protocol.IMAP, ".lead", 993, Security.SSL), GOOD[1]), "host name"),
        (
            provider_xml(Endpoint(Protocol.IMAP, "a" * 250 + ".com", 993, Security.SSL), GOOD[1]),
            "host name",
        ),
        (
            provider_xml(
                Endpoint(Protocol.IMAP, "ex\u00e4mple\u200e.com", 993, Security.SSL), GOOD[1]
            ),
            "host name",
        ),
    ],
    ids=["encoding", "empty-label", "long-label", "leading-dot", "long-name", "format-char"],
)
def test_provider_files_that_used_to_crash_get_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, words: str
) -> None:
    path = tmp_path / "p.xml"
    path.write_bytes(data)
    with pytest.raises(ProviderError) as caught:
        load_provider(path)
    assert words in str(caught.value)
    code = main(["check", "--email", "a@example.test", "--provider", str(path), "--password-stdin"])
    assert code == 2
    one_line_error(capsys.readouterr().err)


def test_good_host_names_still_load() -> None:
    provider = parse_provider(
        provider_xml(
            Endpoint(Protocol.IMAP, "b\u00fccher.example", 993, Security.SSL),
            Endpoint(Protocol.POP3, "127.0.0.1", 995, Security.SSL),
            Endpoint(Protocol.SMTP, "smtp.example.test.", 465, Security.SSL),
        )
    )
    # Stored in the ASCII form the resolver dials, so the profile names what was checked.
    assert provider.imap[0].host == "xn--bcher-kva.example"


def test_a_provider_display_name_is_cleaned_of_control_characters() -> None:
    data = provider_xml(*GOOD).replace(
        b"<displayName>edge</displayName>", b"<displayName>Edge\xc2\x9b2J Mail</displayName>"
    )
    assert parse_provider(data).display_name == "Edge2J Mail"


@pytest.mark.parametrize("name", ["Ann\x01Example", "Ann\x1b[2J", "Ann\nExample", "\udcff"])
@pytest.mark.parametrize("command", ["export", "instructions"])
def test_a_name_a_profile_cannot_hold_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    argv = [command, "--email", "a@mail.com", "--no-verify", "--name", name]
    if command == "export":
        argv += ["--output", str(tmp_path / "a.mobileconfig")]
    assert main(argv) == 2
    assert "--name" in one_line_error(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_a_non_utf8_name_from_a_real_command_line_gets_one_line(tmp_path: Path) -> None:
    """The invalid byte reaches Python as a surrogate (os.fsdecode); it must not crash."""
    target = tmp_path / "a.mobileconfig"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wizard",
            "export",
            "--email",
            "a@mail.com",
            "--no-verify",
            "--name",
            b"Ann \xff".decode("utf-8", "surrogateescape"),
            "--output",
            str(target),
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "PYTHONUTF8": "1"},
    )
    assert result.returncode == 2, result.stderr
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    one_line_error(err)
    assert not target.exists()


def test_every_profile_string_is_cleaned_of_what_a_plist_cannot_hold() -> None:
    """Values that reach the profile from a provider file or a screen are cleaned there."""
    import dataclasses

    from tests.builders import settings
    from wizard.core.profile import build_profile

    mail_settings = dataclasses.replace(
        settings(), name="Ann\x01\udcff", provider_name="Edge\x0bMail"
    )
    profile = plistlib.loads(build_profile(mail_settings))
    (payload,) = profile["PayloadContent"]
    assert payload["EmailAccountName"] == "Ann"
    assert "Edge" in profile["PayloadDisplayName"]


def _nested(depth: int) -> bytes:
    """A profile whose content is ``depth`` arrays inside each other (written by hand:
    plistlib's own writer recurses, and so cannot make one)."""
    inner = "<array>" * depth + "<string>leaf</string>" + "</array>" * depth
    return (
        '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        "<key>PayloadType</key><string>Configuration</string>"
        f"<key>PayloadContent</key>{inner}</dict></plist>"
    ).encode()


def _cyclic() -> bytes:
    """A binary plist whose array holds itself (object references allow it)."""
    data = bytearray(
        plistlib.dumps(
            {"PayloadType": "Configuration", "PayloadContent": ["x"]}, fmt=plistlib.FMT_BINARY
        )
    )
    # The array object refers to its one element by index; point it at the array itself.
    trailer = data[-32:]
    offset_size, ref_size = trailer[6], trailer[7]
    count = int.from_bytes(trailer[8:16], "big")
    table = int.from_bytes(trailer[24:32], "big")
    offsets = [
        int.from_bytes(data[table + i * offset_size : table + (i + 1) * offset_size], "big")
        for i in range(count)
    ]
    for index, offset in enumerate(offsets):
        if data[offset] == 0xA1:  # an array of one element
            data[offset + 1 : offset + 1 + ref_size] = index.to_bytes(ref_size, "big")
            return bytes(data)
    raise AssertionError("no one-element array found")


@pytest.mark.parametrize(
    ("data", "words"),
    [(_nested(5000), "nested"), (_nested(200), "nested"), (_cyclic(), "refers to itself")],
    ids=["5000-deep", "200-deep", "cycle"],
)
def test_a_profile_nested_too_deep_or_looping_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(ProfileFileError, match=words):
        inspect_profile(data, Path("x.mobileconfig"))


def test_serve_on_a_deep_plist_gets_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.mobileconfig"
    path.write_bytes(_nested(5000))
    assert main(["serve", str(path), "--host", "127.0.0.1"]) == 2
    assert "nested" in one_line_error(capsys.readouterr().err)


def test_an_ordinary_nested_profile_is_still_inspected() -> None:
    data = plistlib.dumps(
        {
            "PayloadType": "Configuration",
            "PayloadContent": [
                {
                    "PayloadType": "com.apple.mail.managed",
                    "IncomingPassword": "x",
                    "Shared": [[["same"]]] * 3,
                }
            ],
        }
    )
    profile = inspect_profile(data, Path("x.mobileconfig"))
    assert profile.contains_password and profile.has_mail_payload


# -- files that never end ------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe that nobody writes to: reading it would wait forever."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    yield path

    # Release anything still blocked on the pipe, so a failing test cannot hang the run.
    def unblock() -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return
        os.close(fd)

    unblock()


def _run_bounded(argv: list[str], stdin: str = "") -> tuple[int, str]:
    """main(argv) in a thread; fails (instead of hanging) when it does not end in 10 s."""
    result: list[int] = []
    err = io.StringIO()

    def run() -> None:
        from contextlib import redirect_stderr, redirect_stdout

        with redirect_stderr(err), redirect_stdout(io.StringIO()):
            result.append(main(argv))

    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(10)
    finally:
        sys.stdin = old_stdin
    assert result, f"{argv} did not finish within 10 s"
    return result[0], err.getvalue()


def _cert_files(tmp_path: Path) -> tuple[Path, Path]:
    from tests.pki import Pki

    cert_pem, key_pem = Pki().leaf()
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(cert_pem)
    key.write_bytes(key_pem)
    return cert, key


@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_provider_cafile_and_signing_files_are_read_only_when_regular(
    tmp_path: Path, fifo: Path, source: str
) -> None:
    endless = str(fifo) if source == "fifo" else source
    cert, key = _cert_files(tmp_path)
    out = str(tmp_path / "a.mobileconfig")
    base = ["--email", "a@mail.com", "--no-verify"]
    cases = [
        ["check", "--email", "a@mail.com", "--provider", endless, "--password-stdin"],
        ["check", "--email", "a@mail.com", "--cafile", endless, "--password-stdin"],
        ["export", *base, "-o", out, "--sign-cert", endless, "--sign-key", str(key)],
        ["export", *base, "-o", out, "--sign-cert", str(cert), "--sign-key", endless],
        [
            "export",
            *base,
            "-o",
            out,
            "--sign-cert",
            str(cert),
            "--sign-key",
            str(key),
            "--sign-chain",
            endless,
        ],
        ["serve", endless, "--host", "127.0.0.1"],
    ]
    for argv in cases:
        code, err = _run_bounded(argv, "pw\n")
        assert code == 2, (argv, err)
        assert "not a regular file" in one_line_error(err), argv
    assert not Path(out).exists()


def test_ssl_cert_file_is_read_only_when_regular(fifo: Path) -> None:
    from wizard.core.errors import TLSConfigError
    from wizard.core.tls import make_tls_context

    with pytest.raises(TLSConfigError, match="not a regular file"):
        make_tls_context(str(fifo))
    with pytest.raises(TLSConfigError, match="not a regular file"):
        make_tls_context("/dev/zero")


def test_read_limited_reads_at_most_one_byte_past_the_limit(tmp_path: Path) -> None:
    from wizard.core.errors import FileReadError, ReadProblem
    from wizard.core.files import read_limited

    path = tmp_path / "f"
    path.write_bytes(b"x" * 11)
    assert read_limited(path, 11, "File") == b"x" * 11
    with pytest.raises(FileReadError) as caught:
        read_limited(path, 10, "File")
    assert caught.value.problem is ReadProblem.TOO_LARGE
    with pytest.raises(FileReadError) as caught:
        read_limited(tmp_path / "missing", 10, "File")
    assert caught.value.problem is ReadProblem.MISSING
    with pytest.raises(FileReadError) as caught:
        read_limited(tmp_path, 10, "File")
    assert caught.value.problem is ReadProblem.IS_FOLDER


# -- a protocol the provider does not have -------------------------------------------------


@pytest.mark.parametrize(("has", "asked"), [("pop3", "imap"), ("imap", "pop")])
def test_check_for_a_protocol_the_provider_lacks_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], has: str, asked: str
) -> None:
    incoming = Endpoint(Protocol(has), "h.example.test", 995, Security.SSL)
    path = tmp_path / "one.xml"
    path.write_bytes(provider_xml(incoming, GOOD[1]))
    for command in ("check", "instructions", "export"):
        argv = [command, "--email", "a@mail.com", "--provider", str(path), "--protocol", asked]
        argv += ["--password-stdin"] if command == "check" else ["--no-verify"]
        if command == "export":
            argv += ["--output", str(tmp_path / "a.mobileconfig")]
        assert main(argv) == 2
        line = one_line_error(capsys.readouterr().err)
        assert "--protocol" in line and asked.upper() in line
