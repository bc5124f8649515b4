"""Real Dovecot and Postfix instances on loopback, with their own config under a temp folder.

Nothing in /etc is read or changed and no system service is touched: Dovecot runs with
``-c <folder>/dovecot/dovecot.conf`` and Postfix with ``postfix -c <folder>/postfix``.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from wizard.core.models import Account, IncomingChoice

from .certs import CertPair

_TEMPLATES = Path(__file__).parent
DOVECOT = "/usr/sbin/dovecot"
POSTFIX = "/usr/sbin/postfix"
#: Postfix's own list of its folders, owners and modes.
POSTFIX_FILES = "/etc/postfix/postfix-files"
#: Packages that bring the binaries; scripts/test.sh installs them.
PACKAGES = ("dovecot-imapd", "dovecot-pop3d", "dovecot-lmtpd", "postfix")


class TestbedError(RuntimeError):
    """A server of the test bed could not be started or stopped; the message says why."""

    __test__ = False


@dataclass(frozen=True)
class MailUser:
    """A mailbox of the test bed: full address as login name, and its password."""

    email: str
    password: str = field(repr=False)
    #: Services Dovecot refuses this user on (for example ``("pop3",)``).
    denied: tuple[str, ...] = ()

    def account(
        self, incoming: IncomingChoice = IncomingChoice.IMAP, name: str = "Test User"
    ) -> Account:
        """The wizard's ``Account`` for this user (the password goes with it, unseen)."""
        return Account(email=self.email, password=self.password, name=name, incoming=incoming)


#: Where Dovecot and Postfix listen. Not 127.0.0.1: Dovecot counts a client whose address
#: equals the server's as secure and would take a password before STARTTLS. Linux sends
#: from 127.0.0.1 to any 127.x address, so on 127.0.0.2 the client is "remote" and
#: ``disable_plaintext_auth`` holds, as it does on mail.com. Still loopback (127.0.0.0/8).
SERVER_HOST = "127.0.0.2"


def free_port(host: str = "127.0.0.1") -> int:
    """An unprivileged loopback port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


#: How often a server is started with fresh ports when one of its ports was taken between
#: choosing it and the server binding it (another program on a busy machine got there
#: first: a port from ``free_port`` is only free at the moment it is chosen).
START_ATTEMPTS = 5


def port_was_taken(error: TestbedError, log: Path | None) -> bool:
    """True when a server failed to start because one of its ports was already in use."""
    text = str(error)
    if log is not None and log.exists():
        text += log.read_text(errors="replace")
    return "Address already in use" in text


def wait_for_ports(
    ports: Iterable[int], timeout: float, what: str, log: Path | None, host: str = SERVER_HOST
) -> None:
    """Poll until every loopback port accepts a TCP connection, or raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    pending = list(ports)
    while pending:
        port = pending[0]
        try:
            with socket.create_connection((host, port), timeout=0.5):
                pending.pop(0)
                continue
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TestbedError(f"{what} did not listen on {host}:{port}{_log_tail(log)}")
        time.sleep(0.02)  # a bounded poll of a server start-up, not a test wait


def _log_tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n--- " + str(log) + " ---\n" + "\n".join(text)


def _render(template: str, target: Path, values: dict[str, object]) -> None:
    text = (_TEMPLATES / template).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    if "@" in "".join(line.split("#")[0] for line in text.splitlines() if "@" in line):
        leftover = [line for line in text.splitlines() if "@" in line.split("#")[0]]
        raise TestbedError(f"unfilled placeholder in {template}: {leftover[:3]}")
    target.write_text(text)


def _run(argv: list[str], what: str) -> str:
    """Run a server command; its output goes to a file, because a daemon it starts keeps
    inherited pipes open and reading them would never end."""
    with tempfile.TemporaryFile("w+") as output:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=60,
            check=False,
        )
        output.seek(0)
        text = output.read()
    if result.returncode != 0:
        raise TestbedError(f"{what} failed ({result.returncode}): {text.strip()}")
    return text


