"""Fuzzing the command line's inputs: whatever a user (or a file) gives, no traceback.

Hypothesis builds argv values for --email, --name, --timeout and --output, provider files,
passwords on standard input and profile files for ``serve``, from fragments that broke
things before: control characters, invalid bytes, huge labels, XML tricks, nesting. It runs
derandomized (the same examples every time) and shrinks a failure to a small one. Every run
must end with exit 0, 1 or 2, and a failure must be one line (argparse's usage error counts
as its own kind).
"""

from __future__ import annotations

import functools
import io
import plistlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keyring.backends import fail

from tests import builders
from tests.testbed.provider_files import render_provider
from wizard.cli import main
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.profile import build_profile

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

# The same examples on every run (no seed, no example database); a slow example is not a bug.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    # tmp_path, monkeypatch and capsys serve every example: each one gets its own folder
    # and standard input, and run() empties the captured output first.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Strategies are built once (cached): a new one for every draw costs more than the case.


@functools.cache
def text(parts: int = 3) -> st.SearchStrategy[str]:
    """One to ``parts`` fragments joined (shrinks towards "")."""
    return st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=parts).map("".join)


@functools.cache
def or_text(parts: int, *values: str) -> st.SearchStrategy[str]:
    """Each of ``values`` (repeat one to weight it) as likely as fuzzed text."""
    return st.one_of(*map(st.just, values), text(parts))


@functools.cache
def chance(percent: int) -> st.SearchStrategy[bool]:
    """True about ``percent`` times in 100 (shrinks towards False)."""
    return st.sampled_from([False] * (100 - percent) + [True] * percent)


@functools.cache
def between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


BYTE = between(0, 255)


def change_bytes(draw: st.DrawFn, data: bytes, most: int) -> bytes:
    """``data`` with one to ``most`` bytes set to any value."""
    mutable = bytearray(data)
    for _ in range(draw(between(1, most))):
        mutable[draw(between(0, len(data) - 1))] = draw(BYTE)
    return bytes(mutable)


MANGLINGS = st.sampled_from(["cut", "changed", "encoding", "inserted"])
ENCODINGS = st.sampled_from(["klingon", "utf-16", "latin-1", "ascii", "utf-32", ""])


@st.composite
def provider_files(draw: st.DrawFn) -> bytes:
    """A provider file: a good one with fuzzed values, or a mangled one."""
    host = draw(or_text(2, "127.0.0.1", "127.0.0.1", "localhost"))
    username = draw(or_text(2, "%EMAILADDRESS%", "%EMAILADDRESS%", "%EMAILLOCALPART%"))
    endpoints = [
        Endpoint(Protocol.IMAP, host, 1, Security.SSL, username),
        Endpoint(Protocol.SMTP, "127.0.0.1", 1, Security.SSL),
    ]
    if draw(chance(30)):
        endpoints.insert(1, Endpoint(Protocol.POP3, "127.0.0.1", 1, Security.STARTTLS))
    document = render_provider(
        draw(or_text(2, "p", "p")), [draw(or_text(2, "mail.com", "mail.com"))], endpoints
    )
    data = document.encode("utf-8", "surrogateescape")
    if not draw(st.booleans()):  # half of them left whole
        return data
    mangling = draw(MANGLINGS)
    if mangling == "cut":
        return data[: draw(between(0, len(data) - 1))]
    if mangling == "changed":
        return change_bytes(draw, data, 8)
    if mangling == "encoding":
        encoding = draw(ENCODINGS)
        return data.replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    spot = draw(between(0, len(data) - 1))  # a fragment inserted anywhere
    return data[:spot] + draw(text(2)).encode("utf-8", "surrogateescape") + data[spot:]


@functools.cache
def good_profile() -> bytes:
    return build_profile(builders.settings())


def nested_plist(depth: int) -> bytes:
    inner = "<array>" * depth + "</array>" * depth
    return (
        '<?xml version="1.0"?><plist version="1.0"><dict><key>PayloadType</key>'
        f"<string>Configuration</string><key>PayloadContent</key>{inner}</dict></plist>"
    ).encode()


def small_plist(payload_type: str, item: str, fmt: plistlib.PlistFormat) -> bytes:
    printable = "".join(char for char in item if char.isprintable())
    return plistlib.dumps({"PayloadType": payload_type, "k": [printable]}, fmt=fmt)


