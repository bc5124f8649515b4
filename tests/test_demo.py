"""The offline demo: a practice mail server on loopback, its faults, and the check against it.

The protocol-level tests talk to the demo with the standard library's own clients (imaplib,
poplib, smtplib), trusting only the demo's throwaway CA, so they show what any mail client
would see: they name mail.com's real servers, and ``dialled`` sends their connections where
the demo's dial map says, as the wizard's own check does. The last tests run the real
command line against the demo.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import json
import os
import poplib
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from tests.serving import listens_here, own_listeners
from wizard import cli
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import builtin_provider
from wizard.demo.faults import DEMO_FAULTS, FAULT_DESCRIPTIONS
from wizard.demo.practice import (
    DEMO_BANNER,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    RunningDemo,
    start_demo,
)

#: Client timeout: generous for a working loopback server, short enough for silent ones.
TIMEOUT = 5.0
#: How long a client waits to conclude that a silent endpoint says nothing.
SILENCE = 0.3

# OpenSSL verification error codes (X509_V_ERR_*), as real servers' problems produce them.
UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
CERT_HAS_EXPIRED = 10
HOSTNAME_MISMATCH = 62


@contextlib.contextmanager
def dialled(fault: str | None = None) -> Iterator[RunningDemo]:
    """The demo, with the standard library's connections dialled through its map."""
    real_create_connection = socket.create_connection
    with start_demo(fault) as session:

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
            return real_create_connection(session.dial.get(address, address), *args, **kwargs)

        with mock.patch("socket.create_connection", create_connection):
            yield session


@pytest.fixture
def demo() -> Iterator[RunningDemo]:
    with dialled() as session:
        yield session


def port_of(demo: RunningDemo, ep: Endpoint) -> int:
    """The loopback port the demo dials for ``ep``."""
    return demo.dial[(ep.host, ep.port)][1]


def all_endpoints(demo: RunningDemo) -> tuple[Endpoint, ...]:
    """All six endpoints in preference order: IMAP, POP3, then SMTP."""
    return demo.provider.imap + demo.provider.pop3 + demo.provider.smtp


def trusting(demo: RunningDemo) -> ssl.SSLContext:
    """A client context that trusts the demo CA, and only it."""
    return ssl.create_default_context(cafile=demo.cafile)


def endpoint(demo: RunningDemo, protocol: Protocol, security: Security) -> Endpoint:
    (found,) = [e for e in all_endpoints(demo) if e.protocol is protocol and e.security is security]
    return found


def connect(ep: Endpoint, context: ssl.SSLContext, timeout: float = TIMEOUT) -> Any:
    """A stdlib client for ``ep``, TLS done (implicit or STARTTLS), not yet logged in."""
    if ep.protocol is Protocol.IMAP:
        if ep.security is Security.SSL:
            return imaplib.IMAP4_SSL(ep.host, ep.port, ssl_context=context, timeout=timeout)
        imap = imaplib.IMAP4(ep.host, ep.port, timeout=timeout)
        imap.starttls(context)
        return imap
    if ep.protocol is Protocol.POP3:
        if ep.security is Security.SSL:
            return poplib.POP3_SSL(ep.host, ep.port, context=context, timeout=timeout)
        pop = poplib.POP3(ep.host, ep.port, timeout=timeout)
        pop.stls(context)
        return pop
    if ep.security is Security.SSL:
        return smtplib.SMTP_SSL(ep.host, ep.port, context=context, timeout=timeout)
    smtp = smtplib.SMTP(ep.host, ep.port, timeout=timeout)
    smtp.starttls(context=context)
    return smtp


def login(client: object, email: str, password: str) -> None:
    """Log in with whichever protocol ``client`` speaks; raises the client's own error."""
    if isinstance(client, imaplib.IMAP4):
        client.login(email, password)
    elif isinstance(client, poplib.POP3):
        client.user(email)
        client.pass_(password)
    else:
        assert isinstance(client, smtplib.SMTP)
        client.login(email, password)


