"""The whole test bed: certificates, Dovecot, Postfix and the fault listeners, as one object.

The real servers' endpoints name ``127.0.0.2`` (``SERVER_HOST``; why: see servers.py), the
fault listeners' endpoints name ``localhost`` and they bind 127.0.0.1. The certificates
cover ``localhost``, ``127.0.0.1``, ``127.0.0.2`` and ``::1``, so host name checks pass
either way. Everything stays on loopback.
"""

from __future__ import annotations

import contextlib
import email
import imaplib
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import Provider, load_provider

from .certs import TestCertificates, make_certificates
from .dualstack import reap_stale_dual_stack
from .faults import FaultListeners
from .provider_files import render_provider
from .servers import (
    DOVECOT,
    POSTFIX,
    SERVER_HOST,
    Dovecot,
    MailUser,
    Postfix,
    TestbedError,
    descendants,
    find_processes,
    process_start_time,
    server_unavailable,
    wait_gone,
)

#: The domains the bed's Postfix delivers for and its provider files list.
DOMAINS = ("mail.com", "example.test")

ALICE = MailUser("alice@mail.com", "Pässwörd mit Leerzeichen 9")
BOB = MailUser("bob@example.test", "bob-secret-42")
IMAPONLY = MailUser("imaponly@mail.com", "imap only 7", denied=("pop3",))
#: A mailbox the round-trip tests fill with the user's own mail (and check it stays).
KEEPER = MailUser("keeper@mail.com", "Keeper's own mail 5")


def _endpoint(protocol: Protocol, port: int, security: Security) -> Endpoint:
    return Endpoint(protocol=protocol, host=SERVER_HOST, port=port, security=security)


