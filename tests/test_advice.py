"""The advice of every status code, checked on the words that matter: which port, which host,
which fix. Giving one failure another failure's advice must fail here.

Only stable facts are asserted (port numbers, host names, the fallback port, the named
culprits and fixes), so the wording around them may change freely.
"""

from __future__ import annotations

import datetime as dt

import pytest

from wizard.core.diagnosis import Context, describe
from wizard.core.models import CertificateInfo, Endpoint, Protocol, Security, Status

HOST = "imap.example.test"
ENDPOINT = Endpoint(Protocol.IMAP, HOST, 1993, Security.SSL)
FALLBACK = Endpoint(Protocol.IMAP, HOST, 1143, Security.STARTTLS)
EMAIL = "jane@example.test"
CERT = CertificateInfo(
    subject="other.example.net",
    issuer="Shield Root CA",
    not_before=dt.datetime(2024, 2, 3, tzinfo=dt.UTC),
    not_after=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
    sha256="AB:CD",
)


def advice_for(status: Status, **context: object) -> tuple[str, str]:
    # An endpoint that was reached while the login was tried elsewhere was not logged in to.
    tested = status is Status.OK and "login_tried_on" not in context
    return describe(
        ENDPOINT,
        status,
        detail="DETAIL-WORDS",
        reply=None,
        login_tested=tested,
        certificate=CERT if status.is_certificate_problem else None,
        context=Context(EMAIL, provider_name="Example Mail", **context),  # type: ignore[arg-type]
    )


def words(status: Status, **context: object) -> str:
    """Title and advice, without the certificate's own lines that follow the advice (they
    name subject and issuer for every certificate problem alike)."""
    title, advice = advice_for(status, **context)
    return f"{title}\n{advice}".split("\nCertificate presented:")[0]


# What each status's advice must say: its own facts and its own fix.
MUST_SAY: dict[Status, tuple[str, ...]] = {
    Status.OK: ("1993",),
    Status.DNS_FAILED: (HOST, "DNS"),
    Status.CONNECTION_REFUSED: ("1993", HOST, "antivirus", "another network", "DETAIL-WORDS"),
    Status.TIMEOUT: ("1993", HOST, "another network", "DETAIL-WORDS"),
    Status.TLS_FAILED: ("1993", HOST, "antivirus", "VPN", "another network", "switch SSL off"),
    Status.CERTIFICATE_UNTRUSTED: (
        HOST,
        "Shield Root CA",
        "antivirus",
        "another network",
        "Do not switch SSL off",
    ),
    Status.CERTIFICATE_EXPIRED: (
        HOST,
        "date and time",
        "clock",
        "2024-05-06",
        "Do not switch SSL off",
    ),
    Status.CERTIFICATE_HOSTNAME_MISMATCH: (
        "1993",
        HOST,
        "other.example.net",
        "another network",
        "Do not switch SSL off",
    ),
    Status.STARTTLS_UNAVAILABLE: ("1993", "STARTTLS", "without SSL"),
    Status.AUTH_FAILED: ("1993", "IMAP", EMAIL),
    Status.PROTOCOL_ERROR: ("1993", HOST, "DETAIL-WORDS"),
}

# Words that belong to one failure only: another status's advice must not carry them.
ONLY: dict[Status, tuple[str, ...]] = {
    Status.CERTIFICATE_EXPIRED: ("clock",),
    Status.CERTIFICATE_HOSTNAME_MISMATCH: ("other.example.net", "redirects"),
    Status.CERTIFICATE_UNTRUSTED: ("Shield Root CA", "intercepting encrypted"),
    Status.STARTTLS_UNAVAILABLE: ("STARTTLS",),
    Status.AUTH_FAILED: (EMAIL,),
}


def test_every_status_is_covered() -> None:
    assert set(MUST_SAY) == set(Status)


@pytest.mark.parametrize("status", list(Status))
def test_each_status_says_its_facts_and_its_fix(status: Status) -> None:
    text = words(status)
    for expected in MUST_SAY[status]:
        assert expected in text, (status, expected, text)
    for other, own in ONLY.items():
        if other is status:
            continue
        for word in own:
            assert word not in text, (status, f"carries {other}'s {word!r}", text)


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.OK, Status.AUTH_FAILED)])
def test_a_failure_with_a_working_fallback_names_the_fallback_port(status: Status) -> None:
    text = words(status, fallback=FALLBACK)
    assert "Port 1143" in text, (status, text)
    assert "Port 1143" not in words(status), status


def test_the_advice_of_every_status_differs() -> None:
    """No two failures share their advice (the wrong-host failure is not the expired one)."""
    texts = {status: words(status) for status in Status}
    assert len(set(texts.values())) == len(Status)


def test_no_internet_and_silence_everywhere_say_so_once() -> None:
    dns = words(Status.DNS_FAILED, everything_failed_alike=True)
    assert "internet" in dns and HOST in dns and "another network" in dns
    silent = words(Status.TIMEOUT, everything_failed_alike=True)
    assert "another network" in silent and "Example Mail" in silent


def test_login_not_repeated_names_the_port_it_was_tried_on() -> None:
    text = words(Status.OK, login_tried_on=FALLBACK, login_refused_elsewhere=True)
    assert "1143" in text
