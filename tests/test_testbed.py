"""The test bed itself works: real logins, the round trip, and every fault as advertised.

Standard library clients only (imaplib, poplib, smtplib, ssl, socket), so a failure here
is the bed's, never the wizard's.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import poplib
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography import x509

from tests.testbed import (
    DNS_FAILURE_HOST,
    INTERCEPTOR_NAME,
    DelayProxy,
    FaultListeners,
    MailUser,
    Testbed,
    start_testbed,
)
from tests.testbed.bed import reap_stale_beds
from tests.testbed.faults import CertificateKind
from tests.testbed.servers import alive, wait_gone
from wizard.core.models import Protocol, Security
from wizard.core.provider import load_provider

# What OpenSSL reports for each bad certificate (X509_V_ERR_* codes).
UNABLE_TO_GET_ISSUER = 20
CERT_HAS_EXPIRED = 10
HOSTNAME_MISMATCH = 62


def plain_auth(user: MailUser) -> bytes:
    """The SASL PLAIN response, UTF-8 (non-ASCII passwords must survive)."""
    return f"\0{user.email}\0{user.password}".encode()


def wait_until(condition: object, timeout: float = 15.0) -> bool:
    """Poll ``condition()`` until true or ``timeout`` seconds pass."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)  # bounded poll for mail delivery
    return bool(condition())


# -- Dovecot ----------------------------------------------------------------------------


@pytest.mark.servers
def test_imaps_login_with_spaces_and_umlauts_in_password(testbed: Testbed) -> None:
    with imaplib.IMAP4_SSL(
        testbed.host, testbed.imap_ssl.port, ssl_context=testbed.client_context(), timeout=10
    ) as imap:
        typ, _ = imap.authenticate("PLAIN", lambda _: plain_auth(testbed.alice))
        assert typ == "OK"
        assert imap.select("INBOX")[0] == "OK"


@pytest.mark.servers
def test_imaps_wrong_password_is_refused(testbed: Testbed) -> None:
    wrong = MailUser(testbed.alice.email, "not the password")
    with (
        imaplib.IMAP4_SSL(
            testbed.host, testbed.imap_ssl.port, ssl_context=testbed.client_context(), timeout=10
        ) as imap,
        pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
    ):
        imap.authenticate("PLAIN", lambda _: plain_auth(wrong))


@pytest.mark.servers
def test_imap_refuses_login_before_starttls_and_accepts_it_after(testbed: Testbed) -> None:
    with imaplib.IMAP4(testbed.host, testbed.imap_starttls.port, timeout=10) as imap:
        assert "LOGINDISABLED" in imap.capabilities
        assert "STARTTLS" in imap.capabilities
        with pytest.raises(imaplib.IMAP4.error):
            imap.login(testbed.bob.email, testbed.bob.password)
        imap.starttls(ssl_context=testbed.client_context())
        assert imap.login(testbed.bob.email, testbed.bob.password)[0] == "OK"


@pytest.mark.servers
def test_pop3_starttls_login(testbed: Testbed) -> None:
    pop = poplib.POP3(testbed.host, testbed.pop3_starttls.port, timeout=10)
    try:
        assert "STLS" in pop.capa()
        pop.stls(context=testbed.client_context())
        pop.user(testbed.alice.email)
        assert pop.pass_(testbed.alice.password).startswith(b"+OK")
    finally:
        pop.quit()


@pytest.mark.servers
def test_pop3_refuses_password_before_tls(testbed: Testbed) -> None:
    pop = poplib.POP3(testbed.host, testbed.pop3_starttls.port, timeout=10)
    try:
        with pytest.raises(poplib.error_proto):
            pop.user(testbed.bob.email)
            pop.pass_(testbed.bob.password)
    finally:
        pop.close()


@pytest.mark.servers
def test_imaponly_is_denied_on_pop3_but_allowed_on_imap(testbed: Testbed) -> None:
    pop = poplib.POP3_SSL(testbed.host, testbed.pop3_ssl.port, context=testbed.client_context())
    try:
        pop.user(testbed.imaponly.email)
        with pytest.raises(poplib.error_proto, match="AUTH"):
            pop.pass_(testbed.imaponly.password)
    finally:
        pop.close()
    with imaplib.IMAP4_SSL(
        testbed.host, testbed.imap_ssl.port, ssl_context=testbed.client_context(), timeout=10
    ) as imap:
        assert imap.login(testbed.imaponly.email, testbed.imaponly.password)[0] == "OK"


