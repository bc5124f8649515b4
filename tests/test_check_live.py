"""The live check against real Dovecot and Postfix on loopback, and against fault listeners.

Every status code is produced by a real server or a real network failure mode, and every
fault case also asserts the time bound: the whole check ends within timeout + 1 s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.testbed import FaultListeners, Testbed
from wizard.cli import main
from wizard.core.check import Decided, Progress, run_check
from wizard.core.diagnosis import certificate_lines
from wizard.core.models import (
    Account,
    Attempt,
    CheckOptions,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Phase,
    Protocol,
    Security,
    Status,
)
from wizard.core.provider import MAILCOM_ID, Provider, load_provider
from wizard.demo.blackhole import Blackhole

pytestmark = pytest.mark.servers

FAST = 2.0  # seconds: the timeout for fault cases, so the suite stays quick


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    """A loopback port that never answers a connection attempt (a dropping firewall)."""
    with Blackhole() as hole:
        yield hole


def _provider(
    bed: Testbed,
    folder: Path,
    imap: list[Endpoint] | None = None,
    pop3: list[Endpoint] | None = None,
    smtp: list[Endpoint] | None = None,
) -> Provider:
    bed.require_postfix()
    return bed.provider(
        folder,
        imap=[bed.imap_ssl, bed.imap_starttls] if imap is None else imap,
        pop3=[bed.pop3_ssl, bed.pop3_starttls] if pop3 is None else pop3,
        smtp=[bed.smtp_ssl, bed.smtp_starttls] if smtp is None else smtp,
    )


def _account(bed: Testbed, choice: IncomingChoice = IncomingChoice.IMAP, **kw: str) -> Account:
    user = bed.alice
    return Account(
        email=kw.get("email", user.email),
        password=kw.get("password", user.password),
        incoming=choice,
    )


async def _check(
    account: Account, provider: Provider, bed: Testbed, timeout: float = 10.0, **kw: Any
) -> tuple[CheckReport, float]:
    started = time.monotonic()
    report = await run_check(
        account, provider, CheckOptions(timeout=timeout, cafile=bed.cafile, **kw)
    )
    return report, time.monotonic() - started


def _by_port(report: CheckReport) -> dict[int, Attempt]:
    return {attempt.endpoint.port: attempt for attempt in report.attempts}


def _mismatches(bed: Testbed, email: str) -> int:
    """Failed password checks Dovecot's auth logged for ``email`` (IMAP, POP3 and SASL)."""
    return bed.password_mismatches(email)


# ------------------------------------------------------------------------- success


@pytest.mark.parametrize("choice", [IncomingChoice.IMAP, IncomingChoice.POP])
async def test_verifies_with_a_non_ascii_password_with_spaces(
    testbed: Testbed, tmp_path: Path, choice: IncomingChoice
) -> None:
    provider = _provider(testbed, tmp_path)
    assert " " in testbed.alice.password and not testbed.alice.password.isascii()
    report, _ = await _check(_account(testbed, choice), provider, testbed)
    assert report.verified, [a.to_json() for a in report.attempts]
    incoming = provider.incoming(choice)
    assert report.incoming.endpoint == incoming[0]  # the most preferred one
    assert report.outgoing.endpoint == testbed.smtp_ssl
    # One login per role; the less preferred endpoints were reached securely only.
    tested = [a.endpoint for a in report.attempts if a.login_tested]
    assert tested == [incoming[0], testbed.smtp_ssl]
    for attempt in report.attempts:
        assert attempt.status is Status.OK
    assert report.to_json()["protocol"] == choice.value


async def test_starttls_only_endpoints_verify(testbed: Testbed, tmp_path: Path) -> None:
    provider = _provider(
        testbed,
        tmp_path,
        imap=[testbed.imap_starttls],
        pop3=[testbed.pop3_starttls],
        smtp=[testbed.smtp_starttls],
    )
    for choice in IncomingChoice:
        report, _ = await _check(_account(testbed, choice), provider, testbed)
        assert report.verified, [a.to_json() for a in report.attempts]
        assert report.outgoing.endpoint.security is Security.STARTTLS


