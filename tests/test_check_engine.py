"""How the check spends the user's time: a verdict as soon as it is known, one login per
role, both roles at once, a bounded number of connections, and any provider file the parser
accepts. Against real Dovecot and Postfix on loopback, with blackholed ports and a delay
proxy in front of a real server."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests.testbed import DelayProxy, FaultListeners, Testbed
from wizard.core.check import Decided, Progress, run_check
from wizard.core.models import (
    Account,
    CheckOptions,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Phase,
    Protocol,
    Security,
    Status,
)
from wizard.core.provider import Provider
from wizard.core.reach import MAX_CONNECTIONS
from wizard.demo.blackhole import Blackhole

pytestmark = pytest.mark.servers


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    with Blackhole() as hole:
        yield hole


def _provider(
    imap: tuple[Endpoint, ...], smtp: tuple[Endpoint, ...], pop3: tuple[Endpoint, ...] = ()
) -> Provider:
    return Provider("bed", "Test bed", ("example.test",), imap, pop3, smtp, source="test")


def _blocked(hole: Blackhole, protocol: Protocol, security: Security) -> Endpoint:
    return Endpoint(protocol, hole.host, hole.port, security)


class Recorder:
    """The progress events of one check, each with the time it arrived."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.events: list[tuple[float, Progress | Decided]] = []

    def __call__(self, event: Progress | Decided) -> None:
        self.events.append((time.monotonic() - self.started, event))

    def decided(self) -> tuple[float, CheckReport]:
        (found,) = [(at, e.report) for at, e in self.events if isinstance(e, Decided)]
        return found

    def first(self, position: int, phase: Phase) -> float:
        return next(
            at
            for at, e in self.events
            if isinstance(e, Progress) and e.position == position and e.phase is phase
        )


def _mismatches(bed: Testbed, email: str) -> int:
    text = bed.dovecot.log.read_text(errors="replace")
    return len(re.findall(rf"\({re.escape(email)},[^)]*\): Password mismatch", text))


# -- a verdict as soon as it is known ------------------------------------------------------


async def test_a_blocked_465_does_not_hold_up_587(testbed: Testbed, blackhole: Blackhole) -> None:
    """With 465 dropped by a firewall, 587 logs in after a short grace and the check says
    so at once (``Decided``); the report still waits out 465's time for the details."""
    testbed.require_postfix()
    timeout = 5.0
    provider = _provider(
        (testbed.imap_ssl,),
        (_blocked(blackhole, Protocol.SMTP, Security.SSL), testbed.smtp_starttls),
    )
    heard = Recorder()
    report = await run_check(
        testbed.alice.account(), provider, CheckOptions(timeout, testbed.cafile), heard
    )
    at, early = heard.decided()
    assert at < 2.0, at  # not after 465's whole time limit (5 s)
    assert early.verified
    assert early.outgoing.endpoint == testbed.smtp_starttls
    assert [a.endpoint for a in early.attempts] == [testbed.imap_ssl, testbed.smtp_starttls]
    # The complete report: 465 timed out at the connection, 587 is what the phone uses.
    assert report.verified and report.outgoing.endpoint == testbed.smtp_starttls
    assert report.attempts[1].status is Status.TIMEOUT
    assert not report.attempts[1].login_tested and report.attempts[1].address is None
    # Each attempt's own time: 587's connect, STARTTLS and login, not the wait for 465.
    assert report.outgoing.elapsed_ms < 1500, report.outgoing.elapsed_ms
    assert report.attempts[1].elapsed_ms >= timeout * 1000 - 100
    assert heard.first(2, Phase.DONE) < 2.0  # 587's row had its result at once
    assert report.timeout == timeout


async def test_a_merely_slow_465_still_wins_over_587(testbed: Testbed) -> None:
    """Happy-Eyeballs style: a preferred port that is slower to secure than 587, but within
    the grace, is still the one logged in to (and the only one)."""
    testbed.require_postfix()
    smtp = testbed.smtp_ssl
    with DelayProxy(smtp.host, smtp.port, delay=0.04) as proxy:
        dial = {(smtp.host, smtp.port): (proxy.host, proxy.port)}
        provider = _provider((testbed.imap_ssl,), (smtp, testbed.smtp_starttls))
        heard = Recorder()
        report = await run_check(
            testbed.alice.account(), provider, CheckOptions(10, testbed.cafile, dial=dial), heard
        )
    assert report.verified
    assert report.outgoing.endpoint == smtp, [a.to_json() for a in report.attempts]
    assert [a.endpoint for a in report.attempts if a.login_tested] == [testbed.imap_ssl, smtp]
    # 587 was secured first, and waited for the slower 465 instead of logging in.
    assert heard.first(2, Phase.SECURED) < heard.first(1, Phase.SECURED)