@pytest.mark.servers
def test_dovecot_log_never_holds_a_password(testbed: Testbed) -> None:
    with imaplib.IMAP4_SSL(
        testbed.host, testbed.imap_ssl.port, ssl_context=testbed.client_context(), timeout=10
    ) as imap:
        imap.authenticate("PLAIN", lambda _: plain_auth(testbed.alice))
    log = testbed.dovecot.log.read_text(errors="replace")
    assert "alice@mail.com" in log
    for user in testbed.users:
        assert user.password not in log


# -- Postfix ----------------------------------------------------------------------------


def smtp_auth_plain(smtp: smtplib.SMTP, user: MailUser) -> tuple[int, bytes]:
    """AUTH PLAIN with a UTF-8 password (smtplib's own login() only does ASCII)."""
    return smtp.docmd("AUTH", "PLAIN " + base64.b64encode(plain_auth(user)).decode())


def message(sender: MailUser, to: MailUser, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender.email
    msg["To"] = to.email
    msg["Subject"] = subject
    msg.set_content("Sent through the test bed.\n")
    return msg


@pytest.mark.servers
def test_submission_offers_auth_only_after_starttls_and_delivers_to_imap(
    testbed: Testbed,
) -> None:
    testbed.require_postfix()
    subject = f"round trip {uuid.uuid4()}"
    with smtplib.SMTP(testbed.host, testbed.smtp_starttls.port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth"), "AUTH must not be offered before TLS"
        code, _ = smtp.docmd("MAIL", "FROM:<alice@mail.com>")
        assert code == 530  # encryption required first
        smtp.starttls(context=testbed.client_context())
        smtp.ehlo()
        assert "PLAIN" in smtp.esmtp_features["auth"].upper()
        assert smtp_auth_plain(smtp, testbed.alice)[0] == 235
        smtp.send_message(message(testbed.alice, testbed.alice, subject))
    assert wait_until(lambda: subject in testbed.inbox_subjects(testbed.alice))


@pytest.mark.servers
def test_smtps_delivers_to_pop3(testbed: Testbed) -> None:
    testbed.require_postfix()
    subject = f"pop3 round trip {uuid.uuid4()}"
    with smtplib.SMTP_SSL(
        testbed.host, testbed.smtp_ssl.port, context=testbed.client_context(), timeout=10
    ) as smtp:
        smtp.login(testbed.bob.email, testbed.bob.password)
        smtp.send_message(message(testbed.bob, testbed.alice, subject))

    def arrived() -> bool:
        pop = poplib.POP3_SSL(
            testbed.host, testbed.pop3_ssl.port, context=testbed.client_context(), timeout=10
        )
        try:
            pop.user(testbed.alice.email)
            pop.pass_(testbed.alice.password)
            count = pop.stat()[0]
            return any(
                subject.encode() in b"\n".join(pop.top(n, 0)[1]) for n in range(1, count + 1)
            )
        finally:
            pop.quit()

    assert wait_until(arrived)


@pytest.mark.servers
def test_smtp_wrong_password_is_refused(testbed: Testbed) -> None:
    testbed.require_postfix()
    with (
        smtplib.SMTP_SSL(
            testbed.host, testbed.smtp_ssl.port, context=testbed.client_context(), timeout=10
        ) as smtp,
        pytest.raises(smtplib.SMTPAuthenticationError),
    ):
        smtp.login(testbed.bob.email, "wrong password")


@pytest.mark.servers
def test_postfix_relays_nowhere_but_its_own_domains(testbed: Testbed) -> None:
    testbed.require_postfix()
    with smtplib.SMTP_SSL(
        testbed.host, testbed.smtp_ssl.port, context=testbed.client_context(), timeout=10
    ) as smtp:
        smtp.login(testbed.bob.email, testbed.bob.password)
        refused = smtp.sendmail(
            testbed.bob.email, ["someone@example.org", testbed.bob.email], b"Subject: x\r\n\r\nx"
        )
    # Accepted for the queue at most, but the only transport for other domains is "error".
    assert refused in ({}, {"someone@example.org": refused.get("someone@example.org")})
    config = (testbed.postfix.config_dir / "main.cf").read_text()  # type: ignore[union-attr]
    assert "default_transport = error:" in config
    assert "relay_transport = error:" in config


# -- Provider files ---------------------------------------------------------------------


@pytest.mark.servers
def test_provider_file_lists_the_endpoints_in_order(testbed: Testbed, tmp_path: Path) -> None:
    path = testbed.provider_file(
        tmp_path,
        imap=[testbed.imap_ssl, testbed.imap_starttls],
        pop3=[testbed.pop3_starttls],
        smtp=[testbed.faults.smtp_no_starttls.endpoint(Security.STARTTLS)],
    )
    provider = load_provider(path)
    assert provider.imap == (testbed.imap_ssl, testbed.imap_starttls)
    assert provider.pop3 == (testbed.pop3_starttls,)
    assert provider.smtp[0].port == testbed.faults.smtp_no_starttls.listener.port
    assert provider.knows_domain("mail.com")
    assert provider.knows_domain("example.test")


# -- Faults -----------------------------------------------------------------------------


def handshake(port: int, context: ssl.SSLContext, host: str = "localhost") -> None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host),
    ):
        pass


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("untrusted", UNABLE_TO_GET_ISSUER),
        ("expired", CERT_HAS_EXPIRED),
        ("wrong_host", HOSTNAME_MISMATCH),
    ],
)
@pytest.mark.parametrize("protocol", list(Protocol))
def test_bad_certificates_fail_verification_by_implicit_tls(
    faults: FaultListeners,
    kind: CertificateKind,
    code: int,
    protocol: Protocol,
) -> None:
    fake = faults.bad_certificate(kind, protocol, Security.SSL)
    with pytest.raises(ssl.SSLCertVerificationError) as caught:
        handshake(fake.listener.port, faults.certificates.client_context())
    assert caught.value.verify_code == code


