"""Provider data: the built-in mail.com record and hostile or broken autoconfig files."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.testbed import FaultListeners
from tests.testbed.provider_files import render_provider
from wizard.core import facts
from wizard.core.accounts import check_address
from wizard.core.errors import ProviderError
from wizard.core.instructions import LAYOUTS
from wizard.core.models import Auth, Endpoint, IncomingChoice, Protocol, Security
from wizard.core.provider import (
    MAX_SERVERS_PER_KIND,
    Provider,
    builtin_provider,
    load_provider,
    parse_provider,
)
from wizard.core.text import control_characters

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


DTD_REFUSED = (
    "p.xml: refused, it contains a document type declaration (DTD), which autoconfig files "
    "never need."
)


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
            "no usable incoming server (IMAP or POP3): IMAP h:993: not encrypted (socketType "
            "plain), so the password would cross the network readable.",
        ),
        (
            _doc(GOOD_SERVER.replace("<port>993</port>", "<port>http</port>")),
            "needs a <port> from 1 to 65535, not 'http'",
        ),
        (
            _doc(GOOD_SERVER.replace("<port>993</port>", "<port>70000</port>")),
            "needs a <port> from 1 to 65535, not '70000'",
        ),
        (
            _doc(GOOD_SERVER.replace("<port>993</port>", "")),
            "needs a <port> from 1 to 65535, not ''",
        ),
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
            DTD_REFUSED,
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<clientConfig>&x;</clientConfig>",
            DTD_REFUSED,
        ),
        # A DTD that declares nothing is refused just the same: no autoconfig file needs one.
        (b'<?xml version="1.0"?><!DOCTYPE clientConfig>' + _doc(GOOD_SERVER)[21:], DTD_REFUSED),
        (
            b'<!DOCTYPE clientConfig SYSTEM "http://127.0.0.1:9/x.dtd">' + _doc(GOOD_SERVER)[21:],
            DTD_REFUSED,
        ),
    ],
)
def test_broken_or_hostile_files_get_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ProviderError) as info:
        parse_provider(data, source="p.xml")
    assert message in str(info.value)
    assert str(info.value).startswith("p.xml")
    if message == DTD_REFUSED:
        assert str(info.value) == DTD_REFUSED


def test_oauth_only_servers_are_skipped() -> None:
    oauth = GOOD_SERVER.replace(
        "<authentication>password-cleartext</authentication></incomingServer>",
        "<authentication>OAuth2</authentication></incomingServer>",
    )
    with pytest.raises(ProviderError, match="only OAuth2 sign-in for incoming mail"):
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


# -- real provider files (Thunderbird's ISPDB, trimmed: tests/ispdb/) ------------------------

ISPDB = Path(__file__).resolve().parent / "ispdb"
ISPDB_FILES = sorted(ISPDB.glob("*.xml"))


def ispdb(name: str) -> Provider:
    return load_provider(ISPDB / f"{name}.xml")


def test_every_ispdb_file_gives_usable_servers_for_an_address_or_one_line_why_not() -> None:
    assert len(ISPDB_FILES) >= 15
    for path in ISPDB_FILES:
        try:
            provider = load_provider(path)
        except ProviderError as error:
            line = str(error)
            assert "\n" not in line and line.startswith(str(path)), line
            continue
        email = f"anna@{provider.domains[-1]}"
        resolved = provider.for_address(email)
        servers = resolved.imap + resolved.pop3 + resolved.smtp
        assert servers, path
        for endpoint in servers:
            assert "%" not in endpoint.host + endpoint.username(email), (path, endpoint)
            assert endpoint.host.isascii() and endpoint.host == endpoint.host.lower()
        assert "%" not in resolved.display_name + provider.display_name, path
        assert len(resolved.imap) <= MAX_SERVERS_PER_KIND >= len(resolved.smtp)


def test_email_domain_in_host_names_is_filled_in_for_the_address() -> None:
    inbox = ispdb("inbox.lv")
    assert inbox.display_name == "inbox.lv"  # before an address is known: the first domain
    eu = inbox.for_address("anna@inbox.eu")
    assert [e.host for e in eu.imap + eu.pop3 + eu.smtp] == ["mail.inbox.eu"] * 3
    assert eu.display_name == "inbox.eu"
    assert eu.for_address("anna@inbox.eu") is eu
    lv = eu.for_address("bob@inbox.lv")  # another address: from the file again
    assert {e.host for e in lv.imap + lv.smtp} == {"mail.inbox.lv"}
    assert lv.imap[0].username("bob@inbox.lv") == "bob@inbox.lv"
    mail_ee = ispdb("mail.ee").for_address("anna@mail.ee")
    assert (mail_ee.imap[0].host, mail_ee.smtp[0].host, mail_ee.smtp[0].port) == (
        "mail.ee",
        "mail.ee",
        465,
    )
    # Nothing depends on the address: the very same provider.
    mailcom = builtin_provider()
    assert mailcom.for_address("anna@mail.com") is mailcom


def test_a_host_name_is_checked_again_with_the_address_filled_in() -> None:
    data = _doc(
        GOOD_SERVER.replace(
            "<hostname>h</hostname>", "<hostname>%EMAILLOCALPART%.mx.example</hostname>", 1
        )
    )
    provider = parse_provider(data, source="p.xml")
    assert provider.for_address("anna@x.test").imap[0].host == "anna.mx.example"
    with pytest.raises(ProviderError, match=r"invalid host name.*a\+b"):
        provider.for_address("a+b@x.test")
    verdict = check_address("a+b@example.test", provider)
    assert verdict.error is not None and "invalid host name" in verdict.error
    assert check_address("anna@example.test", provider).ok


def test_a_local_part_that_looks_like_a_placeholder_stays_as_typed() -> None:
    endpoint = ispdb("dd.iij4u.or.jp").pop3[0]
    assert endpoint.username("anna@dd.iij4u.or.jp") == "anna.dd.iij4u.or.jp"
    # Filled in one pass: what the user typed is never read as a placeholder itself.
    assert endpoint.username("%EMAILDOMAIN%@dd.iij4u.or.jp") == "%EMAILDOMAIN%.dd.iij4u.or.jp"


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("<hostname>h</hostname>", "<hostname>imap.%USERDOMAIN%</hostname>", "%USERDOMAIN%"),
        (
            "<username>%EMAILADDRESS%</username>",
            "<username>%EMAILADDRESS</username>",
            "%EMAILADDRESS",
        ),
        ("<username>%EMAILADDRESS%</username>", "<username>%REALNAME%</username>", "%REALNAME%"),
        ("<incomingServer", "<displayName>Mail of %ISP%</displayName><incomingServer", "%ISP%"),
    ],
)
def test_an_unknown_placeholder_is_refused_by_name(old: str, new: str, named: str) -> None:
    with pytest.raises(ProviderError) as caught:
        parse_provider(_doc(GOOD_SERVER.replace(old, new, 1)), source="p.xml")
    message = str(caught.value)
    assert message.startswith("p.xml") and "\n" not in message
    assert f"placeholder {named}, which is not" in message
    assert "%EMAILADDRESS%, %EMAILLOCALPART% or %EMAILDOMAIN%" in message


def test_an_unencrypted_fallback_is_skipped_and_said_so() -> None:
    rediff = ispdb("rediffmail.com")
    assert [(e.port, e.security) for e in rediff.pop3] == [(995, Security.SSL)]
    assert [(e.port, e.security) for e in rediff.smtp] == [(586, Security.SSL), (465, Security.SSL)]
    assert rediff.imap == ()
    assert len(rediff.skipped) == 2
    assert "POP3 pop.rediffmail.com:110: not encrypted" in rediff.skipped[0]
    assert "SMTP smtp.rediffmail.com:587: not encrypted" in rediff.skipped[1]
    assert any("pop.rediffmail.com:110" in note for note in rediff.notes)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "nifty.com",
            "no usable incoming server (IMAP or POP3): POP3 pop.nifty.com:110: not encrypted",
        ),
        ("kokuyou.ne.jp", "POP3 mail.kokuyou.ne.jp:110: not encrypted"),
    ],
)
def test_a_file_with_nothing_usable_says_which_entries_were_skipped_and_why(
    name: str, words: str
) -> None:
    with pytest.raises(ProviderError) as caught:
        ispdb(name)
    assert words in str(caught.value)


def test_an_entry_signing_in_another_way_is_skipped_with_its_method() -> None:
    ntlm = GOOD_SERVER.replace(
        "<authentication>password-cleartext</authentication></incomingServer>",
        "<authentication>NTLM</authentication><authentication>GSSAPI</authentication>"
        "</incomingServer><incomingServer type='imap'><hostname>h</hostname><port>143</port>"
        "<socketType>STARTTLS</socketType></incomingServer>",
    )
    provider = parse_provider(_doc(ntlm), source="p.xml")
    assert [e.port for e in provider.imap] == [143]
    assert provider.imap[0].auth is Auth.PASSWORD  # no <authentication>: the password
    assert provider.skipped == (
        "IMAP h:993: logs in only with NTLM, GSSAPI, and this wizard sets up password logins",
    )


def test_cram_md5_entries_are_kept_as_cram_md5() -> None:
    cluster = ispdb("clustermail.de")
    assert [e.auth for e in cluster.smtp] == [Auth.CRAM_MD5, Auth.CRAM_MD5]
    assert [e.auth for e in cluster.imap] == [Auth.PASSWORD, Auth.PASSWORD]
    iij = ispdb("dd.iij4u.or.jp")
    assert (iij.pop3[0].auth, iij.pop3[0].security, iij.pop3[0].port) == (
        Auth.CRAM_MD5,
        Security.STARTTLS,
        110,
    )
    # The first method the file lists that works with a password is the one used.
    both = GOOD_SERVER.replace(
        "<authentication>password-cleartext</authentication></incomingServer>",
        "<authentication>password-encrypted</authentication>"
        "<authentication>password-cleartext</authentication></incomingServer>",
    )
    assert parse_provider(_doc(both)).imap[0].auth is Auth.CRAM_MD5


@pytest.mark.parametrize("name", ["hotmail.com", "office365.com"])
def test_an_oauth2_only_provider_gets_one_true_line_pointing_to_ios_own_account_type(
    name: str,
) -> None:
    with pytest.raises(ProviderError) as caught:
        ispdb(name)
    line = str(caught.value)
    assert "\n" not in line
    assert "does not allow password logins from other programs" in line
    assert "only OAuth2 sign-in" in line
    for layout in LAYOUTS:
        assert f"Settings > {layout.accounts.text} > Add Account" in line
    assert facts.ios.PROVIDER_BUTTONS.text in line


@pytest.mark.parametrize("name", ["googlemail.com", "yahoo.com"])
def test_oauth2_or_password_providers_name_the_app_specific_password_up_front(name: str) -> None:
    provider = ispdb(name)
    assert provider.oauth_too
    assert "app-specific password" in provider.app_password_note
    assert provider.notes[0] == provider.app_password_note
    assert not builtin_provider().app_password_note
    assert not ispdb("free.fr").app_password_note


def test_user_names_follow_the_file() -> None:
    assert ispdb("free.fr").imap[0].username("anna@free.fr") == "anna"
    me = ispdb("me.com")
    assert me.imap[0].username("anna@me.com") == "anna"
    assert me.smtp[0].username("anna@me.com") == "anna@me.com"


def test_a_file_with_thousands_of_servers_offers_only_a_few_per_kind() -> None:
    imap = "".join(
        f"<incomingServer type='imap'><hostname>h{i}.example</hostname><port>993</port>"
        "<socketType>SSL</socketType></incomingServer>"
        for i in range(5000)
    )
    provider = parse_provider(_doc(imap + GOOD_SERVER.split("</incomingServer>")[1]))
    assert [e.host for e in provider.imap] == ["h0.example", "h1.example", "h2.example"]
    assert MAX_SERVERS_PER_KIND == 3
    assert provider.skipped == (
        "IMAP: the file lists 5000 servers; the wizard tries at most 3, the first usable ones",
    )


def test_duplicate_entries_are_tried_once() -> None:
    twice = (
        GOOD_SERVER.split("<outgoingServer")[0] * 2
        + "<outgoingServer"
        + GOOD_SERVER.split("<outgoingServer")[1]
    )
    assert len(parse_provider(_doc(twice)).imap) == 1


def test_a_host_is_stored_in_the_ascii_form_that_is_checked() -> None:
    data = _doc(
        GOOD_SERVER.replace("<hostname>h</hostname>", "<hostname>Fa\u00df.Example</hostname>", 1)
    )
    endpoint = parse_provider(data).imap[0]
    # The resolver and TLS (Python's IDNA codec) dial fass.example; the profile and the
    # steps say the same name, never the Unicode one another reading would turn elsewhere.
    assert endpoint.host == "fass.example" == "fa\u00df.example".encode("idna").decode()


@pytest.mark.parametrize("bad", ["mail\u009b2J.example", "\u202emoc.liam", "a..b"])
def test_a_domain_that_is_no_domain_is_refused_and_shown_cleaned(bad: str) -> None:
    with pytest.raises(ProviderError) as caught:
        parse_provider(_doc(GOOD_SERVER, domains=f"<domain>{bad}</domain>"), source="p.xml")
    message = str(caught.value)
    assert "<domain>" in message and "invalid host name" in message
    assert not control_characters(message)


def test_domains_are_stored_as_the_ascii_an_address_is_typed_in() -> None:
    provider = parse_provider(_doc(GOOD_SERVER, domains="<domain>M\u00fcller.Example.</domain>"))
    assert provider.domains == ("xn--mller-kva.example",)
    assert check_address("anna@xn--mller-kva.example", provider).confirmation is not None
    # "Did you mean" offers only such a cleaned domain.
    suggestion = check_address("anna@xn--mller-kva.exampl", provider).suggestion
    assert suggestion == "anna@xn--mller-kva.example"


def test_thousands_of_unusable_entries_are_counted_not_read() -> None:
    plain = "".join(
        f"<incomingServer type='pop3'><hostname>p{i}.example</hostname><port>110</port>"
        "<socketType>plain</socketType></incomingServer>"
        for i in range(5000)
    )
    provider = parse_provider(_doc(plain + GOOD_SERVER))
    assert provider.pop3 == () and len(provider.imap) == 1
    assert len(provider.skipped) == 13  # twelve read, and the count of the rest
    assert provider.skipped[-1].startswith("POP3: the file lists 5000 servers")
    with pytest.raises(ProviderError) as caught:
        parse_provider(_doc(plain + GOOD_SERVER.split("</incomingServer>")[1]), source="p.xml")
    assert "; and 10 more." in str(caught.value) and len(str(caught.value)) < 600


def test_the_check_dials_the_host_filled_in_for_the_address(
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A file whose servers are named after the address: the check (the CLI, the engine)
    dials the name filled in for the user's address, never the template."""
    from wizard.cli import main

    pop3 = faults.hostile(Protocol.POP3, Security.SSL)
    smtp = faults.hostile(Protocol.SMTP, Security.SSL)
    pop3.reset()
    endpoints = [
        replace(fake.endpoint(Security.SSL), host="%EMAILLOCALPART%") for fake in (pop3, smtp)
    ]
    path = tmp_path / "named-after-you.xml"
    path.write_text(render_provider("you", ["example.test"], endpoints))
    monkeypatch.setattr("sys.stdin", io.StringIO("a-password\n"))
    argv = ["check", "--email", "localhost@example.test", "--protocol", "pop", "--json"]
    argv += ["--provider", str(path), "--cafile", str(faults.certificates.cafile)]
    code = main([*argv, "--password-stdin", "--timeout", "3"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # the fake refuses the login: it was reached, under the filled-in name
    assert {attempt["host"] for attempt in report["attempts"]} == {"localhost"}
    assert pop3.saw_login
    assert "USER localhost@example.test" in pop3.commands