def close(client: object) -> None:
    if isinstance(client, imaplib.IMAP4):
        client.logout()
    elif isinstance(client, poplib.POP3):
        client.quit()
    else:
        assert isinstance(client, smtplib.SMTP)
        client.quit()


def refused(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port any more."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT):
            return False
    except ConnectionRefusedError:
        return True


def says_nothing(demo: RunningDemo, ep: Endpoint) -> bool:
    """True when ``ep`` answers nothing within SILENCE: not even the connection (a blocked
    port), or no greeting once connected (and, for implicit TLS, secured: a mail server
    speaks first, right after the handshake)."""
    try:
        sock = socket.create_connection((ep.host, ep.port), timeout=SILENCE)
    except TimeoutError:
        return True
    with contextlib.ExitStack() as stack:
        stack.enter_context(sock)
        if ep.security is Security.SSL:
            sock.settimeout(TIMEOUT)
            sock = stack.enter_context(trusting(demo).wrap_socket(sock, server_hostname=ep.host))
        sock.settimeout(SILENCE)
        try:
            sock.recv(100)
        except TimeoutError:
            return True
        return False  # a greeting (or a hang-up): not silent


def tls_failure(ep: Endpoint, context: ssl.SSLContext) -> ssl.SSLCertVerificationError:
    """The certificate verification error a client gets from ``ep`` (implicit or STARTTLS)."""
    with pytest.raises(ssl.SSLCertVerificationError) as caught:
        connect_only(ep, context)
    return caught.value


def connect_only(ep: Endpoint, context: ssl.SSLContext) -> None:
    close(connect(ep, context))


def peer_certificate(ep: Endpoint) -> x509.Certificate:
    """The certificate ``ep`` presents, fetched without verifying it (implicit TLS only)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((ep.host, ep.port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=ep.host) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


# -- what the demo is ------------------------------------------------------------------------


def test_constants_match_the_command_line() -> None:
    assert DEMO_FAULTS is cli.DEMO_FAULTS
    assert set(FAULT_DESCRIPTIONS) == set(DEMO_FAULTS)
    assert "demo" in DEMO_BANNER.lower()
    assert DEMO_EMAIL in DEMO_BANNER
    assert DEMO_PASSWORD in DEMO_BANNER


def test_mailcoms_six_endpoints_are_dialled_to_six_loopback_listeners(demo: RunningDemo) -> None:
    """The provider is mail.com's own record; only where its servers are dialled differs."""
    assert demo.provider == builtin_provider()
    order = [(e.protocol, e.security) for e in all_endpoints(demo)]
    assert order == [
        (Protocol.IMAP, Security.SSL),
        (Protocol.IMAP, Security.STARTTLS),
        (Protocol.POP3, Security.SSL),
        (Protocol.POP3, Security.STARTTLS),
        (Protocol.SMTP, Security.SSL),
        (Protocol.SMTP, Security.STARTTLS),
    ]
    assert set(demo.dial) == {(e.host, e.port) for e in all_endpoints(demo)}
    assert {host for host, _ in demo.dial.values()} == {"127.0.0.1"}
    assert len({port_of(demo, e) for e in all_endpoints(demo)}) == 6
    assert not list(demo.folder.glob("*.xml"))  # no provider file is written
    assert demo.provider.knows_domain(DEMO_EMAIL.partition("@")[2])
    assert demo.email == DEMO_EMAIL
    assert demo.password == DEMO_PASSWORD
    assert DEMO_PASSWORD not in repr(demo)
    assert Path(demo.cafile).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_demo_ca_is_trusted_only_when_given(demo: RunningDemo) -> None:
    # Without --cafile the practice certificate is untrusted: the CA was installed nowhere.
    ep = demo.provider.imap[0]
    error = tls_failure(ep, ssl.create_default_context())
    assert error.verify_code == UNABLE_TO_GET_ISSUER_CERT_LOCALLY


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo fault"), start_demo("meteor-strike"):
        pass


# -- starting and stopping -------------------------------------------------------------------


def test_starts_and_stops_cleanly() -> None:
    threads_before = set(threading.enumerate())
    with dialled() as demo:
        ports = [port_of(demo, e) for e in all_endpoints(demo)]
        folder = demo.folder
        assert not any(refused(port) for port in ports)
        # A client still connected when the demo stops must not keep it alive.
        lingering = connect(demo.provider.imap[0], trusting(demo))
    assert set(threading.enumerate()) == threads_before
    assert not any(listens_here(port) for port in ports)
    assert not folder.exists()
    try:
        with pytest.raises((imaplib.IMAP4.abort, OSError)):
            lingering.noop()
    finally:
        lingering.shutdown()
    demo.stop()  # a second stop is harmless


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_stops_on_ctrl_c_and_errors(interruption: type[BaseException]) -> None:
    threads_before = set(threading.enumerate())
    with pytest.raises(interruption), start_demo() as demo:
        ports = [port_of(demo, e) for e in all_endpoints(demo)]
        raise interruption()
    assert set(threading.enumerate()) == threads_before
    assert not any(listens_here(port) for port in ports)


async def test_works_from_inside_a_running_event_loop() -> None:
    # The TUI starts the demo from its own running loop; the servers must not need it.
    with start_demo() as demo:
        ep = demo.provider.imap[0]
        reader, writer = await asyncio.open_connection(
            *demo.dial[(ep.host, ep.port)], ssl=trusting(demo), server_hostname=ep.host
        )
        greeting = await asyncio.wait_for(reader.readline(), TIMEOUT)
        writer.close()
        await writer.wait_closed()
    assert greeting.startswith(b"* OK")


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp6"), reason="needs Linux /proc/net")
def test_listens_on_ipv4_loopback_only(demo: RunningDemo) -> None:
    for ep in all_endpoints(demo):
        assert own_listeners(port_of(demo, ep)) == ["127.0.0.1"], ep.label


# -- each endpoint with a standard client ----------------------------------------------------


@pytest.mark.parametrize(
    "index",
    range(6),
    ids=lambda i: [
        "imap-ssl",
        "imap-starttls",
        "pop3-ssl",
        "pop3-starttls",
        "smtp-ssl",
        "smtp-starttls",
    ][i],
)
def test_each_endpoint_logs_in_with_a_standard_client(demo: RunningDemo, index: int) -> None:
    ep = all_endpoints(demo)[index]
    client = connect(ep, trusting(demo))
    login(client, ep.username(demo.email), demo.password)
    close(client)


@pytest.mark.parametrize(
    "index",
    range(6),
    ids=lambda i: [
        "imap-ssl",
        "imap-starttls",
        "pop3-ssl",
        "pop3-starttls",
        "smtp-ssl",
        "smtp-starttls",
    ][i],
)
def test_each_endpoint_refuses_a_wrong_password(demo: RunningDemo, index: int) -> None:
    ep = all_endpoints(demo)[index]
    client = connect(ep, trusting(demo))
    with pytest.raises((imaplib.IMAP4.error, poplib.error_proto, smtplib.SMTPAuthenticationError)):
        login(client, demo.email, "not-the-password")
    close(client)


def test_no_password_before_starttls(demo: RunningDemo) -> None:
    imap_ep = endpoint(demo, Protocol.IMAP, Security.STARTTLS)
    imap = imaplib.IMAP4(imap_ep.host, imap_ep.port, timeout=TIMEOUT)
    assert "STARTTLS" in imap.capabilities
    assert "LOGINDISABLED" in imap.capabilities
    with pytest.raises(imaplib.IMAP4.error):
        imap.login(demo.email, demo.password)
    imap.shutdown()

    pop_ep = endpoint(demo, Protocol.POP3, Security.STARTTLS)
    pop = poplib.POP3(pop_ep.host, pop_ep.port, timeout=TIMEOUT)
    assert "STLS" in pop.capa()
    assert "USER" not in pop.capa()
    with pytest.raises(poplib.error_proto):
        pop.user(demo.email)
    pop.quit()

    smtp_ep = endpoint(demo, Protocol.SMTP, Security.STARTTLS)
    smtp = smtplib.SMTP(smtp_ep.host, smtp_ep.port, timeout=TIMEOUT)
    smtp.ehlo()
    assert smtp.has_extn("starttls")
    assert not smtp.has_extn("auth")
    with pytest.raises(smtplib.SMTPNotSupportedError):
        smtp.login(demo.email, demo.password)
    smtp.quit()


def test_smtp_needs_login_and_only_delivers_to_the_demo_address(demo: RunningDemo) -> None:
    ep = endpoint(demo, Protocol.SMTP, Security.SSL)
    smtp = connect(ep, trusting(demo))
    assert isinstance(smtp, smtplib.SMTP)
    with pytest.raises(smtplib.SMTPSenderRefused) as not_logged_in:
        smtp.sendmail(demo.email, [demo.email], b"Subject: x\r\n\r\nx\r\n")
    assert not_logged_in.value.smtp_code == 530
    smtp.login(demo.email, demo.password)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.sendmail(demo.email, ["someone@example.com"], b"Subject: x\r\n\r\nx\r\n")
    smtp.quit()


# -- the round trip --------------------------------------------------------------------------


def _imap_subjects(demo: RunningDemo) -> list[bytes]:
    imap = connect(demo.provider.imap[0], trusting(demo))
    assert isinstance(imap, imaplib.IMAP4)
    imap.login(demo.email, demo.password)
    imap.select("INBOX")
    _, data = imap.search(None, "ALL")
    subjects = []
    for number in data[0].split():
        _, parts = imap.fetch(number, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        first = parts[0]
        assert isinstance(first, tuple)
        subjects.append(first[1].strip())
    imap.logout()
    return subjects


def test_mail_to_self_arrives_over_imap_and_pop3_and_can_be_deleted(demo: RunningDemo) -> None:
    smtp = connect(endpoint(demo, Protocol.SMTP, Security.STARTTLS), trusting(demo))
    assert isinstance(smtp, smtplib.SMTP)
    smtp.login(demo.email, demo.password)
    body = b"Subject: round trip 1\r\n\r\nHello.\r\n.A line that starts with a dot.\r\n"
    smtp.sendmail(demo.email, [demo.email], body)
    smtp.quit()

    assert _imap_subjects(demo) == [b"Subject: round trip 1"]

    pop = connect(endpoint(demo, Protocol.POP3, Security.STARTTLS), trusting(demo))
    assert isinstance(pop, poplib.POP3)
    login(pop, demo.email, demo.password)
    count, size = pop.stat()
    assert count == 1
    _, lines, octets = pop.retr(1)
    assert b"Subject: round trip 1" in lines
    assert b".A line that starts with a dot." in lines  # dot-stuffing undone by the client
    assert octets >= size
    _, top, _ = pop.top(1, 0)
    assert b"Hello." not in top and b"Subject: round trip 1" in top
    assert pop.uidl()[1][0].startswith(b"1 ")
    pop.dele(1)
    assert pop.stat()[0] == 0
    pop.rset()  # RSET undoes the deletion...
    assert pop.stat()[0] == 1
    pop.dele(1)
    pop.quit()  # ...and QUIT makes it final

    assert _imap_subjects(demo) == []


# -- demo faults, at the protocol level -------------------------------------------------


def test_fault_blocked_465_silences_only_smtp_implicit_tls() -> None:
    with dialled("blocked-465") as demo:
        assert says_nothing(demo, endpoint(demo, Protocol.SMTP, Security.SSL))
        with pytest.raises(TimeoutError):
            connect(endpoint(demo, Protocol.SMTP, Security.SSL), trusting(demo), SILENCE)
        client = connect(endpoint(demo, Protocol.SMTP, Security.STARTTLS), trusting(demo))
        login(client, demo.email, demo.password)
        close(client)


def test_fault_blocked_587_silences_only_smtp_starttls() -> None:
    with dialled("blocked-587") as demo:
        assert says_nothing(demo, endpoint(demo, Protocol.SMTP, Security.STARTTLS))
        client = connect(endpoint(demo, Protocol.SMTP, Security.SSL), trusting(demo))
        login(client, demo.email, demo.password)
        close(client)


def test_says_nothing_is_false_for_every_healthy_endpoint(demo: RunningDemo) -> None:
    """The silence checks prove something: a working server is never taken for a silent one
    (it greets first, in clear text or right after the TLS handshake)."""
    for ep in all_endpoints(demo):
        assert not says_nothing(demo, ep), ep.label


def test_fault_silent_silences_every_endpoint() -> None:
    """Every server accepts the connection (and the TLS handshake), then says nothing."""
    with dialled("silent") as demo:
        for ep in all_endpoints(demo):
            assert says_nothing(demo, ep), ep.label
            if ep.security is Security.SSL:
                # The handshake works (trusted, for the real name); the greeting never comes.
                with pytest.raises(OSError, match="timed out"):
                    connect(ep, trusting(demo), SILENCE)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("intercepted", UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
        ("expired", CERT_HAS_EXPIRED),
        ("wrong-host", HOSTNAME_MISMATCH),
    ],
)
def test_certificate_faults_fail_verification_everywhere(fault: str, code: int) -> None:
    with dialled(fault) as demo:
        for ep in all_endpoints(demo):
            error = tls_failure(ep, trusting(demo))
            assert error.verify_code == code, ep.label


def test_intercepted_certificate_comes_from_a_mail_shield() -> None:
    with dialled("intercepted") as demo:
        certificate = peer_certificate(demo.provider.imap[0])
        trusted = x509.load_pem_x509_certificate(Path(demo.cafile).read_bytes())
    issuer = certificate.issuer.rfc4514_string()
    assert "Mail Shield" in issuer
    assert certificate.issuer != trusted.subject


def test_wrong_host_certificate_names_another_host() -> None:
    with dialled("wrong-host") as demo:
        certificate = peer_certificate(demo.provider.smtp[0])
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert names.value.get_values_for_type(x509.DNSName) == ["mail.shared-hosting.example"]
    assert not names.value.get_values_for_type(x509.IPAddress)


def test_expired_certificate_is_from_the_trusted_ca() -> None:
    with dialled("expired") as demo:
        certificate = peer_certificate(demo.provider.pop3[0])
        trusted = x509.load_pem_x509_certificate(Path(demo.cafile).read_bytes())
    assert certificate.issuer == trusted.subject
    cn = trusted.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert cn and "demo" in str(cn[0].value)


def test_fault_wrong_password_refuses_the_demo_password() -> None:
    with dialled("wrong-password") as demo:
        for ep in all_endpoints(demo):
            client = connect(ep, trusting(demo))
            with pytest.raises(
                (imaplib.IMAP4.error, poplib.error_proto, smtplib.SMTPAuthenticationError)
            ):
                login(client, ep.username(demo.email), demo.password)
            close(client)


def test_fault_no_starttls_hides_starttls_on_smtp_587_only() -> None:
    with dialled("no-starttls") as demo:
        ep = endpoint(demo, Protocol.SMTP, Security.STARTTLS)
        smtp = smtplib.SMTP(ep.host, ep.port, timeout=TIMEOUT)
        smtp.ehlo()
        assert not smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")  # and so no password is taken without TLS
        with pytest.raises(smtplib.SMTPNotSupportedError):
            smtp.starttls(context=trusting(demo))
        smtp.quit()
        client = connect(endpoint(demo, Protocol.IMAP, Security.STARTTLS), trusting(demo))
        login(client, demo.email, demo.password)
        close(client)


# -- the real command line against the demo --------------------------------------------------


def run_check_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code = cli.main(["check", "--demo", "--json", *extra])
    captured = capsys.readouterr()
    assert DEMO_PASSWORD not in captured.out + captured.err
    return code, json.loads(captured.out)


def _status(report: dict[str, Any], protocol: str, security: str) -> str:
    (attempt,) = [
        a for a in report["attempts"] if a["protocol"] == protocol and a["security"] == security
    ]
    return str(attempt["status"])


@pytest.mark.parametrize("incoming", ["imap", "pop"])
def test_check_demo_json_verifies_with_round_trip(
    capsys: pytest.CaptureFixture[str], incoming: str
) -> None:
    code, report = run_check_json(capsys, "--protocol", incoming, "--round-trip")
    assert code == cli.EXIT_OK
    assert report["verified"] is True
    assert report["email"] == DEMO_EMAIL
    assert report["round_trip"]["status"] == "ok"


def test_check_demo_text_names_mailcoms_ports_for_the_phone_and_the_demo_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """mail.com's own ports are what the demo checks and names; the next commands keep
    --demo (without it they would ask for a real account)."""
    code = cli.main(["check", "--demo", "--demo-fault", "blocked-465", "--timeout", "1"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == cli.EXIT_OK
    assert "Incoming: IMAP imap.mail.com, port 993" in out
    assert "Outgoing: SMTP smtp.mail.com, port 587" in out
    assert "smtp.mail.com" in out and "127.0.0.1" not in out
    assert "`mailcom-wizard instructions --demo`" in out
    assert "`mailcom-wizard export --demo`" in out


@pytest.mark.parametrize(
    ("fault", "protocol", "security", "status", "exit_code"),
    [
        # The blocked port times out, and the check falls back to the other one.
        ("blocked-465", "smtp", "ssl", "timeout", cli.EXIT_OK),
        ("blocked-587", "smtp", "starttls", "timeout", cli.EXIT_OK),
        ("intercepted", "imap", "ssl", "certificate_untrusted", cli.EXIT_FAILED),
        ("expired", "smtp", "ssl", "certificate_expired", cli.EXIT_FAILED),
        ("wrong-host", "imap", "starttls", "certificate_hostname_mismatch", cli.EXIT_FAILED),
        ("wrong-password", "imap", "ssl", "auth_failed", cli.EXIT_FAILED),
        ("no-starttls", "smtp", "starttls", "starttls_unavailable", cli.EXIT_OK),
        # Accepted, and then not a word: the server went quiet, not the network.
        ("silent", "imap", "starttls", "server_silent", cli.EXIT_FAILED),
    ],
)
def test_check_demo_fault_gives_its_status_code(
    capsys: pytest.CaptureFixture[str],
    fault: str,
    protocol: str,
    security: str,
    status: str,
    exit_code: int,
) -> None:
    code, report = run_check_json(capsys, "--demo-fault", fault, "--timeout", "1")
    assert _status(report, protocol, security) == status
    assert code == exit_code
    assert report["verified"] is (exit_code == cli.EXIT_OK)


def test_check_demo_writes_nothing_to_the_keyring(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    touched: list[str] = []

    def refuse(*args: object) -> None:
        touched.append("keyring")
        raise AssertionError("the demo must not use the keyring")

    monkeypatch.setattr(keyring, "set_password", refuse)
    monkeypatch.setattr(keyring, "get_password", refuse)
    code, _ = run_check_json(capsys)
    assert code == cli.EXIT_OK
    assert touched == []


def test_check_demo_connects_to_loopback_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every connection and name lookup of a whole demo check, round trip included.
    targets: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> None:
        targets.append(str(address[0]) if isinstance(address, tuple) else str(address))
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        targets.append(str(address[0]) if isinstance(address, tuple) else str(address))
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        targets.append(str(host))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    code, _ = run_check_json(capsys, "--round-trip")
    assert code == cli.EXIT_OK
    assert targets, "the check made no connection at all"
    assert set(targets) == {"127.0.0.1"}


def test_check_demo_silent_says_the_servers_went_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    """The welcome says every server accepts the connection and then says nothing; the
    check says the same: each connection was answered, and the servers then went quiet."""
    assert "accepts the connection and then says nothing" in FAULT_DESCRIPTIONS["silent"]
    code, report = run_check_json(capsys, "--demo-fault", "silent", "--timeout", "1")
    assert code == cli.EXIT_FAILED
    assert report["incoming"]["status"] == report["outgoing"]["status"] == "server_silent"
    assert all(attempt["address"] == "127.0.0.1" for attempt in report["attempts"])
    assert {a["status"] for a in report["attempts"]} <= {"server_silent", "tls_stalled"}
