"""macOS and Windows code paths, simulated: only Debian is here to run them for real.

- A profile holding the password is restricted to the user on Windows with icacls (0600
  means nothing there), or the export command and screen say plainly that it is not.
- The system keyrings of macOS (Keychain) and Windows (Credential Locker) are accepted.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring
from textual.app import App
from textual.widgets import Static

from tests.builders import CLI_PASSWORD as PASSWORD
from tests.builders import export
from tests.keyring_backends import MemoryKeyring
from wizard.cli import main
from wizard.core import files, secrets
from wizard.core.files import write_file
from wizard.core.models import Endpoint, IncomingChoice, MailSettings, Protocol, Security
from wizard.screens.export import ExportScreen

# --------------------------------------------------------------------- Windows: private files


class FakeIcacls:
    """Stands in for subprocess.run of icacls: records the call and what the file held."""

    def __init__(self, returncode: int = 0, missing: bool = False) -> None:
        self.returncode = returncode
        self.missing = missing
        self.calls: list[list[str]] = []
        self.size_when_called: int | None = None

    def __call__(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        self.calls.append(list(argv))
        if self.missing:
            raise FileNotFoundError(2, "The system cannot find the file specified", argv[0])
        self.size_when_called = Path(argv[1]).stat().st_size
        return subprocess.CompletedProcess(argv, self.returncode, b"", b"")


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIcacls]:
    """This process acts as if on Windows, user CONTOSO\\jane, with a working icacls."""
    fake = FakeIcacls()
    monkeypatch.setattr(files, "_WINDOWS", True)
    monkeypatch.setattr("wizard.core.files.subprocess.run", fake)
    monkeypatch.setenv("USERNAME", "jane")
    monkeypatch.setenv("USERDOMAIN", "CONTOSO")
    monkeypatch.setenv("SYSTEMROOT", r"C:\Windows")
    yield fake


def test_windows_private_file_gets_an_access_list_for_the_user_alone(
    windows: FakeIcacls, tmp_path: Path
) -> None:
    target = tmp_path / "jane.mobileconfig"
    assert write_file(target, b"secret", force=False, private=True) is True
    assert target.read_bytes() == b"secret"
    (call,) = windows.calls
    assert call[0].lower().endswith("icacls.exe") and "System32" in call[0]
    assert call[2:] == ["/inheritance:r", "/grant:r", "CONTOSO\\jane:F"]
    # The temporary file was restricted while still empty, before the password went in.
    assert Path(call[1]).parent == tmp_path and windows.size_when_called == 0


def test_windows_file_without_password_is_left_alone(windows: FakeIcacls, tmp_path: Path) -> None:
    assert write_file(tmp_path / "steps.txt", b"steps", force=False, private=False) is False
    assert windows.calls == []


@pytest.mark.parametrize("failure", ["refused", "missing", "no-user"])
def test_windows_file_that_cannot_be_restricted_is_written_and_reported(
    windows: FakeIcacls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    if failure == "refused":  # FAT or exFAT drives have no access lists
        windows.returncode = 5
    elif failure == "missing":
        windows.missing = True
    else:
        monkeypatch.delenv("USERNAME")
    target = tmp_path / "jane.mobileconfig"
    assert write_file(target, b"secret", force=False, private=True) is False
    assert target.read_bytes() == b"secret"
    assert [p.name for p in tmp_path.iterdir()] == ["jane.mobileconfig"]  # no temp file left


def test_posix_private_file_is_owner_only_without_icacls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_subprocess(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("no program is run on Linux or macOS")

    monkeypatch.setattr("wizard.core.files.subprocess.run", no_subprocess)
    assert write_file(tmp_path / "p.mobileconfig", b"secret", force=False, private=True)


@pytest.mark.usefixtures("stdin_password")
@pytest.mark.parametrize("icacls_works", [True, False])
def test_export_command_says_whether_the_file_is_private_on_windows(
    windows: FakeIcacls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    icacls_works: bool,
) -> None:
    windows.returncode = 0 if icacls_works else 5
    assert main(export(tmp_path, "--include-password", "--password-stdin")) == 0
    out, err = capsys.readouterr()
    text = " ".join(out.split())
    assert PASSWORD not in out + err
    if icacls_works:
        assert "Contains your password: readable by you only." in text
        assert "could not" not in text
    else:
        assert "could not make the file readable by you only" in text
        assert "readable by you only." not in text.replace("by you only:", "")


class ExportHost(App[None]):
    """Just the export screen, as the wizard shows it after a check."""

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.home = home

    def on_mount(self) -> None:
        settings = MailSettings(
            email="jane@mail.com",
            incoming_choice=IncomingChoice.IMAP,
            incoming=Endpoint(Protocol.IMAP, "imap.mail.com", 993, Security.SSL),
            outgoing=Endpoint(Protocol.SMTP, "smtp.mail.com", 465, Security.SSL),
            verified=True,
        )
        self.push_screen(ExportScreen(settings, PASSWORD, home=self.home))


@pytest.mark.parametrize("icacls_works", [True, False])
async def test_export_screen_says_whether_the_file_is_private_on_windows(
    windows: FakeIcacls, tmp_path: Path, icacls_works: bool
) -> None:
    windows.returncode = 0 if icacls_works else 5
    app = ExportHost(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#include-password")
        await pilot.press("ctrl+w")
        for _ in range(200):
            await pilot.pause(0.02)
            if app.screen.query_one("#send").display:
                break
        status = str(app.screen.query_one("#export-status", Static).content)
    assert "Written" in status
    if icacls_works:
        assert "readable by you only." in status
    else:
        assert "could not make it readable by you only" in status
    assert PASSWORD not in status


# --------------------------------------------------------------------- keyrings of each system


def _named_like(module: str, name: str) -> MemoryKeyring:
    """An in-memory backend whose class is named like a real system's keyring."""
    cls = type(name, (MemoryKeyring,), {"__module__": module, "priority": 5})
    return cls()  # type: ignore[no-any-return]