async def test_progress_reports_every_phase(testbed: Testbed, tmp_path: Path) -> None:
    provider = _provider(testbed, tmp_path)
    seen: dict[str, list[Phase]] = {}

    def progress(event: Progress | Decided) -> None:
        assert isinstance(event, Progress)  # nothing waits once both roles are decided
        seen.setdefault(event.endpoint.key, []).append(event.phase)
        assert (event.attempt is not None) == (event.phase is Phase.DONE)

    await run_check(
        _account(testbed), provider, CheckOptions(timeout=10, cafile=testbed.cafile), progress
    )
    imap_key = testbed.imap_ssl.key
    assert seen[imap_key][:2] == [Phase.WAITING, Phase.CONNECTING]
    assert Phase.SECURING in seen[imap_key] and Phase.LOGGING_IN in seen[imap_key]
    assert Phase.LOGGING_IN not in seen[testbed.imap_starttls.key]
    assert all(phases[-1] is Phase.DONE for phases in seen.values())


# ------------------------------------------------------------------------- logins refused


async def test_wrong_password_costs_one_failed_login_per_server(
    testbed: Testbed, tmp_path: Path
) -> None:
    # The bed stands in for mail.com's own record, whose advice names mail.com's settings.
    provider = dataclasses.replace(_provider(testbed, tmp_path), id=MAILCOM_ID)
    before = _mismatches(testbed, testbed.alice.email)
    report, _ = await _check(_account(testbed, password="wrong password"), provider, testbed)
    assert not report.verified
    assert report.incoming.status is Status.AUTH_FAILED
    assert report.outgoing.status is Status.AUTH_FAILED
    assert [a.endpoint for a in report.attempts if a.login_tested] == [
        testbed.imap_ssl,
        testbed.smtp_ssl,
    ]
    # Dovecot checks the IMAP login and (through SASL) Postfix's: exactly two failures.
    deadline = time.monotonic() + 5
    while _mismatches(testbed, testbed.alice.email) < before + 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert _mismatches(testbed, testbed.alice.email) == before + 2
    advice = report.incoming.advice
    assert "POP3/IMAP access" in advice
    assert "application-specific password" in advice
    assert "Security Options" in advice
    assert "Caps Lock" in advice
    assert report.incoming.server_reply and "AUTHENTICATIONFAILED" in report.incoming.server_reply
    assert report.outgoing.server_reply and report.outgoing.server_reply.startswith("535")
    untried = _by_port(report)[testbed.imap_starttls.port]
    assert untried.status is Status.OK and not untried.login_tested
    assert "not tried again" in untried.advice


async def test_another_providers_refusal_names_nothing_of_mail_com(
    testbed: Testbed, tmp_path: Path
) -> None:
    """With --provider naming another provider, the advice is that provider's, not mail.com's."""
    provider = _provider(testbed, tmp_path)
    assert not provider.is_mailcom
    report, _ = await _check(_account(testbed, password="wrong password"), provider, testbed)
    for attempt in (report.incoming, report.outgoing):
        assert attempt.status is Status.AUTH_FAILED
        text = attempt.title + attempt.advice
        assert "Caps Lock" in text
        text = text.replace(testbed.alice.email, "")  # the address itself is at mail.com
        for word in ("mail.com", "POP3/IMAP", "Premium", "Security Options"):
            assert word not in text, (word, text)
        assert "Test bed" in text and "app-specific password" in text


async def test_user_allowed_on_imap_but_denied_on_pop3(testbed: Testbed, tmp_path: Path) -> None:
    provider = _provider(testbed, tmp_path)
    user = testbed.imaponly
    imap, _ = await _check(
        _account(testbed, IncomingChoice.IMAP, email=user.email, password=user.password),
        provider,
        testbed,
    )
    assert imap.verified
    pop, _ = await _check(
        _account(testbed, IncomingChoice.POP, email=user.email, password=user.password),
        provider,
        testbed,
    )
    assert pop.incoming.status is Status.AUTH_FAILED
    assert pop.outgoing.verified  # SMTP is not affected
    assert not pop.verified


# ------------------------------------------------------------------------- blocked ports


