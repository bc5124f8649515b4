"""What a hostile or broken server can do to a check, on loopback, and what it cannot.

- nothing it provokes in a library (an exception, a log line) carries the password to the
  output, and a reply that repeats the password in any encoding is withheld, after a
  refused login and after a successful one alike;
- clear text sent along with the STARTTLS go-ahead ends the check as ``plaintext_injected``
  before anything is read or sent on that connection;
- a flood before the login (an endless greeting, endless capabilities) is cut off at a
  bound, and memory stays small.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.testbed import FakeMailServer, FaultListeners
from tests.testbed.faults import Flood
from wizard.core.check import run_check
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
from wizard.core.probes import open_mail_session
from wizard.core.probes.base import ECHO_WITHHELD, ProbeFailure, withhold_echo
from wizard.core.provider import Provider
from wizard.core.tls import make_tls_context

PROTOCOLS = [Protocol.IMAP, Protocol.POP3, Protocol.SMTP]
PASSWORD = 'Kx9 "Qv-Secret" \\ Wz-42'


def _server_xml(endpoint: Endpoint) -> str:
    """One server of an autoconfig file (written here: the file itself is not the test)."""
    tag = "outgoingServer" if endpoint.protocol is Protocol.SMTP else "incomingServer"
    socket_type = "SSL" if endpoint.security is Security.SSL else "STARTTLS"
    return (
        f'<{tag} type="{endpoint.protocol.value}"><hostname>{endpoint.host}</hostname>'
        f"<port>{endpoint.port}</port><socketType>{socket_type}</socketType>"
        "<username>%EMAILADDRESS%</username>"
        f"<authentication>password-cleartext</authentication></{tag}>"
    )


def _provider_file(tmp_path: Path, faults: FaultListeners, *endpoints: Endpoint) -> Path:
    """A provider file listing ``endpoints``; a role left out gets a closed port (fast)."""
    listed = list(endpoints)
    if not any(endpoint.protocol is Protocol.SMTP for endpoint in listed):
        listed.append(faults.closed_port.endpoint(Protocol.SMTP, Security.SSL))
    if all(endpoint.protocol is Protocol.SMTP for endpoint in listed):
        listed.append(faults.closed_port.endpoint(Protocol.IMAP, Security.SSL))
    path = tmp_path / "hostile.xml"
    path.write_text(
        '<clientConfig version="1.1"><emailProvider id="hostile"><domain>mail.com</domain>'
        "<displayName>Hostile</displayName>"
        f"{''.join(_server_xml(endpoint) for endpoint in listed)}</emailProvider></clientConfig>"
    )
    return path


def _check(faults: FaultListeners, provider: Path, *extra: str) -> tuple[int, str, str]:
    """``mailcom-wizard check`` for ann@mail.com in a process of its own, the password on
    stdin: its real stdout and stderr, where Python's logging prints when nothing is set up."""
    argv = ["check", "--email", "ann@mail.com", "--provider", str(provider)]
    argv += ["--cafile", str(faults.certificates.cafile), "--password-stdin", "--timeout", "3"]
    done = subprocess.run(
        [sys.executable, "-m", "wizard", *argv, *extra],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _provider(faults: FaultListeners, *endpoints: Endpoint) -> Provider:
    """A provider listing ``endpoints``; a role left out gets a closed port (fast)."""
    closed = faults.closed_port

    def listed(protocol: Protocol) -> tuple[Endpoint, ...]:
        return tuple(endpoint for endpoint in endpoints if endpoint.protocol is protocol)

    imap = listed(Protocol.IMAP) or (closed.endpoint(Protocol.IMAP, Security.SSL),)
    smtp = listed(Protocol.SMTP) or (closed.endpoint(Protocol.SMTP, Security.SSL),)
    return Provider("hostile", "Hostile", ("mail.com",), imap, listed(Protocol.POP3), smtp)


async def _run(faults: FaultListeners, *endpoints: Endpoint, password: str = "") -> CheckReport:
    """The check of ann@mail.com against ``endpoints`` (POP3 when one is listed)."""
    pop = any(endpoint.protocol is Protocol.POP3 for endpoint in endpoints)
    account = Account(
        "ann@mail.com",
        password or PASSWORD,
        incoming=IncomingChoice.POP if pop else IncomingChoice.IMAP,
    )
    options = CheckOptions(timeout=3, cafile=str(faults.certificates.cafile))
    async with asyncio.timeout(10):
        return await run_check(account, _provider(faults, *endpoints), options)


def _context(faults: FaultListeners) -> ssl.SSLContext:
    return make_tls_context(str(faults.certificates.cafile))


def _secret_parts() -> list[str]:
    """The password and the words it is made of that are long enough to be telling."""
    return [PASSWORD, *[word.strip('"\\') for word in PASSWORD.split() if len(word) > 3]]


# -- nothing a library raises or logs carries the password --------------------------------


@pytest.mark.parametrize("json_mode", [False, True])
def test_a_login_answered_with_an_unexpected_tag_leaves_no_password_on_stderr(
    faults: FaultListeners, tmp_path: Path, json_mode: bool
) -> None:
    """aioimaplib raises an Abort quoting the pending LOGIN command; asyncio would log it."""
    fake = faults.scripted(
        "wrong_tag", Protocol.IMAP, login_answer=lambda _tag, _secret: ["ZZZZ9 NO bad"]
    )
    provider = _provider_file(tmp_path, faults, fake.endpoint())
    code, out, err = _check(faults, provider, *(["--json"] * json_mode))
    assert fake.saw_login  # the password did go to the (trusted) server...
    assert code == 1
    for part in _secret_parts():  # ...and nowhere else
        assert part not in out + err, (part, out, err)
    if json_mode:
        report = json.loads(out)
        assert report["incoming"]["status"] == "protocol_error"


# -- clear text along with the STARTTLS go-ahead -------------------------------------------

#: What an attacker on the path sends right after the server's go-ahead, in clear text: a
#: fragment (no line end) that would be glued to the first line read over TLS, or a line.
INJECTIONS = {
    Protocol.IMAP: ["* CAPABILITY IMAP4rev1 LOGINDISABLED X", "* CAPABILITY IMAP4rev1\r\n"],
    Protocol.POP3: ["-ERR [SYS/PERM] X", "+OK\r\n"],
    Protocol.SMTP: ["250-AUTH NONE", "250 8BITMIME\r\n"],
}


@pytest.mark.parametrize("shape", [0, 1], ids=["fragment", "line"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_clear_text_after_the_starttls_go_ahead_ends_the_check(
    faults: FaultListeners, protocol: Protocol, shape: int
) -> None:
    inject = INJECTIONS[protocol][shape]
    fake = faults.scripted(f"inject_{shape}", protocol, Security.STARTTLS, inject=inject)
    phases: list[Phase] = []
    with pytest.raises(ProbeFailure) as caught:
        async with asyncio.timeout(5):
            session = await open_mail_session(fake.endpoint(), _context(faults), phases.append)
            await session.login("ann@mail.com", PASSWORD)
    assert caught.value.status is Status.PLAINTEXT_INJECTED, caught.value
    assert "inserted" in caught.value.detail
    assert not fake.saw_login
    # Nothing was sent after STARTTLS, not even over TLS.
    assert fake.verbs[-1] in {"STARTTLS", "STLS"}, fake.commands
    assert Phase.SECURING not in phases  # no handshake began


class _GarbledCapa(FakeMailServer):
    """POP3 by STARTTLS whose CAPA answer poplib cannot parse (not ASCII, an empty line)."""

    async def more(
        self,
        tag: str,
        verb: str,
        args: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if verb != "CAPA":
            return False
        writer.write(b"+OK\r\nSTLS\r\n\xff\xfe\x9b2J\r\n\r\n.\r\n")
        await writer.drain()
        return True


async def test_a_pop3_answer_poplib_cannot_parse_is_a_protocol_error(
    faults: FaultListeners,
) -> None:
    context = faults.certificates.server.server_context()
    fake = faults.add(_GarbledCapa("garbled_capa", Protocol.POP3, starttls=context))
    with pytest.raises(ProbeFailure) as caught:
        async with asyncio.timeout(5):
            await open_mail_session(fake.endpoint(Security.STARTTLS), _context(faults))
    assert caught.value.status is Status.PROTOCOL_ERROR
    assert "unexpected POP3 answer" in caught.value.detail


# -- floods before the login ---------------------------------------------------------------

FLOOD_TIMEOUT = 6.0
FLOODS = [
    pytest.param(protocol, flood, security, id=f"{protocol.value}-{flood}-{security.value}")
    for protocol in PROTOCOLS
    for flood in ("greeting", "capabilities")
    for security in Security
    # A POP3 password login over implicit TLS asks for no capabilities: nothing to flood.
    if (protocol, flood, security) != (Protocol.POP3, "capabilities", Security.SSL)
]


@pytest.mark.parametrize(("protocol", "flood", "security"), FLOODS)
async def test_a_flood_before_the_login_is_cut_off_and_memory_stays_small(
    faults: FaultListeners, protocol: Protocol, flood: Flood, security: Security
) -> None:
    fake = faults.scripted(f"flood_{flood}", protocol, security, flood=flood)
    context = _context(faults)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ProbeFailure) as caught:
            async with asyncio.timeout(FLOOD_TIMEOUT):
                session = await open_mail_session(fake.endpoint(), context)
                await session.login("ann@mail.com", PASSWORD)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    failure = caught.value
    assert failure.status is Status.PROTOCOL_ERROR, failure
    # Cut off by the wizard's bound (or aiosmtplib's own: an answer too long for SMTP).
    assert "more than" in failure.detail or "too long" in str(failure.reply), failure
    assert elapsed < FLOOD_TIMEOUT / 2, elapsed  # cut off, not timed out
    assert peak < 32 * 1024 * 1024, peak  # bytes allocated at the highest point
    assert not fake.saw_login


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _imap_quoted(text: str) -> str:
    """An IMAP quoted string (RFC 3501): ``\\`` and ``"`` escaped with a backslash."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


#: The forms in which a server could repeat the password it was sent.
ECHOES: dict[str, Callable[[str], str]] = {
    "as sent": lambda secret: secret,
    "imap-quoted": lambda secret: _imap_quoted(secret),
    "plain-blob": lambda secret: _b64(f"\0ann@mail.com\0{secret}"),
    "plain-blob-authzid": lambda secret: _b64(f"ann@mail.com\0ann@mail.com\0{secret}"),
    "login-base64": lambda secret: _b64(secret),
    "unpadded-base64": lambda secret: _b64(secret).rstrip("="),
}


@pytest.mark.parametrize("accepted", [True, False], ids=["accepted", "refused"])
@pytest.mark.parametrize("form", list(ECHOES))
@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
async def test_a_reply_that_repeats_the_password_in_any_form_is_withheld(
    faults: FaultListeners, protocol: Protocol, form: str, accepted: bool
) -> None:
    echo = ECHOES[form]

    def answer(tag: str, secret: str) -> list[str]:
        said = f"as ann@mail.com with {echo(secret)}"
        if protocol is Protocol.IMAP:
            return [f"{tag} OK Logged in {said}" if accepted else f"{tag} NO Refused {said}"]
        if protocol is Protocol.POP3:
            return [f"+OK Logged in {said}" if accepted else f"-ERR [AUTH] Refused {said}"]
        return [f"235 2.7.0 Accepted {said}" if accepted else f"535 5.7.8 Refused {said}"]

    name = f"echo_{form}_{'accepted' if accepted else 'refused'}"
    fake = faults.scripted(name, protocol, login_answer=answer)
    report = await _run(faults, fake.endpoint())
    (attempt,) = [a for a in report.attempts if a.endpoint == fake.endpoint()]
    assert fake.saw_login
    assert attempt.status is (Status.OK if accepted else Status.AUTH_FAILED), attempt
    assert attempt.server_reply == ECHO_WITHHELD
    text = json.dumps(report.to_json())
    for part in _secret_parts():
        assert part not in text and echo(part) not in text


@pytest.mark.parametrize(
    ("password", "reply"),
    [
        ("e", "NO [AUTHENTICATIONFAILED] Authentication failed."),
        ("a", "OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE] Logged in"),
        ("mail", "235 2.7.0 Authentication successful"),
        ("com", "+OK Logged in. Welcome to mail.com, ann@mail.com."),
        ("Long-Secret-99", "OK Logged in (ZGVtbw== is base64 for demo)"),
    ],
)
def test_ordinary_replies_stay_as_they_came(password: str, reply: str) -> None:
    """Decoding base64 words does not make ordinary words look like an echo."""
    assert withhold_echo(reply, password) == reply


def test_a_derived_value_such_as_a_cram_md5_answer_is_withheld() -> None:
    digest = "b913a602c7eda7a495b4e6e7334d3890"
    answer = _b64(f"ann@mail.com {digest}")
    assert withhold_echo(f"NO you sent {answer}", "pw", answer, digest) == ECHO_WITHHELD
    assert withhold_echo(f"NO digest {digest}.", "pw", answer, digest) == ECHO_WITHHELD
    assert withhold_echo("NO refused.", "pw", answer, digest) == "NO refused."


@pytest.mark.parametrize("password", [PASSWORD, 'Pässwort "zitiert" \\ Qv-77'])
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_no_credential_reaches_the_libraries_debug_logs(
    faults: FaultListeners, caplog: pytest.LogCaptureFixture, protocol: Protocol, password: str
) -> None:
    """aioimaplib logs every command it sends at DEBUG level, the LOGIN command too."""

    def accept(tag: str, _secret: str) -> list[str]:
        if protocol is Protocol.SMTP:
            return ["235 2.7.0 Authentication successful"]
        return [f"{tag} OK Logged in." if tag else "+OK Logged in."]

    fake = faults.scripted("accepts", protocol, login_answer=accept)
    caplog.set_level(logging.DEBUG)
    session = await open_mail_session(fake.endpoint(), _context(faults))
    async with asyncio.timeout(5):
        await session.login("ann@mail.com", password)
    await session.close()
    assert "Sending" in caplog.text or protocol is not Protocol.IMAP  # the wire log was on
    escaped = password.replace("\\", "\\\\").replace('"', '\\"')
    forms = [password, escaped, _b64(f"\0ann@mail.com\0{password}"), _b64(password)]
    forms += [word for word in password.split() if len(word) > 4]
    for form in forms:
        assert form not in caplog.text, form


async def test_the_wizard_tells_an_exception_in_the_event_loop_by_its_kind_only(
    faults: FaultListeners, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from wizard.app import WizardApp

    closed = faults.closed_port
    provider = Provider(
        "hostile",
        "Hostile",
        ("mail.com",),
        (closed.endpoint(Protocol.IMAP, Security.SSL),),
        (),
        (closed.endpoint(Protocol.SMTP, Security.SSL),),
    )

    def library_callback() -> None:
        raise RuntimeError(f"unexpected answer to LOGIN ann {PASSWORD}")

    caplog.set_level(logging.DEBUG)
    async with WizardApp(provider, home=tmp_path).run_test() as pilot:
        asyncio.get_running_loop().call_soon(library_callback)
        await pilot.pause()
    assert "RuntimeError inside the event loop" in caplog.text
    for part in _secret_parts():
        assert part not in caplog.text
