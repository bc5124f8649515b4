"""CRAM-MD5 on the wire (a provider file's ``password-encrypted``): proven, never swapped.

Against the test bed's real Dovecot (``auth_mechanisms = plain login cram-md5``) and
Postfix (SASL through Dovecot): IMAP AUTHENTICATE CRAM-MD5, POP3 AUTH CRAM-MD5 and SMTP
AUTH CRAM-MD5 log in, and the servers' own logs name the method. A server that does not
offer it fails clearly, and no password login is sent instead; a POP3 server without SASL
CRAM-MD5 but with an APOP timestamp gets APOP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re

import pytest

from tests.testbed import FaultListeners, Testbed
from tests.testbed.mailbox import FakeApopServer
from wizard.core.check import run_check
from wizard.core.models import (
    Account,
    Auth,
    CheckOptions,
    Endpoint,
    IncomingChoice,
    Protocol,
    Security,
    Status,
)
from wizard.core.probes import ProbeFailure, open_mail_session
from wizard.core.provider import Provider
from wizard.core.tls import make_tls_context


def _cram(endpoint: Endpoint) -> Endpoint:
    return dataclasses.replace(endpoint, auth=Auth.CRAM_MD5)


async def _login(endpoint: Endpoint, cafile: str, username: str, password: str) -> str:
    session = await open_mail_session(endpoint, make_tls_context(cafile))
    try:
        async with asyncio.timeout(10):
            return await session.login(username, password)
    finally:
        await session.close()


def _logins(testbed: Testbed, email: str, method: str) -> int:
    """Logins Dovecot's IMAP and POP3 logged for ``email`` with ``method``."""
    text = testbed.dovecot.log.read_text(errors="replace")
    return len(re.findall(rf"Login: user=<{re.escape(email)}>, method={method},", text))


@pytest.mark.servers
async def test_imap_and_pop3_log_in_with_cram_md5_against_dovecot(testbed: Testbed) -> None:
    user = testbed.alice  # a non-ASCII password with spaces: the HMAC key is its UTF-8
    endpoints = [testbed.imap_ssl, testbed.imap_starttls, testbed.pop3_ssl, testbed.pop3_starttls]
    before = _logins(testbed, user.email, "CRAM-MD5")
    for endpoint in endpoints:
        reply = await _login(_cram(endpoint), testbed.cafile, user.email, user.password)
        assert "Logged in" in reply, (endpoint, reply)
    await asyncio.sleep(0.3)  # Dovecot writes its log line as the login completes
    assert _logins(testbed, user.email, "CRAM-MD5") == before + len(endpoints)


@pytest.mark.servers
@pytest.mark.parametrize("incoming", [IncomingChoice.IMAP, IncomingChoice.POP])
async def test_a_check_with_cram_md5_verifies_and_sends_with_it(
    testbed: Testbed, incoming: IncomingChoice
) -> None:
    testbed.require_postfix()
    user = testbed.keeper
    provider = Provider(
        "testbed",
        "Test bed",
        ("mail.com",),
        tuple(_cram(e) for e in testbed.real_imap),
        tuple(_cram(e) for e in testbed.real_pop3),
        tuple(_cram(e) for e in testbed.real_smtp),
    )
    options = CheckOptions(timeout=10, cafile=testbed.cafile, round_trip=True)
    account = Account(user.email, user.password, incoming=incoming)
    report = await run_check(account, provider, options)
    assert report.verified, json.dumps(report.to_json(), indent=1)
    assert user.password not in json.dumps(report.to_json())
    # Postfix names the SASL method of the message the round trip sent.
    assert f"sasl_method=CRAM-MD5, sasl_username={user.email}" in testbed.postfix_log()


@pytest.mark.servers
async def test_a_wrong_password_is_refused_by_cram_md5(testbed: Testbed) -> None:
    testbed.require_postfix()
    for endpoint in (testbed.imap_ssl, testbed.pop3_starttls, testbed.smtp_starttls):
        with pytest.raises(ProbeFailure) as caught:
            await _login(_cram(endpoint), testbed.cafile, testbed.alice.email, "not it")
        assert caught.value.status is Status.AUTH_FAILED, (endpoint, caught.value)


@pytest.mark.servers
async def test_a_user_denied_pop3_is_denied_with_cram_md5_too(testbed: Testbed) -> None:
    user = testbed.imaponly
    with pytest.raises(ProbeFailure) as caught:
        await _login(_cram(testbed.pop3_ssl), testbed.cafile, user.email, user.password)
    assert caught.value.status is Status.AUTH_FAILED
    assert "Logged in" in await _login(
        _cram(testbed.imap_ssl), testbed.cafile, user.email, user.password
    )


@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
async def test_a_server_without_cram_md5_gets_no_password_at_all(
    faults: FaultListeners, protocol: Protocol
) -> None:
    """The fake offers PLAIN and LOGIN only (and no APOP): no fallback to them."""
    fake = faults.scripted("no_cram", protocol)
    with pytest.raises(ProbeFailure) as caught:
        await _login(_cram(fake.endpoint()), str(faults.certificates.cafile), "ann", "Cram-Pw-1")
    assert caught.value.status is Status.PROTOCOL_ERROR
    assert "does not offer CRAM-MD5" in caught.value.detail
    assert "no password was sent" in caught.value.detail
    assert not fake.saw_login, fake.commands
    assert all("Cram-Pw-1" not in line for line in fake.commands)


async def test_pop3_uses_apop_when_the_greeting_offers_it(faults: FaultListeners) -> None:
    context = faults.certificates.server.server_context()
    fake = faults.add(FakeApopServer("apop", context, password="Apop-Pw-2"))
    cafile = str(faults.certificates.cafile)
    endpoint = _cram(fake.endpoint(Security.SSL))
    assert "+OK" in await _login(endpoint, cafile, "ann@mail.com", "Apop-Pw-2")
    with pytest.raises(ProbeFailure) as caught:
        await _login(endpoint, cafile, "ann@mail.com", "not it")
    assert caught.value.status is Status.AUTH_FAILED
    assert {"USER", "PASS", "AUTH"}.isdisjoint(fake.verbs), fake.commands
    assert fake.verbs.count("APOP") == 2
    assert all("Apop-Pw-2" not in line for line in fake.commands)
