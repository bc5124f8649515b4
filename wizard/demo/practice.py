"""The practice mail server on loopback (IMAP, POP3, SMTP; a throwaway CA issuing mail.com's
real names): ``dial`` sends each of mail.com's (host, port) to the listener standing in for
it. Faults about the network are dial entries; those about the server are its behaviour."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wizard.core.caveat import Caveat
from wizard.core.models import CheckOptions
from wizard.core.provider import Provider, builtin_provider
from wizard.core.target import Target
from wizard.demo.blackhole import Blackhole
from wizard.demo.faults import DEMO_FAULTS, FAULT_DESCRIPTIONS
from wizard.demo.mailbox import DemoAccount
from wizard.demo.server import BIND_HOST, PracticeServer, make_certificates

DEMO_EMAIL = "demo@mail.com"
#: A practice password, shown on screen on purpose.
DEMO_PASSWORD = "practice-password"
#: The faults that block one port: it is dialled to a port that never answers.
BLOCKED_PORTS = {"blocked-465": 465, "blocked-587": 587}


def demo_banner(fault: str | None = None) -> str:
    """What the TUI's welcome screen says in demo mode, with the fault it practises."""
    practising = f" Practising: {FAULT_DESCRIPTIONS[fault]}" if fault else ""
    return (
        "Practice run: the mail servers are on this computer, so nothing you type leaves it, "
        "and a file is written only where you ask. "
        f"Address {DEMO_EMAIL} (filled in), password {DEMO_PASSWORD}.{practising}"
    )


DEMO_BANNER = demo_banner()

#: What a practice run's settings say wherever they are shown.
PRACTICE = Caveat(
    label="Practice",
    steps="This is a practice run. The values are the ones a real {provider} account uses, "
    "but {email} is the demo's address: do not set it up on a real iPhone.",
    servers="These are the values a real {provider} account uses; the demo checked its "
    "practice servers on this computer, not {provider}.",
    repair="This is a practice run: the check ran against the practice server on this "
    "computer, standing in for {provider}'s servers. The steps show the values a real "
    "{provider} account uses. Do not change a real iPhone for it.",
    profile_name="PRACTICE, do not install: ",
    profile="PRACTICE PROFILE from the mailcom-wizard demo: do not install it. It shows the "
    "values a real {provider} account uses ({servers}) for the demo's address {email} "
    "({choice}); only a practice server on the computer that made it was checked.",
    export="Practice profile: it holds the values a real {provider} account uses, for the "
    "demo's address {email}. Do not install it on an iPhone.",
    then="With a real profile, next",
    export_screen="[b]Practice:[/b] the profile holds the values a real mail.com account "
    "uses, for the demo's address. [b]Send to iPhone[/b] practises the hand-off without "
    "offering it to a phone.",
    proven="[b]✓ Practice:[/b] the practice servers accepted your login.",
    unproven="[b]! Unverified practice settings.[/b] The login was not proven, even on the "
    "practice servers.",
    values="Below are the values a real mail.com account uses; the steps and the profile "
    "show them, marked as practice.",
)


@dataclass(frozen=True)
class RunningDemo:
    """A running practice server: mail.com's record, where to dial, its CA, the credentials."""

    provider: Provider
    dial: Mapping[tuple[str, int], tuple[str, int]]
    cafile: str
    email: str
    password: str = field(repr=False)
    fault: str | None
    #: The private temporary folder (the CA file, the server's key); removed on stop.
    folder: Path
    _running: contextlib.ExitStack = field(repr=False, compare=False)

    def options(self, timeout: float = 10.0) -> CheckOptions:
        """Check options that reach the practice server (and trust only its CA)."""
        return CheckOptions(timeout=timeout, cafile=self.cafile, dial=self.dial)

    def target(self, timeout: float = 10.0) -> Target:
        """The wizard's whole run against the practice server: no keyring, the practice caveat."""
        return Target(
            provider=self.provider,
            options=self.options(timeout),
            email=self.email,
            password=self.password,
            banner=demo_banner(self.fault),
            notice=f"Demo: using the practice mail server on this computer ({self.email}).",
            keyring=False,
            caveat=PRACTICE,
            flags=" --demo",
        )

    def stop(self) -> None:
        """Stop the server and remove its folder. Safe to call twice."""
        self._running.close()


@contextlib.contextmanager
def start_demo(fault: str | None = None) -> Iterator[RunningDemo]:
    """Run the practice server (with ``fault``, one of ``DEMO_FAULTS``) for the
    ``with`` block; it stops on exit, error or Ctrl+C."""
    if fault is not None and fault not in DEMO_FAULTS:
        raise ValueError(f"unknown demo fault {fault!r}; choose one of {', '.join(DEMO_FAULTS)}")
    # wrong-password: a random accepted password, so no one can "fix" it by guessing.
    accepted = secrets.token_urlsafe(18) if fault == "wrong-password" else DEMO_PASSWORD
    provider = builtin_provider()
    endpoints = provider.imap + provider.pop3 + provider.smtp
    with contextlib.ExitStack() as running:
        folder = Path(tempfile.mkdtemp(prefix="mailcom-wizard-demo-"))
        running.callback(shutil.rmtree, folder, ignore_errors=True)
        hosts = tuple(dict.fromkeys(endpoint.host for endpoint in endpoints))
        cafile, context = make_certificates(folder, fault, hosts)
        server = PracticeServer(DemoAccount(DEMO_EMAIL, accepted), fault)
        running.callback(server.stop)
        server.start(context)
        hole = running.enter_context(Blackhole(BIND_HOST)) if fault in BLOCKED_PORTS else None
        dial = {}
        for endpoint in endpoints:
            address = (BIND_HOST, server.ports[(endpoint.protocol, endpoint.security)])
            if hole is not None and endpoint.port == BLOCKED_PORTS[fault or ""]:
                address = hole.address
            elif fault == "silent":
                address = (BIND_HOST, server.silent_ports[endpoint.security])
            dial[(endpoint.host, endpoint.port)] = address
        yield RunningDemo(
            provider, dial, str(cafile), DEMO_EMAIL, DEMO_PASSWORD, fault, folder, running
        )
