"""Provider data: the built-in mail.com record and hostile or broken autoconfig files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard.core.models import Endpoint, IncomingChoice, Protocol, Security
from wizard.core.provider import (
    ProviderError,
    builtin_provider,
    load_provider,
    parse_provider,
    render_provider,
)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_builtin_mailcom_servers_in_preference_order() -> None:
    provider = builtin_provider()
    assert [(e.host, e.port, e.security) for e in provider.imap] == [
        ("imap.mail.com", 993, Security.SSL),
        ("imap.mail.com", 143, Security.STARTTLS),
    ]
    assert [(e.host, e.port, e.security) for e in provider.pop3] == [
        ("pop.mail.com", 995, Security.SSL),
        ("pop.mail.com", 110, Security.STARTTLS),
    ]
    assert [(e.host, e.port, e.security) for e in provider.smtp] == [
        ("smtp.mail.com", 465, Security.SSL),
        ("smtp.mail.com", 587, Security.STARTTLS),
    ]
    for endpoint in provider.imap + provider.pop3 + provider.smtp:
        assert endpoint.username("Name@usa.com") == "Name@usa.com"


def test_builtin_domains_are_the_ispdb_191_plus_53() -> None:
    provider = builtin_provider()
    assert len(provider.domains) == 244
    assert len(set(provider.domains)) == 244
    for domain in ("mail.com", "email.com", "usa.com", "asia.com", "torontomail.com", "2trom.com"):
        assert provider.knows_domain(domain)
    assert provider.knows_domain("EMAIL.COM")
    assert not provider.knows_domain("gmail.com")
    ispdb = REFERENCE / "ispdb-mail.com.xml"
    if ispdb.exists():  # the shared reference sits beside the repository in CI and here
        listed = set(re.findall(r"<domain>([^<]+)</domain>", ispdb.read_text()))
        assert len(listed) == 191
        assert listed <= set(provider.domains)


def test_round_trip_through_render(tmp_path: Path) -> None:
    endpoints = [
        Endpoint(Protocol.IMAP, "localhost", 10993, Security.SSL),
        Endpoint(Protocol.POP3, "localhost", 10110, Security.STARTTLS),
        Endpoint(Protocol.SMTP, "localhost", 10587, Security.STARTTLS),
    ]
    path = tmp_path / "p.xml"
    path.write_text(render_provider("test", ["example.test"], endpoints))
    provider = load_provider(path)
    assert provider.endpoints(IncomingChoice.IMAP) == (endpoints[0], endpoints[2])
    assert provider.endpoints(IncomingChoice.POP) == (endpoints[1], endpoints[2])


GOOD_SERVER = """<incomingServer type="imap"><hostname>h</hostname><port>993</port>
<socketType>SSL</socketType><username>%EMAILADDRESS%</username>
<authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>h</hostname><port>465</port>
<socketType>SSL</socketType><authentication>password-cleartext</authentication></outgoingServer>"""


def _doc(body: str, domains: str = "<domain>example.test</domain>") -> bytes:
    return (
        f'<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">'
        f"{domains}{body}</emailProvider></clientConfig>"
    ).encode()


def test_a_minimal_file_parses() -> None:
    provider = parse_provider(_doc(GOOD_SERVER))
    assert provider.imap[0].port == 993
    assert provider.smtp[0].port == 465
    assert provider.pop3 == ()
    assert not provider.supports(IncomingChoice.POP)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml at all <", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<html><body/></html>", "root element is <html>"),
        (b"<clientConfig/>", "no <emailProvider>"),
        (_doc(GOOD_SERVER, domains=""), "no <domain>"),
        (
            _doc(
                GOOD_SERVER.replace("SSL</socketType><username", "plain</socketType><username", 1)
            ),
            "never sends a password unencrypted",
        ),
        (_doc(GOOD_SERVER.replace("<port>993</port>", "<port>http</port>")), "not a number"),
        (_doc(GOOD_SERVER.replace("<port>993</port>", "<port>70000</port>")), "out of range"),
        (_doc(GOOD_SERVER.replace("<port>993</port>", "")), "has no <port>"),
        (_doc(GOOD_SERVER.replace("<hostname>h</hostname>", "", 1)), "has no <hostname>"),
        (
            _doc(GOOD_SERVER.replace("SSL</socketType><username", "TLS9</socketType><username", 1)),
            "expected SSL or STARTTLS",
        ),
        (_doc(GOOD_SERVER.split("<outgoingServer")[0]), "no usable outgoing server"),
        (
            _doc("<outgoingServer" + GOOD_SERVER.split("<outgoingServer")[1]),
            "no usable incoming server",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><clientConfig>&lol2;</clientConfig>',
            "refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<clientConfig>&x;</clientConfig>",
            "refused",
        ),
    ],
)
def test_broken_or_hostile_files_get_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ProviderError) as info:
        parse_provider(data, source="p.xml")
    assert message in str(info.value)
    assert str(info.value).startswith("p.xml")


def test_oauth_only_servers_are_skipped() -> None:
    oauth = GOOD_SERVER.replace(
        "<authentication>password-cleartext</authentication></incomingServer>",
        "<authentication>OAuth2</authentication></incomingServer>",
    )
    with pytest.raises(ProviderError, match="no usable incoming server"):
        parse_provider(_doc(oauth))


def test_missing_unreadable_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="does not exist"):
        load_provider(tmp_path / "nope.xml")
    with pytest.raises(ProviderError, match="is a folder"):
        load_provider(tmp_path)
    big = tmp_path / "big.xml"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    with pytest.raises(ProviderError, match="too large"):
        load_provider(big)


def test_cli_reports_a_bad_provider_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wizard.cli import main

    bad = tmp_path / "bad.xml"
    bad.write_text("<clientConfig><emailProvider id='x'><domain>a.b</domain>")
    code = main(["check", "--email", "a@a.b", "--provider", str(bad), "--password-stdin"])
    captured = capsys.readouterr()
    assert code == 2
    assert "not well-formed XML" in captured.err
    assert "Traceback" not in captured.err + captured.out