def _blocked(blackhole: Blackhole, protocol: Protocol, security: Security) -> Endpoint:
    """An endpoint on a port that never answers the connection (a firewall that drops)."""
    return Endpoint(protocol, blackhole.host, blackhole.port, security)


async def test_silent_465_falls_back_to_587_within_the_bound(
    testbed: Testbed, tmp_path: Path, blackhole: Blackhole
) -> None:
    silent = _blocked(blackhole, Protocol.SMTP, Security.SSL)
    provider = _provider(testbed, tmp_path, smtp=[silent, testbed.smtp_starttls])
    report, elapsed = await _check(_account(testbed), provider, testbed, timeout=FAST)
    assert report.verified
    assert report.outgoing.endpoint == testbed.smtp_starttls
    blocked = _by_port(report)[silent.port]
    assert blocked.status is Status.TIMEOUT
    assert "did not answer the connection" in blocked.advice  # nothing answered: blocked
    assert f"Port {testbed.smtp_starttls.port} works and will be used" in blocked.advice
    assert elapsed <= FAST + 1


async def test_silent_587_while_465_works(
    testbed: Testbed, tmp_path: Path, blackhole: Blackhole
) -> None:
    silent = _blocked(blackhole, Protocol.SMTP, Security.STARTTLS)
    provider = _provider(testbed, tmp_path, smtp=[testbed.smtp_ssl, silent])
    report, elapsed = await _check(_account(testbed), provider, testbed, timeout=FAST)
    assert report.verified
    assert report.outgoing.endpoint == testbed.smtp_ssl
    assert _by_port(report)[silent.port].status is Status.TIMEOUT
    assert f"Port {testbed.smtp_ssl.port} works" in _by_port(report)[silent.port].advice
    assert elapsed <= FAST + 1


async def test_closed_port_is_connection_refused(
    testbed: Testbed, tmp_path: Path, faults: FaultListeners
) -> None:
    closed = faults.closed_port.endpoint(Protocol.SMTP, Security.SSL)
    provider = _provider(testbed, tmp_path, smtp=[closed, testbed.smtp_starttls])
    report, _ = await _check(_account(testbed), provider, testbed, timeout=FAST)
    assert _by_port(report)[closed.port].status is Status.CONNECTION_REFUSED
    assert "blocked" in _by_port(report)[closed.port].title
    assert report.verified


# ------------------------------------------------------------------------- fault table


def _fault_cases(faults: FaultListeners) -> list[tuple[str, Endpoint, Status]]:
    cases: list[tuple[str, Endpoint, Status]] = [
        # Accepted, and then nothing: the TLS handshake (implicit TLS) or the greeting.
        ("silent", faults.silent.endpoint(Protocol.IMAP, Security.SSL), Status.TLS_STALLED),
        ("stall_tls", faults.stall_tls.endpoint(Protocol.IMAP, Security.SSL), Status.TLS_STALLED),
        (
            "silent-starttls",
            faults.silent.endpoint(Protocol.IMAP, Security.STARTTLS),
            Status.SERVER_SILENT,
        ),
        ("dns", Endpoint(Protocol.IMAP, faults.dns_host, 993, Security.SSL), Status.DNS_FAILED),
        (
            "closed",
            faults.closed_port.endpoint(Protocol.IMAP, Security.SSL),
            Status.CONNECTION_REFUSED,
        ),
    ]
    for protocol in (Protocol.IMAP, Protocol.POP3, Protocol.SMTP):
        fake = faults.close_after_greeting(protocol)
        cases.append(
            (f"greeting-{protocol.value}", fake.endpoint(Security.STARTTLS), Status.PROTOCOL_ERROR)
        )
        fake = faults.no_starttls(protocol)
        cases.append(
            (
                f"no-starttls-{protocol.value}",
                fake.endpoint(Security.STARTTLS),
                Status.STARTTLS_UNAVAILABLE,
            )
        )
        for kind, status in (
            ("untrusted", Status.CERTIFICATE_UNTRUSTED),
            ("expired", Status.CERTIFICATE_EXPIRED),
            ("wrong_host", Status.CERTIFICATE_HOSTNAME_MISMATCH),
        ):
            for security in (Security.SSL, Security.STARTTLS):
                fake = faults.bad_certificate(kind, protocol, security)  # type: ignore[arg-type]
                cases.append(
                    (f"{kind}-{protocol.value}-{security.value}", fake.endpoint(security), status)
                )
    return cases


