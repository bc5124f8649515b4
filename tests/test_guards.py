"""The lines that keep a password safe and a check bounded, each exercised on its own.

- the login's deadline: a server that completes TLS and then never answers the login;
- ``require_tls``, the last guard before any login, with the STARTTLS step skipped;
- the TLS 1.2 floor, against a server that speaks TLS 1.1 at most, on a platform whose own
  defaults would accept it (so the test fails when the wizard's floor is removed).

Each test fails when the line it guards is broken (removed, loosened, or bypassed).
"""

from __future__ import annotations

import asyncio
import poplib
import socket
import ssl
import time
import warnings
from collections.abc import Callable
from typing import Any

import aiosmtplib
import pytest

from tests.testbed import FakeMailServer, FaultListeners
from wizard.core.check import run_check
from wizard.core.models import (
    Account,
    Attempt,
    CheckOptions,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Protocol,
    Security,
    Status,
)
from wizard.core.probes.base import ProbeFailure, require_tls
from wizard.core.probes.imap import ImapSession
from wizard.core.probes.smtp import SmtpSession
from wizard.core.provider import Provider
from wizard.core.tls import certificate_probe_context, make_tls_context

FAST = 2.0


async def check_one(
    faults: FaultListeners, endpoint: Endpoint, password: str = "Guard-Secret-1"
) -> tuple[CheckReport, Attempt, float]:
    """Check ``endpoint`` in its role; the other role points at a closed port (fast)."""
    closed = faults.closed_port
    imap: tuple[Endpoint, ...] = (closed.endpoint(Protocol.IMAP, Security.SSL),)
    pop3: tuple[Endpoint, ...] = ()
    smtp: tuple[Endpoint, ...] = (closed.endpoint(Protocol.SMTP, Security.SSL),)
    if endpoint.protocol is Protocol.IMAP:
        imap = (endpoint,)
    elif endpoint.protocol is Protocol.POP3:
        pop3 = (endpoint,)
    else:
        smtp = (endpoint,)
    provider = Provider("guard", "Guard Mail", ("mail.com",), imap, pop3, smtp)
    choice = IncomingChoice.POP if endpoint.protocol is Protocol.POP3 else IncomingChoice.IMAP
    account = Account("ann@mail.com", password, incoming=choice)
    options = CheckOptions(timeout=FAST, cafile=str(faults.certificates.cafile))
    started = time.monotonic()
    # A check without its login deadline would wait forever: fail here instead of hanging.
    async with asyncio.timeout(FAST + 5):
        report = await run_check(account, provider, options)
    elapsed = time.monotonic() - started
    (attempt,) = [a for a in report.attempts if a.endpoint == endpoint]
    return report, attempt, elapsed


# -- the login's deadline ------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
async def test_a_login_never_answered_times_out_within_timeout_plus_one_second(
    faults: FaultListeners, protocol: Protocol
) -> None:
    fake = faults.stall_login(protocol)
    report, attempt, elapsed = await check_one(faults, fake.endpoint(Security.SSL))
    # Connected and secured, then no answer: the server went quiet, not the network.
    assert attempt.status is Status.SERVER_SILENT, attempt.to_json()
    assert attempt.login_tested  # it got as far as the login...
    assert fake.saw_login  # ...the login command was sent, and never answered
    assert not report.verified
    assert elapsed <= FAST + 1, elapsed
    assert "login" in attempt.advice


# -- no password without TLS ---------------------------------------------------------------


def test_require_tls_refuses_a_connection_without_tls() -> None:
    endpoint = Endpoint(Protocol.IMAP, "localhost", 143, Security.STARTTLS)
    with pytest.raises(ProbeFailure) as caught:
        require_tls(None, endpoint)
    assert caught.value.status is Status.STARTTLS_UNAVAILABLE
    assert "no password was sent" in caught.value.detail
    require_tls(object(), endpoint)  # an SSL object: goes on