async def test_a_refused_password_is_tried_once_whichever_port_is_quicker(
    testbed: Testbed, blackhole: Blackhole
) -> None:
    """The early login does not add logins: one refusal per role, never a second port."""
    testbed.require_postfix()
    user = testbed.bob
    account = Account(user.email, "not-bobs-password", incoming=IncomingChoice.IMAP)
    smtp = testbed.smtp_ssl
    with DelayProxy(smtp.host, smtp.port, delay=0.3) as proxy:
        dial = {(smtp.host, smtp.port): (proxy.host, proxy.port)}
        provider = _provider(
            (_blocked(blackhole, Protocol.IMAP, Security.SSL), testbed.imap_starttls),
            (smtp, testbed.smtp_starttls),
        )
        before = _mismatches(testbed, user.email)
        report = await run_check(account, provider, CheckOptions(3, testbed.cafile, dial=dial))
    assert report.incoming.status is Status.AUTH_FAILED
    assert report.outgoing.status is Status.AUTH_FAILED
    assert [a.endpoint.port for a in report.attempts if a.login_tested] == [
        testbed.imap_starttls.port,
        testbed.smtp_starttls.port,  # 465 was too slow for the grace; 587 went first
    ]
    await asyncio.sleep(0.3)  # Dovecot writes its log line after answering
    assert _mismatches(testbed, user.email) - before == 2  # IMAP once, SMTP (SASL) once


async def test_incoming_and_outgoing_are_checked_at_once(testbed: Testbed) -> None:
    """Sending starts before receiving has finished: the two roles never wait in turn."""
    testbed.require_postfix()
    with DelayProxy(testbed.host, testbed.imap_ssl.port, delay=0.2) as proxy:
        dial = {(testbed.host, testbed.imap_ssl.port): (proxy.host, proxy.port)}
        provider = _provider((testbed.imap_ssl,), (testbed.smtp_ssl,))
        heard = Recorder()
        report = await run_check(
            testbed.alice.account(), provider, CheckOptions(10, testbed.cafile, dial=dial), heard
        )
    assert report.verified
    assert heard.first(1, Phase.CONNECTING) < heard.first(0, Phase.DONE)
    assert heard.first(1, Phase.DONE) < heard.first(0, Phase.DONE)  # SMTP did not wait


# -- any provider file the parser accepts --------------------------------------------------


async def test_two_incoming_servers_on_the_same_port(testbed: Testbed) -> None:
    """``localhost:993`` and ``127.0.0.2:993``, and the same endpoint twice: one row each,
    told apart by position, one login per role."""
    testbed.require_postfix()
    imap = testbed.imap_ssl
    other_name = Endpoint(Protocol.IMAP, "localhost", imap.port, Security.SSL)
    dial = {("localhost", imap.port): (imap.host, imap.port)}
    provider = _provider((imap, other_name, imap), (testbed.smtp_ssl, testbed.smtp_ssl))
    positions: dict[int, list[Phase]] = {}

    def progress(event: Progress | Decided) -> None:
        if isinstance(event, Progress):
            positions.setdefault(event.position, []).append(event.phase)

    report = await run_check(
        testbed.alice.account(), provider, CheckOptions(10, testbed.cafile, dial=dial), progress
    )
    assert report.verified
    assert len(report.attempts) == 5
    assert sorted(positions) == [0, 1, 2, 3, 4]
    assert all(phases[-1] is Phase.DONE for phases in positions.values())
    assert [a.login_tested for a in report.attempts] == [True, False, False, True, False]
    assert all(a.status is Status.OK for a in report.attempts)