@pytest.mark.parametrize("kind", ["untrusted", "expired", "wrong_host"])
def test_bad_certificates_fail_verification_after_starttls(
    faults: FaultListeners, kind: CertificateKind
) -> None:
    context = faults.certificates.client_context()
    imap = faults.bad_certificate(kind, Protocol.IMAP, Security.STARTTLS)
    client = imaplib.IMAP4("localhost", imap.listener.port, timeout=5)
    try:
        assert "STARTTLS" in client.capabilities
        with pytest.raises(ssl.SSLCertVerificationError):
            client.starttls(ssl_context=context)
    finally:
        with contextlib.suppress(OSError):
            client.shutdown()
    pop3 = faults.bad_certificate(kind, Protocol.POP3, Security.STARTTLS)
    pop = poplib.POP3("localhost", pop3.listener.port, timeout=5)
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            pop.stls(context=context)
    finally:
        with contextlib.suppress(OSError):
            pop.close()
    smtp_fake = faults.bad_certificate(kind, Protocol.SMTP, Security.STARTTLS)
    smtp = smtplib.SMTP("localhost", smtp_fake.listener.port, timeout=5)
    try:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        with pytest.raises(ssl.SSLCertVerificationError):
            smtp.starttls(context=context)
    finally:
        with contextlib.suppress(OSError):
            smtp.close()
    # Nothing after the handshake attempt: no login reached any of them.
    assert not (imap.saw_login or pop3.saw_login or smtp_fake.saw_login)