async def test_an_smtp_server_gone_before_the_tls_check_is_a_hang_up_not_clear_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that hangs up right after EHLO "closed the connection": the last TLS check
    must not call that connection unencrypted (STARTTLS advice for a server that left)."""

    async def answered(*args: Any, **kwargs: Any) -> None:
        return None

    monkeypatch.setattr(aiosmtplib.SMTP, "connect", answered)
    monkeypatch.setattr(aiosmtplib.SMTP, "ehlo", answered)
    ours, theirs = socket.socketpair()
    endpoint = Endpoint(Protocol.SMTP, "localhost", 465, Security.SSL)
    session = SmtpSession(endpoint, ours)
    try:
        with pytest.raises(ProbeFailure) as caught:
            await session.secure(make_tls_context(), lambda _phase: None)
    finally:
        session.abort()
        ours.close()
        theirs.close()
    assert caught.value.status is Status.PROTOCOL_ERROR
    assert caught.value.detail == "the server closed the connection"


def _skip_starttls(protocol: Protocol, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the STARTTLS step pretend it succeeded, leaving the connection in clear text."""

    async def no_upgrade(*args: Any, **kwargs: Any) -> None:
        return None

    if protocol is Protocol.IMAP:
        monkeypatch.setattr(ImapSession, "_starttls", no_upgrade)
    elif protocol is Protocol.POP3:
        monkeypatch.setattr(poplib.POP3, "capa", lambda self: {"STLS": []})
        monkeypatch.setattr(poplib.POP3, "stls", lambda self, context=None: b"+OK")
    else:
        monkeypatch.setattr(aiosmtplib.SMTP, "supports_extension", lambda self, name: True)
        monkeypatch.setattr(aiosmtplib.SMTP, "starttls", no_upgrade)


@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
async def test_the_last_guard_keeps_the_password_off_a_clear_text_connection(
    faults: FaultListeners, monkeypatch: pytest.MonkeyPatch, protocol: Protocol
) -> None:
    """Even when the STARTTLS step wrongly reports success, no login is sent in clear."""
    fake: FakeMailServer = faults.no_starttls(protocol)
    _skip_starttls(protocol, monkeypatch)
    _, attempt, _ = await check_one(faults, fake.endpoint(Security.STARTTLS), "Clear-Secret-7")
    assert attempt.status is Status.STARTTLS_UNAVAILABLE, attempt.to_json()
    assert fake.connections >= 1
    assert not fake.saw_login, fake.commands
    assert all("Clear-Secret-7" not in line for line in fake.commands)


# -- TLS 1.2 or newer ----------------------------------------------------------------------


@pytest.fixture
def permissive_platform(monkeypatch: pytest.MonkeyPatch) -> Callable[[], ssl.SSLContext]:
    """A platform whose TLS defaults still allow TLS 1.0 and 1.1 (an older OpenSSL, a
    LibreSSL build, a lowered system security level): only the wizard's own floor is left
    between it and a TLS 1.1 server. Returns the platform's bare client context."""
    original = ssl.create_default_context

    def permissive(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = original(*args, **kwargs)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        return context

    monkeypatch.setattr(ssl, "create_default_context", permissive)
    return permissive


def test_every_context_the_wizard_makes_has_a_tls_1_2_floor(
    permissive_platform: Callable[[], ssl.SSLContext],
) -> None:
    assert permissive_platform().minimum_version is ssl.TLSVersion.TLSv1  # the platform's
    for context in (make_tls_context(), certificate_probe_context()):
        assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    assert make_tls_context().verify_mode is ssl.CERT_REQUIRED
    assert make_tls_context().check_hostname


def _negotiated(context: ssl.SSLContext, fake: FakeMailServer) -> str | None:
    """The TLS version ``context`` agrees with ``fake`` (its greeting read), or None."""
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        raw = socket.create_connection(("127.0.0.1", fake.listener.port), timeout=5)
        with raw, context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.recv(64)
            return tls.version()
    except ssl.SSLError:
        return None


@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
async def test_a_server_that_offers_only_tls_1_1_is_refused(
    faults: FaultListeners,
    permissive_platform: Callable[[], ssl.SSLContext],
    protocol: Protocol,
) -> None:
    fake = faults.old_tls(protocol)
    # The platform alone would speak TLS 1.1 with this server...
    assert await asyncio.to_thread(_negotiated, permissive_platform(), fake) == "TLSv1.1"
    # ...the wizard's floor refuses it, for the check and for reading the certificate.
    assert await asyncio.to_thread(_negotiated, certificate_probe_context(), fake) is None
    _, attempt, _ = await check_one(faults, fake.endpoint(Security.SSL))
    assert attempt.status is Status.TLS_FAILED, attempt.to_json()
    assert not fake.saw_login