async def test_never_more_than_a_few_connections_at_once(faults: FaultListeners) -> None:
    """A provider file listing 30 servers is checked through at most MAX_CONNECTIONS open
    connections at a time, and within the usual time bound."""
    open_now = 0
    most = 0
    lock = threading.Lock()
    stop = threading.Event()
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(0.1)

    def hold(conn: socket.socket) -> None:
        nonlocal open_now
        with conn:
            conn.settimeout(0.1)
            while not stop.is_set():
                try:
                    if not conn.recv(4096):
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
        with lock:
            open_now -= 1

    def accept() -> None:
        nonlocal open_now, most
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with lock:
                open_now += 1
                most = max(most, open_now)
            threading.Thread(target=hold, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        many = tuple(
            Endpoint(Protocol.IMAP, f"imap{n}.example.test", 993, Security.SSL) for n in range(30)
        )
        dial = {(e.host, e.port): ("127.0.0.1", port) for e in many}
        smtp = (faults.closed_port.endpoint(Protocol.SMTP, Security.SSL),)
        started = time.monotonic()
        report = await run_check(
            Account("ann@example.test", "pw"),
            _provider(many, smtp),
            CheckOptions(timeout=1.5, dial=dial),
        )
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        acceptor.join()
        server.close()
    assert 0 < most <= MAX_CONNECTIONS, most
    assert elapsed <= 1.5 + 1
    assert len(report.attempts) == 31
    assert {a.status for a in report.attempts[:30]} == {Status.TLS_STALLED, Status.TIMEOUT}


# -- the stage that failed -----------------------------------------------------------------


async def test_a_stall_after_the_connection_is_never_no_answer_to_the_connection(
    faults: FaultListeners, blackhole: Blackhole
) -> None:
    """The JSON never contradicts itself: an attempt that has an address was answered."""
    stalled = faults.stall_login(Protocol.IMAP).endpoint(Security.SSL)
    silent = faults.silent.endpoint(Protocol.IMAP, Security.STARTTLS)
    hole = _blocked(blackhole, Protocol.IMAP, Security.SSL)
    smtp = (faults.closed_port.endpoint(Protocol.SMTP, Security.SSL),)
    for endpoint, status in (
        (stalled, Status.SERVER_SILENT),
        (silent, Status.SERVER_SILENT),
        (faults.stall_tls.endpoint(Protocol.IMAP, Security.SSL), Status.TLS_STALLED),
        (hole, Status.TIMEOUT),
    ):
        options = CheckOptions(timeout=1.0, cafile=str(faults.certificates.cafile))
        report = await run_check(
            Account("ann@mail.com", "pw"), _provider((endpoint,), smtp), options
        )
        attempt = report.attempts[0].to_json()
        assert attempt["status"] == status.value, attempt
        assert (attempt["address"] is None) == (status is Status.TIMEOUT), attempt
        assert attempt["login_tested"] == (endpoint == stalled), attempt


async def test_the_time_limit_is_evidence_in_the_report(blackhole: Blackhole) -> None:
    """A limit too short to connect shows in the report, so the words can name it."""
    report = await run_check(
        Account("ann@example.test", "pw"),
        _provider(
            (_blocked(blackhole, Protocol.IMAP, Security.SSL),),
            (_blocked(blackhole, Protocol.SMTP, Security.SSL),),
        ),
        CheckOptions(timeout=0.001),
    )
    assert report.timeout == 0.001
    assert {a.status for a in report.attempts} == {Status.TIMEOUT}
    assert all(a.elapsed_ms < 500 for a in report.attempts)


#: Run in a fresh interpreter: once the check has begun, every file descriptor this
#: process may still open is taken (as by a busy program), then the check goes on.
_OUT_OF_FILES = """
import asyncio, os, sys
from wizard.core.check import run_check
from wizard.core.errors import ResourceLimitError
from wizard.core.models import Account, CheckOptions, Endpoint, Protocol, Security
from wizard.core.provider import Provider

port = int(sys.argv[1])
imap = (Endpoint(Protocol.IMAP, "127.0.0.1", port, Security.SSL),)
smtp = (Endpoint(Protocol.SMTP, "127.0.0.1", port, Security.SSL),)
provider = Provider("x", "X", ("example.test",), imap, (), smtp)
held = []

def take_every_descriptor(event):
    while not held or held[-1] is not None:
        try:
            held.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            held.append(None)

check = run_check(Account("a@example.test", "pw"), provider, CheckOptions(timeout=2),
                  take_every_descriptor)
try:
    report = asyncio.run(check)
except ResourceLimitError as exc:
    print("stopped:", exc)
else:
    print("statuses:", sorted({a.status.value for a in report.attempts}))
"""


def test_too_many_open_files_is_this_computers_problem_not_the_servers(
    faults: FaultListeners,
) -> None:
    """EMFILE is never "closed or blocked": the check stops with one line saying why."""
    result = subprocess.run(
        [sys.executable, "-c", _OUT_OF_FILES, str(faults.silent.port)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.stdout.startswith("stopped: this computer cannot open another connection")
    assert "too many open files" in result.stdout
    assert "connection_refused" not in result.stdout, result.stdout + result.stderr