def test_intercepted_certificate_names_the_antivirus(faults: FaultListeners) -> None:
    fake = faults.bad_certificate("untrusted", Protocol.IMAP, Security.SSL)
    insecure = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # only to read what the certificate says
    with (
        socket.create_connection(("127.0.0.1", fake.listener.port), timeout=5) as raw,
        insecure.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    issuer = x509.load_der_x509_certificate(der).issuer.rfc4514_string()
    assert INTERCEPTOR_NAME in issuer


def test_silent_listener_never_speaks(faults: FaultListeners) -> None:
    with (
        socket.create_connection(("127.0.0.1", faults.silent.port), timeout=0.3) as sock,
        pytest.raises(TimeoutError),
    ):
        sock.recv(1)


def test_stall_tls_never_answers_the_client_hello(faults: FaultListeners) -> None:
    context = faults.certificates.client_context()
    with (
        socket.create_connection(("127.0.0.1", faults.stall_tls.port), timeout=0.3) as raw,
        pytest.raises(TimeoutError),
    ):
        context.wrap_socket(raw, server_hostname="localhost")


@pytest.mark.parametrize(
    ("protocol", "greeting"),
    [(Protocol.IMAP, b"* OK"), (Protocol.POP3, b"+OK"), (Protocol.SMTP, b"220 ")],
)
def test_close_after_greeting(faults: FaultListeners, protocol: Protocol, greeting: bytes) -> None:
    port = faults.close_after_greeting(protocol).listener.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        received = b""
        while chunk := sock.recv(1024):
            received += chunk
    assert received.startswith(greeting)
    assert received.endswith(b"\r\n")


def test_smtp_without_starttls_records_every_command(faults: FaultListeners) -> None:
    fake = faults.smtp_no_starttls
    with smtplib.SMTP("localhost", fake.listener.port, timeout=5) as smtp:
        smtp.ehlo("client.test")
        assert smtp.has_extn("auth")
        assert not smtp.has_extn("starttls")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            smtp.starttls()
        smtp.noop()
    assert fake.verbs == ["EHLO", "NOOP", "QUIT"]
    assert fake.commands[0].lower() == "ehlo client.test"
    assert not fake.saw_login
    assert fake.connections == 1


def test_recorder_sees_a_login_when_one_is_sent(faults: FaultListeners) -> None:
    fake = faults.smtp_no_starttls
    with (
        smtplib.SMTP("localhost", fake.listener.port, timeout=5) as smtp,
        pytest.raises(smtplib.SMTPAuthenticationError),
    ):
        smtp.login("someone@mail.com", "not-a-real-password")
    assert fake.saw_login
    assert "AUTH" in fake.verbs


def test_faults_are_cleared_between_tests(faults: FaultListeners) -> None:
    # The test above logged in to this fake; the per-test fixture forgot it.
    assert faults.smtp_no_starttls.commands == []


def test_imap_and_pop3_without_starttls(faults: FaultListeners) -> None:
    with imaplib.IMAP4("localhost", faults.imap_no_starttls.listener.port, timeout=5) as imap:
        assert "STARTTLS" not in imap.capabilities
        assert "AUTH=PLAIN" in imap.capabilities
    assert faults.imap_no_starttls.verbs == ["CAPABILITY", "LOGOUT"]
    pop = poplib.POP3("localhost", faults.pop3_no_starttls.listener.port, timeout=5)
    assert "STLS" not in pop.capa()
    pop.quit()
    assert faults.pop3_no_starttls.verbs == ["CAPA", "QUIT"]
    assert not (faults.imap_no_starttls.saw_login or faults.pop3_no_starttls.saw_login)


def test_closed_port_refuses_and_no_other_program_can_take_it(faults: FaultListeners) -> None:
    """Refused, and held: a server started by another test (or program) on a busy machine
    cannot bind it and answer there instead (seen: a "closed" port that spoke TLS)."""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", faults.closed_port.port), timeout=5)
    with socket.socket() as other, pytest.raises(OSError, match="in use"):
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's servers do
        other.bind(("127.0.0.1", faults.closed_port.port))


def test_dns_host_never_resolves(faults: FaultListeners) -> None:
    assert faults.dns_host == DNS_FAILURE_HOST
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(faults.dns_host, 993)


def test_fault_endpoints_point_at_loopback(faults: FaultListeners) -> None:
    endpoint = faults.silent.endpoint(Protocol.IMAP, Security.SSL)
    assert (endpoint.host, endpoint.port) == ("localhost", faults.silent.port)
    assert faults.smtp_no_starttls.endpoint().security is Security.STARTTLS
    assert faults.bad_certificate("expired", Protocol.POP3).endpoint().security is Security.SSL


# -- Delay proxy ------------------------------------------------------------------------


def test_delay_proxy_adds_its_delay_each_way(faults: FaultListeners) -> None:
    target = faults.close_after_greeting(Protocol.SMTP).listener.port
    with DelayProxy("127.0.0.1", target, delay=0.1) as proxy:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
            greeting = sock.recv(1024)
        elapsed = time.monotonic() - started
    assert greeting.startswith(b"220 ")
    # The greeting only comes back through the proxy's delay (server -> client).
    assert elapsed >= 0.1


def test_delay_proxy_refuses_non_loopback_targets() -> None:
    with pytest.raises(ValueError, match="loopback"):
        DelayProxy("192.0.2.1", 993)


@pytest.mark.servers
def test_delay_proxy_carries_a_tls_login(testbed: Testbed) -> None:
    with (
        DelayProxy(testbed.host, testbed.imap_ssl.port, delay=0.05) as proxy,
        imaplib.IMAP4_SSL(
            "localhost", proxy.port, ssl_context=testbed.client_context(), timeout=10
        ) as imap,
    ):
        assert imap.authenticate("PLAIN", lambda _: plain_auth(testbed.alice))[0] == "OK"


# -- Life cycle -------------------------------------------------------------------------


@pytest.mark.servers
def test_every_listener_of_the_session_bed_answers(testbed: Testbed) -> None:
    endpoints = [testbed.imap_ssl, testbed.imap_starttls, testbed.pop3_ssl, testbed.pop3_starttls]
    if testbed.postfix is not None:
        endpoints += [testbed.smtp_ssl, testbed.smtp_starttls]
    for endpoint in endpoints:
        assert endpoint.host == "127.0.0.2"
        socket.create_connection((endpoint.host, endpoint.port), timeout=5).close()


@pytest.mark.servers
def test_a_stopped_bed_leaves_no_process_and_no_folder(testbed: Testbed) -> None:
    # A second, private bed (free ports, own folder) so the session's keeps running.
    bed = start_testbed(testbed.certificates)
    # Use it once, as the session does, so its processes are settled when it stops.
    subjects = bed.inbox_subjects(bed.bob)
    assert subjects == []
    pids = bed.processes()
    ports = [bed.imap_ssl.port, bed.pop3_starttls.port]
    if bed.postfix is not None:
        ports.append(bed.smtp_starttls.port)
        assert bed.postfix.processes()
    assert bed.dovecot.processes()
    bed.stop()
    assert alive(pids) == set()
    assert not bed.root.exists()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((bed.host, port), timeout=5)


@pytest.mark.servers
def test_beds_of_a_killed_run_are_reaped_by_the_next(testbed: Testbed) -> None:
    # A run killed outright (SIGKILL: no teardown) leaves its daemons behind...
    repo = Path(__file__).resolve().parent.parent
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from tests.testbed import start_testbed; bed = start_testbed(); "
            "print(bed.root, *sorted(bed.processes()), flush=True); sys.stdin.read()",
        ],
        cwd=repo,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        root_text, *pid_texts = child.stdout.readline().split()
    finally:
        child.kill()
        child.wait(10)
    root, pids = Path(root_text), {int(p) for p in pid_texts}
    assert alive(pids), "the killed run's servers should still be running"
    # ...and the next start cleans them up, without touching live beds such as ours.
    assert root in reap_stale_beds()
    assert wait_gone(pids, 10) == set()
    assert not root.exists()
    assert testbed.root.exists()
    testbed.inbox_subjects(testbed.bob)  # our bed still answers (this raises otherwise)