@pytest.fixture
def _keep_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def _chain(*backends: KeyringBackend) -> ChainerBackend:
    """keyring's own chainer (what ``keyring.get_keyring()`` usually is), over ``backends``."""
    cls = type("Chain", (ChainerBackend,), {"backends": list(backends), "priority": 10})
    return cls()  # type: ignore[no-any-return]


@pytest.mark.usefixtures("_keep_keyring")
@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyring.backends.macOS", "Keyring"),  # the macOS Keychain
        ("keyring.backends.Windows", "WinVaultKeyring"),  # Windows Credential Locker
        ("keyring.backends.SecretService", "Keyring"),  # GNOME Keyring and friends
        ("keyring.backends.kwallet", "DBusKeyring"),  # KDE
    ],
)
def test_each_systems_keyring_is_accepted(module: str, name: str) -> None:
    backend = _named_like(module, name)
    keyring.set_keyring(backend)
    assert secrets.keyring_available()
    assert secrets.set_password("Jane@Mail.com", PASSWORD)
    assert secrets.get_password("jane@mail.com") == PASSWORD
    assert secrets.delete_password("jane@mail.com")
    assert secrets.get_password("jane@mail.com") is None
    # Behind keyring's chainer, after a refused plain-text file, it is still the one used.
    chained = _named_like(module, name)
    keyring.set_keyring(_chain(PlaintextKeyring(), chained))
    assert secrets.set_password("jane@mail.com", PASSWORD)
    assert chained.store == {(secrets.SERVICE, "jane@mail.com"): PASSWORD}


# --------------------------------------------------------------------- nothing Linux-only

#: Calls and paths that exist on Linux only (or only on POSIX) and have no business in a
#: program that runs on a Mac and on Windows too.
LINUX_ONLY = ("import fcntl", "fcntl.", "ioctl", "/proc/", "/sys/", "os.fork", "AF_UNIX")


def _under_platform_guard(tree: ast.AST, line: int) -> bool:
    """True when ``line`` sits inside an ``if sys.platform ...`` branch (a guarded fallback)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "sys.platform" in ast.unparse(node.test):
            first = node.body[0].lineno
            last = max(getattr(n, "end_lineno", first) or first for n in node.body)
            if first <= line <= last:
                return True
    return False


def test_the_package_makes_no_linux_only_call() -> None:
    """Linux-only calls are allowed only behind a platform check, with a way on elsewhere."""
    package = Path(__file__).resolve().parent.parent / "wizard"
    found = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for number, line in enumerate(text.splitlines(), start=1):
            for needle in LINUX_ONLY:
                if needle in line and not _under_platform_guard(tree, number):
                    found.append(f"{path.relative_to(package)}:{number}: {needle}")
    assert found == []
