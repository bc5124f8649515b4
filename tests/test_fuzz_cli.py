"""Fuzzing the command line's inputs: whatever a user (or a file) gives, no traceback.

A deterministic generator (a fixed seed, so a failure can be replayed) builds argv values
for --email, --name, --timeout and --output, provider files, passwords on standard input
and profile files for ``serve``, from fragments that broke things before: control
characters, invalid bytes, huge labels, XML tricks, nesting. Every run must end with exit
0, 1 or 2, and a failure must be one line (argparse's usage error counts as its own kind).
"""

from __future__ import annotations

import io
import plistlib
import random
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.builders import settings
from tests.testbed.provider_files import render_provider
from wizard.cli import main
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.profile import build_profile

SEED = 20250311

FRAGMENTS = [
    "",
    " ",
    "a",
    "a@mail.com",
    "ann@example.test",
    "@",
    "..",
    "-",
    "--",
    "%EMAILADDRESS%",
    "\x00",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\x1b[2J",
    "\x1b]0;t\x07",
    "\u009b",
    "\u202e",
    "\u200b",
    "\ufffe",
    "\udcff",  # an invalid byte on a real command line (os.fsdecode)
    "\U0001f4e7",
    "名前",
    "é",
    "a" * 70,
    "x" * 300,
    "<",
    "&",
    "]]>",
    "&#13;&#10;",
    "0",
    "-1",
    "nan",
    "inf",
    "1e309",
    "600",
    "0.5",
    "/",
    "%s",
    "{}",
]


def text(rng: random.Random, parts: int = 3) -> str:
    return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, parts)))


def provider_bytes(rng: random.Random) -> bytes:
    """A provider file: a good one with fuzzed values, or a mangled one."""
    host = rng.choice(["127.0.0.1", "127.0.0.1", "localhost", text(rng, 2)])
    username = rng.choice(["%EMAILADDRESS%", "%EMAILADDRESS%", "%EMAILLOCALPART%", text(rng, 2)])
    endpoints = [
        Endpoint(Protocol.IMAP, host, 1, Security.SSL, username),
        Endpoint(Protocol.SMTP, "127.0.0.1", 1, Security.SSL),
    ]
    if rng.random() < 0.3:
        endpoints.insert(1, Endpoint(Protocol.POP3, "127.0.0.1", 1, Security.STARTTLS))
    document = render_provider(
        rng.choice(["p", "p", text(rng, 2)]),
        [rng.choice(["mail.com", "mail.com", text(rng, 2)])],
        endpoints,
    )
    data = document.encode("utf-8", "surrogateescape")
    action = rng.randrange(8)  # 4 to 7: left whole
    if action == 0:  # cut short
        data = data[: rng.randrange(len(data))]
    elif action == 1:  # a few bytes changed
        mutable = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mutable[rng.randrange(len(mutable))] = rng.randrange(256)
        data = bytes(mutable)
    elif action == 2:  # another encoding declared
        encoding = rng.choice(["klingon", "utf-16", "latin-1", "ascii", "utf-32", ""])
        data = data.replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    elif action == 3:  # a fragment inserted anywhere
        spot = rng.randrange(len(data))
        fragment = text(rng, 2).encode("utf-8", "surrogateescape")
        data = data[:spot] + fragment + data[spot:]
    return data


def profile_bytes(rng: random.Random) -> bytes:
    """A file handed to ``serve``: a mangled profile, nesting, DER-ish bytes, noise."""
    good = build_profile(settings())
    action = rng.randrange(6)
    if action == 0:
        return good[: rng.randrange(len(good))]
    if action == 1:
        mutable = bytearray(good)
        for _ in range(rng.randint(1, 10)):
            mutable[rng.randrange(len(mutable))] = rng.randrange(256)
        return bytes(mutable)
    if action == 2:
        depth = rng.choice([10, 70, 1000, 5000])
        inner = "<array>" * depth + "</array>" * depth
        return (
            '<?xml version="1.0"?><plist version="1.0"><dict><key>PayloadType</key>'
            f"<string>Configuration</string><key>PayloadContent</key>{inner}</dict></plist>"
        ).encode()
    if action == 3:
        return bytes([0x30, rng.randrange(256)]) + rng.randbytes(rng.randrange(64))
    if action == 4:
        printable = "".join(char for char in text(rng) if char.isprintable())
        return plistlib.dumps(
            {"PayloadType": rng.choice(["Configuration", "x"]), "k": [printable]},
            fmt=rng.choice([plistlib.FMT_XML, plistlib.FMT_BINARY]),
        )
    return rng.randbytes(rng.randrange(200))


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def run(
    argv: list[str],
    stdin: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Run the command line as a user would; assert how it ends."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse: exit 2 with its usage and one error line
        out, err = capsys.readouterr()
        assert exit.code == 2, (argv, err)
        assert "error:" in err.strip().splitlines()[-1], (argv, err)
        return
    except BaseException as exc:  # the traceback a user would have seen
        raise AssertionError(f"{argv!r} with stdin {stdin!r} raised {exc!r}") from exc
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in out + err, argv
    if code == 2:
        lines = err.strip().splitlines()
        # One line says what is wrong: the last one (a warning may come before it, such as
        # the one --include-password prints before anything is read).
        assert lines and lines[-1].startswith("mailcom-wizard: "), (argv, err)
        assert sum(line.startswith("mailcom-wizard: ") for line in lines) == 1, (argv, err)


def test_fuzzed_command_lines_never_end_in_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    # "\udcff" among the fragments is how Python hands over an invalid byte of a real
    # command line (PEP 383), so argv values carry it as they would.
    for case in range(260):
        command = rng.choice(["instructions", "export", "check"])
        argv = [command, "--email", rng.choice(["a@mail.com", "a@mail.com", text(rng)])]
        argv += ["--timeout", rng.choice(["1", "0.5", text(rng, 1)])]
        if rng.random() < 0.5:
            path = tmp_path / f"provider-{case}.xml"
            path.write_bytes(provider_bytes(rng))
            argv += ["--provider", str(path)]
        if rng.random() < 0.3:
            argv += ["--protocol", rng.choice(["imap", "pop", text(rng, 1)])]
        stdin = text(rng) + rng.choice(["\n", "", "\r\n"])
        if command == "check":
            argv += ["--password-stdin"]
            if rng.random() < 0.5:
                argv += ["--json"]
            # Only a few checks reach a network: the built-in servers cannot be looked up
            # here, so every check that gets this far would wait for DNS.
            if "--provider" not in argv:
                argv += ["--email", "bad address"]
        else:
            argv += ["--name", rng.choice(["Ann", text(rng)]), "--no-verify"]
            if rng.random() < 0.5:
                argv += ["--format", "markdown"] if command == "instructions" else []
        if command == "export":
            name = rng.choice(["out", text(rng, 2).replace("/", "_")]) + f"-{case}.mobileconfig"
            argv += ["--output", str(tmp_path / name), "--force"]
            if rng.random() < 0.2:
                argv += ["--include-password"]
        run(argv, stdin, monkeypatch, capsys)


def test_fuzzed_profile_files_for_serve_never_end_in_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED + 1)
    for case in range(120):
        path = tmp_path / f"profile-{case}.mobileconfig"
        path.write_bytes(profile_bytes(rng))
        # A profile that happens to be good would be served: for a moment only.
        run(
            ["serve", str(path), "--host", "127.0.0.1", "--minutes", "0.001"],
            "",
            monkeypatch,
            capsys,
        )