async def test_every_fault_gives_its_code_within_the_bound(
    testbed: Testbed, tmp_path: Path, faults: FaultListeners
) -> None:
    """One check per fault, on the role the fault's protocol belongs to."""
    for name, endpoint, expected in _fault_cases(faults):
        if endpoint.protocol is Protocol.SMTP:
            provider = _provider(testbed, tmp_path, smtp=[endpoint])
            choice = IncomingChoice.IMAP
        elif endpoint.protocol is Protocol.POP3:
            provider = _provider(testbed, tmp_path, pop3=[endpoint])
            choice = IncomingChoice.POP
        else:
            provider = _provider(testbed, tmp_path, imap=[endpoint])
            choice = IncomingChoice.IMAP
        report, elapsed = await _check(_account(testbed, choice), provider, testbed, timeout=FAST)
        attempt = _by_port(report)[endpoint.port]
        assert attempt.status is expected, (name, attempt.to_json())
        assert not report.verified, name
        assert elapsed <= FAST + 1, (name, elapsed)
        assert attempt.title and attempt.advice, name
        if expected.is_certificate_problem:
            assert attempt.certificate is not None, name
            assert "Certificate presented" in certificate_lines(attempt.certificate), name
            assert "switch SSL off" in attempt.advice, name  # ...never to do it
        if expected is Status.CERTIFICATE_UNTRUSTED:
            assert attempt.certificate is not None and "Mail Shield" in attempt.certificate.issuer
            assert "intercepting" in attempt.advice


@pytest.mark.parametrize("protocol", [Protocol.SMTP, Protocol.IMAP, Protocol.POP3])
async def test_no_credentials_ever_reach_a_server_without_starttls(
    testbed: Testbed, tmp_path: Path, faults: FaultListeners, protocol: Protocol
) -> None:
    fake = faults.no_starttls(protocol)
    endpoint = fake.endpoint(Security.STARTTLS)
    lists = {"imap": None, "pop3": None, "smtp": None} | {protocol.value: [endpoint]}
    provider = _provider(
        testbed, tmp_path, imap=lists["imap"], pop3=lists["pop3"], smtp=lists["smtp"]
    )
    choice = IncomingChoice.POP if protocol is Protocol.POP3 else IncomingChoice.IMAP
    report, _ = await _check(_account(testbed, choice), provider, testbed, timeout=FAST)
    assert _by_port(report)[endpoint.port].status is Status.STARTTLS_UNAVAILABLE
    assert fake.connections >= 1  # it really was talked to...
    assert not fake.saw_login  # ...but never saw a login
    verbs = {verb.upper() for verb in fake.verbs}
    assert not verbs & {"AUTH", "LOGIN", "AUTHENTICATE", "USER", "PASS"}, fake.commands
    assert all(testbed.alice.password not in line for line in fake.commands)


async def test_everything_silent_ends_within_timeout_plus_one_second(
    testbed: Testbed, tmp_path: Path, blackhole: Blackhole
) -> None:
    provider = _provider(
        testbed,
        tmp_path,
        imap=[
            _blocked(blackhole, Protocol.IMAP, Security.SSL),
            _blocked(blackhole, Protocol.IMAP, Security.STARTTLS),
        ],
        smtp=[
            _blocked(blackhole, Protocol.SMTP, Security.SSL),
            _blocked(blackhole, Protocol.SMTP, Security.STARTTLS),
        ],
    )
    report, elapsed = await _check(_account(testbed), provider, testbed, timeout=FAST)
    assert {a.status for a in report.attempts} == {Status.TIMEOUT}
    assert elapsed <= FAST + 1
    # Nothing answered any connection: the one case where "cannot be reached" is true.
    assert report.incoming.title == "Test bed cannot be reached"


