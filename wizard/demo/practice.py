"""The practice mail server on this computer, with a provider record for it.

``start_demo()`` starts IMAP (pymap), POP3 (a small responder kept in this package) and SMTP
submission (aiosmtpd) on 127.0.0.1 with free ports, each with implicit TLS and STARTTLS, in
mail.com's preference order, behind a throwaway CA made at start and trusted only by this
run. Mail sent to the demo address arrives in its mailbox. ``fault`` rehearses one of the
failures real users meet, by making the servers misbehave the way real ones do.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wizard.core.models import Protocol
from wizard.core.provider import MAILCOM_ID, Provider
from wizard.demo.faults import DEMO_FAULTS
from wizard.demo.server import ENDPOINT_ORDER, PracticeServer, ServerPlan, endpoint_for

#: The address to type in the demo.
DEMO_EMAIL = "demo@mail.com"
#: The password to type in the demo. It is a practice password, shown on screen on purpose.
DEMO_PASSWORD = "practice-password"
#: The host name in the demo's provider record: an address, so no name lookup is needed and
#: nothing can resolve it anywhere but this computer. The certificate is made for it.
DEMO_HOST = "127.0.0.1"


def demo_banner(fault: str | None = None) -> str:
    """What the TUI's welcome screen says in demo mode, with the fault it rehearses."""
    from wizard.demo.faults import FAULT_DESCRIPTIONS

    rehearsing = f" Rehearsing: {FAULT_DESCRIPTIONS[fault]}" if fault else ""
    return (
        "Practice run: the mail servers are on this computer, so nothing you type leaves it, "
        "and a file is written only where you ask. "
        f"Address {DEMO_EMAIL} (filled in), password {DEMO_PASSWORD}.{rehearsing}"
    )


DEMO_BANNER = demo_banner()


# The password the server accepts in the wrong-password rehearsal: anything but the one the
# user is told to type. Random, so no one can "fix" the rehearsal by guessing it.
_OTHER_PASSWORD_BYTES = 18


@dataclass(frozen=True)
class RunningDemo:
    """A running practice server: its provider record, CA file and demo credentials."""

    provider: Provider
    cafile: str
    email: str
    password: str = field(repr=False)
    fault: str | None
    _server: PracticeServer = field(repr=False, compare=False)

    def stop(self) -> None:
        """Stop the practice server and remove its temporary folder. Safe to call twice."""
        try:
            self._server.stop()
        finally:
            shutil.rmtree(self._server.folder, ignore_errors=True)


def _launch(fault: str | None) -> RunningDemo:
    """Start the practice server; the caller must call ``stop()`` (``start_demo`` does)."""
    if fault is not None and fault not in DEMO_FAULTS:
        raise ValueError(f"unknown demo fault {fault!r}; choose one of {', '.join(DEMO_FAULTS)}")
    accepted = (
        secrets.token_urlsafe(_OTHER_PASSWORD_BYTES) if fault == "wrong-password" else DEMO_PASSWORD
    )
    folder = Path(tempfile.mkdtemp(prefix="mailcom-wizard-demo-"))
    server = PracticeServer(folder, DEMO_EMAIL, ServerPlan(fault=fault, accepted_password=accepted))
    try:
        server.start()
        endpoints = [
            endpoint_for(protocol, security, server.ports[(protocol, security)], DEMO_HOST)
            for protocol, security in ENDPOINT_ORDER
        ]
        provider = Provider(
            # mail.com's own id: the practice server stands in for mail.com, so its
            # advice names mail.com's settings, as a real run's would.
            id=MAILCOM_ID,
            display_name="mail.com (practice)",
            domains=(DEMO_EMAIL.partition("@")[2],),
            imap=tuple(e for e in endpoints if e.protocol is Protocol.IMAP),
            pop3=tuple(e for e in endpoints if e.protocol is Protocol.POP3),
            smtp=tuple(e for e in endpoints if e.protocol is Protocol.SMTP),
            source="demo",
        )
        assert server.cafile is not None
        return RunningDemo(
            provider=provider,
            cafile=str(server.cafile),
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            fault=fault,
            _server=server,
        )
    except BaseException:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise


@contextmanager
def start_demo(fault: str | None = None) -> Iterator[RunningDemo]:
    """Run the practice server for the ``with`` block; it stops on exit, error or Ctrl+C.

    ``fault`` is one of ``DEMO_FAULTS`` or None for a server that works.
    """
    demo = _launch(fault)
    try:
        yield demo
    finally:
        demo.stop()