@pytest.mark.servers
def test_provider_file_fills_left_out_protocols_with_the_real_servers(
    testbed: Testbed, tmp_path: Path
) -> None:
    provider = testbed.provider(tmp_path, pop3=[])
    assert provider.imap == testbed.real_imap
    assert provider.pop3 == ()
    assert provider.smtp == testbed.real_smtp
    assert load_provider(testbed.provider_file(tmp_path)).pop3 == testbed.real_pop3


@pytest.mark.servers
def test_a_port_taken_after_it_was_chosen_gets_a_fresh_one(
    testbed: Testbed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a busy machine another program can take a port between free_port() choosing it
    # and the server binding it: the bed then starts again on fresh ports instead of failing.
    from tests.testbed import servers

    with socket.socket() as squatter:
        squatter.bind((testbed.host, 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        real_free_port = servers.free_port
        handed_out: list[int] = []

        def free_port_that_is_taken_first(host: str = "127.0.0.1") -> int:
            port = taken if not handed_out else real_free_port(host)
            handed_out.append(port)
            return port

        monkeypatch.setattr(servers, "free_port", free_port_that_is_taken_first)
        bed = start_testbed(testbed.certificates)
        try:
            assert handed_out[0] == taken
            assert taken not in bed.dovecot.ports
            assert bed.inbox_subjects(bed.bob) == []
        finally:
            bed.stop()