PROFILE_KINDS = st.sampled_from(["cut", "changed", "nested", "DER", "plist", "noise"])
DEPTHS = st.sampled_from([10, 70, 1000, 5000])
PLISTS = st.builds(
    small_plist,
    st.sampled_from(["Configuration", "x"]),
    text(),
    st.sampled_from([plistlib.FMT_XML, plistlib.FMT_BINARY]),
)
DER_TAIL = st.binary(max_size=63)
NOISE = st.binary(max_size=199)


@st.composite
def profile_files(draw: st.DrawFn) -> bytes:
    """A file handed to ``serve``: a mangled profile, nesting, DER-ish bytes, noise."""
    good = good_profile()
    kind = draw(PROFILE_KINDS)
    if kind == "cut":
        return good[: draw(between(0, len(good) - 1))]
    if kind == "changed":
        return change_bytes(draw, good, 10)
    if kind == "nested":
        return nested_plist(draw(DEPTHS))
    if kind == "DER":  # a SEQUENCE tag, any length byte, whatever follows
        return bytes([0x30, draw(BYTE)]) + draw(DER_TAIL)
    if kind == "plist":
        return draw(PLISTS)
    return draw(NOISE)


@dataclass(frozen=True)
class InFolder:
    """A file name in the example's own folder."""

    name: str


PROVIDER = InFolder("provider.xml")


@dataclass(frozen=True)
class CommandLine:
    args: list[str | InFolder]
    stdin: str
    provider: bytes | None  # written to PROVIDER when given

    def argv(self, folder: Path) -> list[str]:
        return [str(folder / arg.name) if isinstance(arg, InFolder) else arg for arg in self.args]


COMMANDS = st.sampled_from(["instructions", "export", "check"])
PROVIDERS = st.none() | provider_files()
LINE_ENDS = st.sampled_from(["\n", "", "\r\n"])


@st.composite
def command_lines(draw: st.DrawFn) -> CommandLine:
    """instructions, export or check, with fuzzed values and files."""
    # "\udcff" among the fragments is how Python hands over an invalid byte of a real
    # command line (PEP 383), so argv values carry it as they would.
    command = draw(COMMANDS)
    args: list[str | InFolder] = [command, "--email", draw(or_text(3, "a@mail.com", "a@mail.com"))]
    args += ["--timeout", draw(or_text(1, "1", "0.5"))]
    provider = draw(PROVIDERS)
    if provider is not None:
        args += ["--provider", PROVIDER]
    if draw(chance(30)):
        args += ["--protocol", draw(or_text(1, "imap", "pop"))]
    stdin = draw(text()) + draw(LINE_ENDS)
    if command == "check":
        args.append("--password-stdin")
        if draw(st.booleans()):
            args.append("--json")
        # Only a few checks reach a network: the built-in servers cannot be looked up
        # here, so every check that gets this far would wait for DNS.
        if provider is None:
            args += ["--email", "bad address"]
    else:
        args += ["--name", draw(or_text(3, "Ann")), "--no-verify"]
        if command == "instructions" and draw(st.booleans()):
            args += ["--format", "markdown"]
    if command == "export":
        name = draw(or_text(2, "out")).replace("/", "_")
        args += ["--output", InFolder(f"{name}.mobileconfig"), "--force"]
        if draw(chance(20)):
            args.append("--include-password")
    return CommandLine(args, stdin, provider)


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
    capsys.readouterr()  # whatever an earlier example left
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


@settings(FUZZ, max_examples=200)
@given(line=command_lines())
def test_fuzzed_command_lines_never_end_in_a_traceback(
    line: CommandLine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    if line.provider is not None:
        (folder / PROVIDER.name).write_bytes(line.provider)
    run(line.argv(folder), line.stdin, monkeypatch, capsys)


@settings(FUZZ, max_examples=100)
@given(profile=profile_files())
def test_fuzzed_profile_files_for_serve_never_end_in_a_traceback(
    profile: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "profile.mobileconfig"
    path.write_bytes(profile)
    # A profile that happens to be good would be served: for a moment only.
    run(
        ["serve", str(path), "--host", "127.0.0.1", "--minutes", "0.001"],
        "",
        monkeypatch,
        capsys,
    )
