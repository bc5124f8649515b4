"""A server's words never drive the terminal, and never carry the password into the output.

Anyone on the path to ports 143, 110 or 587 can answer in clear text before STARTTLS; a
server behind TLS can say anything in its refusal. The fakes here answer with escape
sequences (window title, clear screen, red text) and echo the password they were sent.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import trustme

from tests.testbed import FAKE_CLAIM, HOSTILE_WORDS, FaultListeners
from tests.testbed.provider_files import render_provider
from wizard.cli import main
from wizard.core.models import Endpoint, Protocol, Security, Status
from wizard.core.probes.base import ProbeFailure, reply_text
from wizard.core.text import clean_line, control_characters
from wizard.core.tls import certificate_info

SECRET = "Hostile-Echo-Secret-42"

# Anything but a newline that a terminal could act on: C0, DEL, C1, bidirectional controls.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def hostile_provider(faults: FaultListeners, folder: Path) -> Path:
    """Every protocol twice: first by STARTTLS (refused), then by implicit TLS (login refused)."""
    endpoints: list[Endpoint] = []
    for protocol in (Protocol.IMAP, Protocol.POP3, Protocol.SMTP):
        for security in (Security.STARTTLS, Security.SSL):
            endpoints.append(faults.hostile(protocol, security).endpoint(security))
    path = folder / "hostile.xml"
    path.write_text(render_provider("hostile", ["mail.com"], endpoints), encoding="utf-8")
    return path


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("protocol", ["imap", "pop"])
def test_hostile_server_words_reach_the_output_cleaned(
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    protocol: str,
    as_json: bool,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    argv = ["check", "--email", "ann@mail.com", "--password-stdin", "--protocol", protocol]
    argv += ["--provider", str(hostile_provider(faults, tmp_path))]
    argv += ["--cafile", str(faults.certificates.cafile), "--timeout", "3"]
    code = main(argv + (["--json"] if as_json else []))
    out, err = capsys.readouterr()
    assert code == 1
    assert not CONTROL.search(out + err), repr(CONTROL.search(out + err))
    # The server's words are shown (cleaned), so the test proves they were captured...
    assert FAKE_CLAIM in " ".join(out.split())  # (long lines wrap at 80 columns)
    # ...but the password it echoed is not.
    assert SECRET not in out + err
    for protocol_name in ("IMAP", "POP3", "SMTP"):
        fake = faults.hostile(Protocol[protocol_name], Security.SSL)
        if protocol_name == "POP3" and protocol == "imap":
            continue
        if protocol_name == "IMAP" and protocol == "pop":
            continue
        assert fake.saw_login, protocol_name  # the echo really happened
    if as_json:
        report = json.loads(out)
        statuses = {(a["protocol"], a["security"]): a["status"] for a in report["attempts"]}
        incoming = "imap" if protocol == "imap" else "pop3"
        for name in (incoming, "smtp"):
            assert statuses[(name, "starttls")] == Status.STARTTLS_UNAVAILABLE.value
            assert statuses[(name, "ssl")] == Status.AUTH_FAILED.value
        replies = [a["server_reply"] for a in report["attempts"] if a["server_reply"]]
        assert replies and all(not control_characters(reply) for reply in replies)


def test_reply_text_and_failures_are_cleaned_where_they_are_made() -> None:
    raw = f"NO {HOSTILE_WORDS}\r\nsecond line".encode()
    assert reply_text(raw) == f"NO ]0;pwned[2J[31m{FAKE_CLAIM}[0m2Jevil second line"
    failure = ProbeFailure(Status.PROTOCOL_ERROR, f"refused: {HOSTILE_WORDS}", HOSTILE_WORDS)
    assert not control_characters(failure.detail)
    assert failure.reply is not None and not control_characters(failure.reply)
    assert FAKE_CLAIM in failure.reply


def test_clean_line_keeps_ordinary_text_and_words_apart() -> None:
    assert clean_line("  * OK Dovecot ready.  ") == "* OK Dovecot ready."
    assert clean_line("Zürich\tgrüßt\ncafé") == "Zürich grüßt café"
    assert clean_line("a\x00b\x1b[2Jc\u009bd\u202ee") == "ab[2Jcde"
    assert clean_line("x" * 10, limit=4) == "xxxx…"


def test_certificate_names_are_cleaned() -> None:
    """A certificate's subject and issuer are the server's words too."""
    hostile = trustme.CA(organization_name="Shield", organization_unit_name=HOSTILE_WORDS)
    leaf = hostile.issue_cert("localhost")
    der = _der(leaf.cert_chain_pems[0].bytes())
    info = certificate_info(der)
    assert info is not None
    assert not control_characters(info.issuer) and not control_characters(info.subject)
    assert "FAKE: all good" in info.issuer


def _der(pem: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