@dataclass
class Testbed:
    """Running Dovecot (and Postfix, when run as root) on loopback, plus fault listeners."""

    __test__ = False

    root: Path
    certificates: TestCertificates
    faults: FaultListeners
    dovecot: Dovecot
    postfix: Postfix | None
    #: Why Postfix is not running (None when it is).
    postfix_missing_reason: str | None = None
    alice: MailUser = ALICE
    bob: MailUser = BOB
    imaponly: MailUser = IMAPONLY
    keeper: MailUser = KEEPER
    #: Whether ``stop()`` also closes ``faults`` (False when the caller passed them in).
    owns_faults: bool = True
    _stopped: bool = field(default=False, repr=False)

    #: The address the real servers listen on (and their endpoints name).
    host: str = SERVER_HOST

    @property
    def cafile(self) -> str:
        """PEM file of the test CA that issued every good (and the expired) certificate."""
        return str(self.certificates.cafile)

    @property
    def users(self) -> tuple[MailUser, ...]:
        """Every mailbox of the bed."""
        return (self.alice, self.bob, self.imaponly, self.keeper)

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context trusting the test CA only."""
        return self.certificates.client_context()

    # -- real endpoints ----------------------------------------------------------------

    @property
    def imap_ssl(self) -> Endpoint:
        """Dovecot IMAP with implicit TLS (like imap.mail.com:993)."""
        return _endpoint(Protocol.IMAP, self.dovecot.imaps_port, Security.SSL)

    @property
    def imap_starttls(self) -> Endpoint:
        """Dovecot IMAP upgraded with STARTTLS (like port 143)."""
        return _endpoint(Protocol.IMAP, self.dovecot.imap_port, Security.STARTTLS)

    @property
    def pop3_ssl(self) -> Endpoint:
        """Dovecot POP3 with implicit TLS (like pop.mail.com:995)."""
        return _endpoint(Protocol.POP3, self.dovecot.pop3s_port, Security.SSL)

    @property
    def pop3_starttls(self) -> Endpoint:
        """Dovecot POP3 upgraded with STLS (like port 110)."""
        return _endpoint(Protocol.POP3, self.dovecot.pop3_port, Security.STARTTLS)

    def _postfix(self) -> Postfix:
        if self.postfix is None:
            raise TestbedError(f"Postfix is not running: {self.postfix_missing_reason}")
        return self.postfix

    @property
    def smtp_ssl(self) -> Endpoint:
        """Postfix SMTP with implicit TLS (like smtp.mail.com:465). Needs Postfix."""
        return _endpoint(Protocol.SMTP, self._postfix().smtps_port, Security.SSL)

    @property
    def smtp_starttls(self) -> Endpoint:
        """Postfix submission with STARTTLS required before AUTH (like port 587)."""
        return _endpoint(Protocol.SMTP, self._postfix().submission_port, Security.STARTTLS)

    def postfix_log(self) -> str:
        """What Postfix has logged so far (its SASL method per accepted message, say)."""
        return self._postfix().log.read_text(errors="replace")

    def require_postfix(self) -> None:
        """Skip the calling test when Postfix could not run here (not root); under CI, fail it."""
        if self.postfix is None:
            server_unavailable(f"needs Postfix: {self.postfix_missing_reason}")

    # -- reading mail back -------------------------------------------------------------

    @contextlib.contextmanager
    def imap(self, user: MailUser) -> Iterator[imaplib.IMAP4_SSL]:
        """An IMAPS session of ``user`` (Python's imaplib, logged in), for looking at mail."""
        with imaplib.IMAP4_SSL(
            self.host, self.dovecot.imaps_port, ssl_context=self.client_context(), timeout=10
        ) as imap:
            # AUTHENTICATE PLAIN carries UTF-8; imaplib's LOGIN would only take ASCII.
            secret = f"\0{user.email}\0{user.password}".encode()
            imap.authenticate("PLAIN", lambda _challenge: secret)
            yield imap

    def inbox(self, user: MailUser) -> list[tuple[str, frozenset[str]]]:
        """The Subject and flags of every message in ``user``'s INBOX, expunged or not."""
        with self.imap(user) as imap:
            _, count = imap.select("INBOX", readonly=True)
            if count[0] in (b"0", None):
                return []
            _, data = imap.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        messages = []
        for item in data:
            if isinstance(item, tuple):
                flags = imaplib.ParseFlags(item[0])
                subject = str(email.message_from_bytes(item[1])["Subject"] or "")
                messages.append((subject, frozenset(flag.decode() for flag in flags)))
        return messages

    def inbox_subjects(self, user: MailUser) -> list[str]:
        """The Subject of every message in ``user``'s INBOX, read over IMAPS."""
        return [subject for subject, _flags in self.inbox(user)]

    def fill_inbox(self, user: MailUser, messages: Sequence[tuple[str, str]]) -> None:
        """Empty ``user``'s INBOX, then put these (subject, flags) messages in it."""
        with self.imap(user) as imap:
            _, count = imap.select("INBOX")
            if count[0] not in (b"0", None):
                imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                imap.expunge()
            for subject, flags in messages:
                text = f"From: {user.email}\r\nSubject: {subject}\r\n\r\nThe user's own mail.\r\n"
                imap.append("INBOX", f"({flags})" if flags else None, None, text.encode())

    def password_mismatches(self, email: str) -> int:
        """Failed password checks Dovecot's auth logged for ``email`` (IMAP, POP3 and, through
        SASL, Postfix's): the servers' own count of refused logins."""
        import re

        text = self.dovecot.log.read_text(errors="replace")
        return len(re.findall(rf"\({re.escape(email)},[^)]*\): Password mismatch", text))

    # -- provider files ----------------------------------------------------------------

    def provider_file(
        self,
        folder: Path,
        imap: Sequence[Endpoint] | None = None,
        pop3: Sequence[Endpoint] | None = None,
        smtp: Sequence[Endpoint] | None = None,
        *,
        domains: Sequence[str] = DOMAINS,
        name: str = "testbed.xml",
        provider_id: str = "testbed",
    ) -> Path:
        """Write an autoconfig XML listing these endpoints (in this order) under ``folder``.

        A protocol left out (None) gets the bed's real endpoints, implicit TLS first as
        mail.com lists them; pass ``[]`` for none. ``provider_id="mail.com"`` makes the bed
        stand in for mail.com's own record, whose advice names mail.com's settings.
        """
        path = Path(folder) / name
        imap = self.real_imap if imap is None else imap
        pop3 = self.real_pop3 if pop3 is None else pop3
        smtp = self.real_smtp if smtp is None else smtp
        xml = render_provider(
            provider_id, list(domains), [*imap, *pop3, *smtp], display_name="Test bed"
        )
        path.write_text(xml, encoding="utf-8")
        return path

    def provider(
        self,
        folder: Path,
        imap: Sequence[Endpoint] | None = None,
        pop3: Sequence[Endpoint] | None = None,
        smtp: Sequence[Endpoint] | None = None,
    ) -> Provider:
        """Like ``provider_file``, then loaded with ``load_provider``."""
        return load_provider(self.provider_file(folder, imap, pop3, smtp))

    def default_provider_file(self, folder: Path) -> Path:
        """A provider file with every real endpoint (``provider_file(folder)``)."""
        return self.provider_file(folder)

    @property
    def real_imap(self) -> tuple[Endpoint, ...]:
        """Dovecot's IMAP endpoints: implicit TLS, then STARTTLS."""
        return (self.imap_ssl, self.imap_starttls)

    @property
    def real_pop3(self) -> tuple[Endpoint, ...]:
        """Dovecot's POP3 endpoints: implicit TLS, then STARTTLS."""
        return (self.pop3_ssl, self.pop3_starttls)

    @property
    def real_smtp(self) -> tuple[Endpoint, ...]:
        """Postfix's endpoints (465-style, then 587-style); empty without Postfix."""
        return (self.smtp_ssl, self.smtp_starttls) if self.postfix is not None else ()

    # -- life cycle ------------------------------------------------------------------

    def processes(self) -> set[int]:
        """Every server process of the bed that is running now."""
        found = self.dovecot.processes()
        if self.postfix is not None:
            found |= self.postfix.processes()
        return found

    def stop(self) -> None:
        """Stop the servers and fault listeners, remove the folder; raise if a server
        process had to be killed (it is gone either way)."""
        if self._stopped:
            return
        self._stopped = True
        left: set[int] = set()
        try:
            if self.postfix is not None:
                left |= self.postfix.stop()
            left |= self.dovecot.stop()
        finally:
            if self.owns_faults:
                self.faults.close()
            shutil.rmtree(self.root, ignore_errors=True)
        if left:
            raise TestbedError(f"server processes did not stop and were killed: {sorted(left)}")


_PREFIX = "mailcom-testbed-"
_OWNER = "owner"


def make_root() -> Path:
    """A fresh, short temp folder (unix socket paths must stay under 108 bytes), marked
    with the process that owns it so a later run can clean up after a killed one."""
    root = Path(tempfile.mkdtemp(prefix=_PREFIX))
    # Dovecot's mail user and Postfix's delivery agents must be able to walk into it.
    root.chmod(0o755)
    pid = os.getpid()
    (root / _OWNER).write_text(f"{pid} {process_start_time(pid)}\n")
    return root


def reap_stale_beds() -> list[Path]:
    """Stop the servers of beds whose test run died without tearing down (killed by a
    timeout, say), and remove their folders. Beds of live runs are left alone."""
    reaped = []
    for root in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            pid_text, started = (root / _OWNER).read_text().split()
        except (OSError, ValueError):
            continue
        if process_start_time(int(pid_text)) == started:
            continue  # its run is still going
        config = root / "dovecot" / "dovecot.conf"
        postfix_etc = root / "postfix" / "etc"
        if postfix_etc.is_dir():
            subprocess.run(
                [POSTFIX, "-c", str(postfix_etc), "stop"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=False,
            )
        for master in find_processes([DOVECOT, "-c", str(config)]):
            tree = descendants(master)
            os.kill(master, signal.SIGTERM)
            left = wait_gone(tree, 3.0)
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
        reaped.append(root)
    return reaped


def start_testbed(
    certificates: TestCertificates | None = None,
    faults: FaultListeners | None = None,
    *,
    with_postfix: bool | None = None,
) -> Testbed:
    """Start everything (Postfix only as root unless told otherwise) and wait until every
    listener accepts connections. On failure nothing is left running."""
    reap_stale_beds()
    reap_stale_dual_stack()
    root = make_root()
    own_faults = faults is None
    dovecot: Dovecot | None = None
    postfix: Postfix | None = None
    try:
        if certificates is None:
            certificates = make_certificates(root / "tls")
        if faults is None:
            faults = FaultListeners(certificates)
        dovecot = Dovecot(root, certificates.server, [ALICE, BOB, IMAPONLY, KEEPER])
        dovecot.start()
        if with_postfix is None:
            with_postfix = os.geteuid() == 0
        reason = None
        if with_postfix:
            postfix = Postfix(root, certificates.server, dovecot)
            postfix.start()
        else:
            reason = "Postfix must be started as root; these tests run as a normal user"
        return Testbed(
            root=root,
            certificates=certificates,
            faults=faults,
            dovecot=dovecot,
            postfix=postfix,
            postfix_missing_reason=reason,
            owns_faults=own_faults,
        )
    except BaseException:
        if postfix is not None:
            postfix.stop()
        if dovecot is not None:
            dovecot.stop()
        if own_faults and faults is not None:
            faults.close()
        shutil.rmtree(root, ignore_errors=True)
        raise