def descendants(pid: int) -> set[int]:
    """``pid`` and every process below it, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found = {pid}
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pids: Iterable[int]) -> set[int]:
    """The subset of ``pids`` that still exist (zombies count as gone)."""
    result = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            result.add(pid)
    return result


def wait_gone(pids: set[int], timeout: float) -> set[int]:
    """Poll until ``pids`` have exited; return the ones still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    left = alive(pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)  # bounded poll of process exit
        left = alive(left)
    return left


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (tells a live owner from a reused pid)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def find_processes(argv: list[str]) -> set[int]:
    """Processes whose command line is exactly ``argv`` (from /proc)."""
    wanted = ("\0".join(argv) + "\0").encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes() == wanted:
                    found.add(int(entry.name))
            except OSError:
                continue
    return alive(found)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _finish(pids: set[int], grace: float) -> set[int]:
    """Wait ``grace`` seconds for ``pids`` to exit, SIGKILL the rest, and return any that
    still live. Dovecot login processes spawned a moment before a stop (by the start-up
    probes) can take seconds to notice it; the test bed need not wait for them."""
    left = wait_gone(pids, grace)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return wait_gone(left, 5.0)


class Dovecot:
    """One Dovecot instance: IMAP, IMAPS, POP3, POP3S on ``SERVER_HOST``, LMTP and auth sockets."""

    def __init__(self, root: Path, cert: CertPair, users: list[MailUser]) -> None:
        self.root = root / "dovecot"
        self.cert = cert
        self.users = users
        self.config = self.root / "dovecot.conf"
        self.run_dir = self.root / "run"
        self.log = self.root / "dovecot.log"
        self.mail_dir = self.root / "mail"
        self.host = SERVER_HOST
        self.pids: set[int] = set()
        self.choose_ports()

    def choose_ports(self) -> None:
        """Fresh ports for every listener (before a start, or a retry of one)."""
        self.imap_port = free_port(self.host)
        self.imaps_port = free_port(self.host)
        self.pop3_port = free_port(self.host)
        self.pop3s_port = free_port(self.host)

    @property
    def lmtp_socket(self) -> Path:
        """Where Postfix delivers (LMTP over a unix socket)."""
        return self.run_dir / "lmtp"

    @property
    def auth_socket(self) -> Path:
        """Where Postfix checks SMTP AUTH passwords."""
        return self.run_dir / "auth-postfix"

    @property
    def ports(self) -> tuple[int, ...]:
        """Every TCP port this instance listens on."""
        return (self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port)

    def start(self, timeout: float = 15.0) -> None:
        """Start Dovecot, with fresh ports again whenever one of them was taken meanwhile."""
        for attempt in range(START_ATTEMPTS):
            try:
                self._start(timeout)
                return
            except TestbedError as error:
                if attempt + 1 == START_ATTEMPTS or not port_was_taken(error, self.log):
                    raise
                self.stop()
                self.log.unlink(missing_ok=True)
                self.choose_ports()

    def _start(self, timeout: float) -> None:
        """Write the config, start Dovecot and wait until every listener answers."""
        for folder in (self.root, self.run_dir, self.root / "state", self.mail_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # Mail files belong to an ordinary system user: Dovecot will not touch mail as root.
            mail_user = _system_user("mail", "nobody")
            login_user, internal_user, internal_group = "dovenull", "dovecot", "dovecot"
        else:
            # Not root: every Dovecot process runs as the current user and group.
            mail_user = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail_user.pw_name
            internal_group = grp.getgrgid(mail_user.pw_gid).gr_name
        os.chown(self.mail_dir, mail_user.pw_uid, mail_user.pw_gid)
        users = self.root / "users.passwd"
        deny = self.root / "deny.passwd"
        # passwd-file: "name:password:uid:gid:gecos:home:shell:extra"; the password is taken
        # literally ({PLAIN}), so spaces and non-ASCII characters go through as they are.
        users.write_text("".join(f"{u.email}:{{PLAIN}}{u.password}::::::\n" for u in self.users))
        deny.write_text(
            "".join(f"{u.email}/{service}:::::::\n" for u in self.users for service in u.denied)
        )
        _render(
            "dovecot.conf.in",
            self.config,
            {
                "ROOT": self.root,
                "HOST": self.host,
                "INSTANCE": f"testbed-{self.root.parent.name}",
                "RUN": self.run_dir,
                "STATE": self.root / "state",
                "LOG": self.log,
                "LOGIN_USER": login_user,
                "INTERNAL_USER": internal_user,
                "INTERNAL_GROUP": internal_group,
                "MAIL_UID": mail_user.pw_uid,
                "MAIL_GID": mail_user.pw_gid,
                "CERT": self.cert.cert,
                "KEY": self.cert.key,
                "MAIL": self.mail_dir,
                "DENY": deny,
                "USERS": users,
                "IMAP_PORT": self.imap_port,
                "IMAPS_PORT": self.imaps_port,
                "POP3_PORT": self.pop3_port,
                "POP3S_PORT": self.pop3s_port,
            },
        )
        _run([DOVECOT, "-c", str(self.config)], "dovecot start")
        # The master is found by its command line, which names our config: its pid file
        # can still be missing when the start command returns.
        self.pids = find_processes([DOVECOT, "-c", str(self.config)])
        wait_for_ports(self.ports, timeout, "Dovecot", self.log)
        deadline = time.monotonic() + timeout
        while not (self.lmtp_socket.exists() and self.auth_socket.exists()):
            if time.monotonic() > deadline:
                raise TestbedError(f"Dovecot made no LMTP/auth socket{_log_tail(self.log)}")
            time.sleep(0.02)  # bounded poll of server start-up
        self.pids |= find_processes([DOVECOT, "-c", str(self.config)])

    def processes(self) -> set[int]:
        """The master process and all its children, as they are now."""
        found: set[int] = set()
        for pid in alive(self.pids):
            found |= descendants(pid)
        return found

    def stop(self, grace: float = 3.0) -> set[int]:
        """Stop Dovecot; return the processes still alive even after SIGKILL (none, normally)."""
        before = self.processes()
        # SIGTERM to the master is what ``dovecot stop`` sends; doing it here saves the
        # seconds that command spends polling for the master to go.
        for pid in alive(self.pids):
            with contextlib.suppress(ProcessLookupError):  # it may end between the two calls
                os.kill(pid, signal.SIGTERM)
        return _finish(before, grace)


class Postfix:
    """One Postfix instance: submission (STARTTLS) and SMTPS on ``SERVER_HOST``, LMTP to Dovecot."""

    def __init__(self, root: Path, cert: CertPair, dovecot: Dovecot) -> None:
        self.root = root / "postfix"
        self.config_dir = self.root / "etc"
        self.queue_dir = self.root / "queue"
        self.data_dir = self.root / "data"
        self.log = self.root / "postfix.log"
        self.cert = cert
        self.dovecot = dovecot
        self.host = SERVER_HOST
        self.pids: set[int] = set()
        self.choose_ports()

    def choose_ports(self) -> None:
        """Fresh ports for both listeners (before a start, or a retry of one)."""
        self.submission_port = free_port(self.host)
        self.smtps_port = free_port(self.host)

    @property
    def ports(self) -> tuple[int, ...]:
        """Every TCP port this instance listens on."""
        return (self.submission_port, self.smtps_port)

    def _postfix(self, *args: str) -> str:
        try:
            return _run([POSTFIX, "-c", str(self.config_dir), *args], f"postfix {' '.join(args)}")
        except TestbedError as error:
            # Postfix writes its complaints to the log (stderr only when it is a terminal).
            hint = f"\n(for details: script -qc 'postfix -c {self.config_dir} check' /dev/null)"
            raise TestbedError(f"{error}{_log_tail(self.log)}{hint}") from None

    def start(self, timeout: float = 20.0) -> None:
        """Start Postfix, with fresh ports again whenever one of them was taken meanwhile."""
        if os.geteuid() != 0:
            raise TestbedError("Postfix needs root to start (run the tests as root, as CI does)")
        for attempt in range(START_ATTEMPTS):
            try:
                self._start(timeout)
                return
            except TestbedError as error:
                if attempt + 1 == START_ATTEMPTS or not port_was_taken(error, self.log):
                    raise
                self.stop()
                self.log.unlink(missing_ok=True)
                self.choose_ports()

    def _start(self, timeout: float) -> None:
        """Write the config, create the queue, start Postfix and wait for its listeners."""
        for folder in (self.config_dir, self.queue_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
        values = {
            "ROOT": self.root,
            "HOST": self.host,
            "QUEUE": self.queue_dir,
            "DATA": self.data_dir,
            "LOG": self.log,
            "LMTP": self.dovecot.lmtp_socket,
            "AUTH": self.dovecot.auth_socket,
            "CERT": self.cert.cert,
            "KEY": self.cert.key,
            "SUBMISSION_PORT": self.submission_port,
            "SMTPS_PORT": self.smtps_port,
        }
        _render("main.cf.in", self.config_dir / "main.cf", values)
        _render("master.cf.in", self.config_dir / "master.cf", values)
        # Postfix waits (0.3 s at a time) until main.cf looks older than a second, in case it
        # is still being written: backdate the files it reads so it starts at once.
        past = time.time() - 60
        for name in ("main.cf", "master.cf"):
            os.utime(self.config_dir / name, (past, past))
        # Postfix insists on root-owned config and queue folders, and postfix-owned data.
        self._make_queue()
        self._postfix("start")
        master = _read_pid(self.queue_dir / "pid" / "master.pid")
        if master is not None:
            self.pids = {master}
        wait_for_ports(self.ports, timeout, "Postfix", self.log)

    def _make_queue(self) -> None:
        """Create the queue and data folders as Postfix wants them, then let it skip its
        own check: ``postfix start`` would otherwise spend seconds in post-install."""
        owners = {
            "root": pwd.getpwnam("root").pw_uid,
            "$mail_owner": pwd.getpwnam("postfix").pw_uid,
        }
        groups = {"-": -1, "$setgid_group": grp.getgrnam("postdrop").gr_gid}
        places = {"$queue_directory": self.queue_dir, "$data_directory": self.data_dir}
        for line in Path(POSTFIX_FILES).read_text().splitlines():
            fields = line.split(":")
            if len(fields) < 5 or fields[1] != "d" or fields[0].split("/")[0] not in places:
                continue
            head, _, rest = fields[0].partition("/")
            folder = places[head] / rest if rest else places[head]
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, owners[fields[2]], groups[fields[3]])
            folder.chmod(int(fields[4], 8))
        (self.queue_dir / "quick-start").touch()

    def processes(self) -> set[int]:
        """The master process and all its children, as they are now."""
        found: set[int] = set()
        for pid in alive(self.pids):
            found |= descendants(pid)
        return found

    def stop(self, grace: float = 5.0) -> set[int]:
        """Stop Postfix; return the processes still alive even after SIGKILL (none, normally)."""
        before = self.processes()
        if before:
            subprocess.run(
                [POSTFIX, "-c", str(self.config_dir), "stop"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=False,
            )
        return _finish(before, grace)


def _system_user(*names: str) -> pwd.struct_passwd:
    for name in names:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise TestbedError(f"none of the system users {names} exists")


def under_ci() -> bool:
    """True when the CI variable says this run is CI (any value but empty, 0, false, no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def server_unavailable(message: str) -> NoReturn:
    """End a test whose real server cannot run here: skipped on a laptop, failed under CI.

    CI must prove every live check, so a missing server there is a broken run, whoever
    runs it (root or not), never a quiet skip.
    """
    import pytest

    if under_ci():
        pytest.fail(f"{message} (CI=true: a real-server test may not be skipped)")
    pytest.skip(message)


def missing_binaries() -> list[str]:
    """The server programs that are not installed."""
    return [path for path in (DOVECOT, POSTFIX) if shutil.which(path) is None]