async def test_servers_that_accept_and_go_quiet_are_silent_not_offline(
    testbed: Testbed, tmp_path: Path, faults: FaultListeners
) -> None:
    # Every server accepts the connection and then never says a word: the words say the
    # servers stopped answering, never that this computer is offline.
    provider = _provider(
        testbed,
        tmp_path,
        imap=[faults.silent.endpoint(Protocol.IMAP, Security.STARTTLS)],
        smtp=[faults.silent.endpoint(Protocol.SMTP, Security.STARTTLS)],
    )
    report, elapsed = await _check(_account(testbed), provider, testbed, timeout=FAST)
    assert {a.status for a in report.attempts} == {Status.SERVER_SILENT}
    assert all(a.address is not None for a in report.attempts)
    assert elapsed <= FAST + 1
    assert report.incoming.title == "Test bed's server stopped answering"
    assert "internet connection" not in report.incoming.action


# ------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("choice", [IncomingChoice.IMAP, IncomingChoice.POP])
async def test_round_trip_sends_receives_and_removes(
    testbed: Testbed, tmp_path: Path, choice: IncomingChoice
) -> None:
    provider = _provider(testbed, tmp_path)
    report, _ = await _check(_account(testbed, choice), provider, testbed, round_trip=True)
    assert report.round_trip is not None
    assert report.round_trip.status is Status.OK, report.round_trip
    assert report.verified
    assert not [s for s in testbed.inbox_subjects(testbed.alice) if "mailcom-wizard" in s]


# ------------------------------------------------------------------------- the command


def _check_argv(testbed: Testbed, provider_file: Path, *extra: str) -> list[str]:
    """``mailcom-wizard check`` for alice against the bed, password on stdin."""
    return [
        "check",
        "--email",
        testbed.alice.email,
        "--provider",
        str(provider_file),
        "--cafile",
        testbed.cafile,
        "--password-stdin",
        *extra,
    ]


def test_check_command_json_against_the_real_servers(
    testbed: Testbed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    testbed.require_postfix()
    provider_file = testbed.default_provider_file(tmp_path)
    password = testbed.alice.password
    for stdin, expected_code in ((password + "\n", 0), ("not it\n", 1)):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(_check_argv(testbed, provider_file, "--json"))
        out, err = capsys.readouterr()
        assert code == expected_code, err
        data = json.loads(out)
        assert set(data) == {
            "email",
            "protocol",
            "verified",
            "incoming",
            "outgoing",
            "attempts",
            "round_trip",
        }
        assert data["verified"] is (expected_code == 0)
        for attempt in [data["incoming"], data["outgoing"], *data["attempts"]]:
            assert {
                "role",
                "protocol",
                "host",
                "port",
                "security",
                "status",
                "title",
                "advice",
                "server_reply",
                "elapsed_ms",
            } <= set(attempt)
            assert isinstance(attempt["elapsed_ms"], int)
        assert password not in out + err


def test_check_command_human_output_and_provider_loading(
    testbed: Testbed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    testbed.require_postfix()
    provider_file = testbed.default_provider_file(tmp_path)
    assert load_provider(provider_file).display_name == "Test bed"
    monkeypatch.setattr("sys.stdin", io.StringIO(testbed.alice.password + "\n"))
    code = main(_check_argv(testbed, provider_file, "--protocol", "pop"))
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "Verified: these settings work" in out
    assert f"port {testbed.pop3_ssl.port}" in out
    assert testbed.alice.password not in out + err


@pytest.mark.parametrize("user_name", ["alice", "bob"])
async def test_the_password_never_reaches_the_logs(
    testbed: Testbed, tmp_path: Path, caplog: pytest.LogCaptureFixture, user_name: str
) -> None:
    """Even at DEBUG level, where aioimaplib logs every line it sends."""
    import base64
    import logging

    user = getattr(testbed, user_name)
    provider = _provider(testbed, tmp_path)
    caplog.set_level(logging.DEBUG)
    account = Account(email=user.email, password=user.password)
    report, _ = await _check(account, provider, testbed, round_trip=True)
    assert report.verified
    token = base64.b64encode(f"\0{user.email}\0{user.password}".encode()).decode()
    assert "Sending" in caplog.text  # the library's wire log was on
    assert user.password not in caplog.text
    assert token not in caplog.text
