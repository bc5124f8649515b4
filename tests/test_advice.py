"""The advice of every status code, checked on the words that matter: which port, which host,
which fix. Giving one failure another failure's advice must fail here.

Only stable facts are asserted (port numbers, host names, the fallback port, the named
culprits and fixes), so the wording around them may change freely. The words come from
``diagnosis.explain``, the one entry point the engine calls with what it saw.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from wizard.core.diagnosis import (
    Context,
    explain,
    explain_attempt,
    row_words,
)
from wizard.core.facts import ios
from wizard.core.models import Attempt, CertificateInfo, Endpoint, Protocol, Security, Status
from wizard.core.wording import STATUS_WORDS, other_network

HOST = "imap.example.test"
ENDPOINT = Endpoint(Protocol.IMAP, HOST, 1993, Security.SSL)
FALLBACK = Endpoint(Protocol.IMAP, HOST, 1143, Security.STARTTLS)
SMTP = Endpoint(Protocol.SMTP, "smtp.example.test", 1465, Security.SSL)
EMAIL = "jane@example.test"
CONTEXT = Context(EMAIL, provider_name="Example Mail", mailcom=False)
CERT = CertificateInfo(
    subject="other.example.net",
    issuer="Shield Root CA",
    not_before=dt.datetime(2024, 2, 3, tzinfo=dt.UTC),
    not_after=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
    sha256="AB:CD",
)


def seen(status: Status, endpoint: Endpoint = ENDPOINT, **kw: object) -> Attempt:
    """What the engine hands over: a status and a technical detail, no words."""
    return Attempt(
        endpoint,
        status,
        detail=str(kw.pop("detail", "DETAIL-WORDS")),
        login_tested=bool(kw.pop("login_tested", status in (Status.OK, Status.AUTH_FAILED))),
        certificate=CERT if status.is_certificate_problem else None,
        **kw,  # type: ignore[arg-type]
    )


def words(status: Status, *others: Attempt, context: Context = CONTEXT) -> str:
    """Title, action and advice of one failed attempt, beside the check's other attempts."""
    # SMTP refusing the connection keeps "nothing answered at all" out of it.
    rest = (*others, seen(Status.CONNECTION_REFUSED, SMTP))
    attempt = explain([seen(status), *rest], context).attempts[0]
    return f"{attempt.title}\n{attempt.action}\n{attempt.advice}"


# What each status's words must say: its own facts and its own fix.
MUST_SAY: dict[Status, tuple[str, ...]] = {
    Status.OK: ("1993",),
    Status.DNS_FAILED: (HOST, "look up", "another network"),
    Status.NO_ROUTE: (HOST, "no route", "another network"),
    Status.CONNECTION_REFUSED: ("1993", HOST, "antivirus", "another network"),
    Status.TIMEOUT: ("1993", HOST, "another network", "within 10 s"),
    Status.TLS_STALLED: ("1993", HOST, "accepted the connection", "never set up", "VPN"),
    Status.SERVER_SILENT: ("1993", HOST, "accepted the connection", "said nothing", "online"),
    Status.TLS_FAILED: ("1993", HOST, "antivirus", "VPN", "another network", "switch SSL off"),
    Status.CERTIFICATE_UNTRUSTED: (
        HOST,
        "Shield Root CA",
        "antivirus",
        "another network",
        "Do not switch SSL off",
    ),
    Status.CERTIFICATE_EXPIRED: (HOST, "date and time", "clock", "2024-05-06", "Do not switch"),
    Status.CERTIFICATE_HOSTNAME_MISMATCH: ("1993", HOST, "other.example.net", "another network"),
    Status.STARTTLS_UNAVAILABLE: ("1993", "did not offer to switch", "without SSL", "answer No"),
    Status.PLAINTEXT_INJECTED: ("1993", "slipped", "before sending the password", "without SSL"),
    Status.AUTH_FAILED: ("1993", "IMAP", "Caps Lock"),
    Status.PROTOCOL_ERROR: ("1993", HOST, "a few minutes"),
}

# Words that belong to one failure only: another status's words must not carry them.
ONLY: dict[Status, tuple[str, ...]] = {
    Status.CERTIFICATE_EXPIRED: ("clock",),
    Status.CERTIFICATE_HOSTNAME_MISMATCH: ("other.example.net", "redirects"),
    Status.CERTIFICATE_UNTRUSTED: ("Shield Root CA", "intercepting encrypted"),
    Status.STARTTLS_UNAVAILABLE: ("did not offer to switch",),
    Status.PLAINTEXT_INJECTED: ("slipped",),
    Status.SERVER_SILENT: ("said nothing",),
    Status.TLS_STALLED: ("never set up",),
    Status.NO_ROUTE: ("no route",),
    Status.AUTH_FAILED: ("Caps Lock",),
}

#: Jargon and internals that never reach a title, an action or advice (the details and the
#: JSON keep the technical terms and the codes).
JARGON = re.compile(r"\bTLS\b|\bDNS\b|STARTTLS|wrong version number|DETAIL-WORDS|_")


def test_every_status_is_covered() -> None:
    assert set(MUST_SAY) == set(Status) == set(STATUS_WORDS)


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


@pytest.mark.parametrize("status", list(Status))
def test_plain_words_and_the_technical_detail_kept_for_the_details(status: Status) -> None:
    attempt = explain([seen(status), seen(Status.OK, SMTP)], CONTEXT).attempts[0]
    shown = f"{attempt.title}\n{attempt.action}\n{attempt.advice}"
    assert not JARGON.search(shown), (status, JARGON.search(shown), shown)
    assert status.value not in shown
    # The detail and the code stay for the details panel and the JSON.
    assert attempt.detail == "DETAIL-WORDS"
    assert attempt.to_json()["detail"] == "DETAIL-WORDS"
    assert attempt.to_json()["status"] == status.value


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.OK, Status.AUTH_FAILED)])
def test_a_failure_with_a_working_fallback_names_the_fallback_port(status: Status) -> None:
    text = words(status, seen(Status.OK, FALLBACK))
    assert "Port 1143 works" in text and "nothing to do" in text, (status, text)
    assert "1143" not in words(status), status


def test_the_advice_of_every_status_differs() -> None:
    """No two failures share their words (the wrong-host failure is not the expired one)."""
    texts = {status: words(status) for status in Status}
    assert len(set(texts.values())) == len(Status)
    rows = {STATUS_WORDS[status].failed for status in Status if status is not Status.OK}
    assert len(rows) == len(Status) - 1, "each failure has its own 'port 465 ...' words"


def test_offline_is_said_only_when_nothing_answered_at_all() -> None:
    nothing = [seen(Status.DNS_FAILED), seen(Status.NO_ROUTE, SMTP), seen(Status.TIMEOUT, FALLBACK)]
    for attempt in explain(nothing, CONTEXT).attempts:
        assert "internet connection" in attempt.action, attempt
    # A server that accepted the connection and then went quiet proves the network works.
    for stall in (Status.SERVER_SILENT, Status.TLS_STALLED):
        stalled = explain([seen(stall), seen(stall, SMTP), seen(Status.TIMEOUT, FALLBACK)], CONTEXT)
        for attempt in stalled.attempts:
            text = f"{attempt.title} {attempt.action} {attempt.advice}"
            assert "internet connection" not in text and "offline" not in text, (stall, text)
            assert "not connected" not in text, (stall, text)


def test_a_time_limit_too_short_to_connect_is_named_as_that() -> None:
    short = Context(EMAIL, provider_name="Example Mail", mailcom=False, timeout=0.001)
    nothing = [seen(Status.TIMEOUT), seen(Status.TIMEOUT, SMTP), seen(Status.TLS_STALLED, FALLBACK)]
    for attempt in explain(nothing, short).attempts:
        assert "0.001 s" in attempt.action and "longer" in attempt.action, attempt.action
        assert "internet connection" not in attempt.action
    # With the default limit the same silence is the network's.
    assert "internet connection" in explain(nothing[:2], CONTEXT).attempts[0].action


def test_ports_of_a_half_that_failed_alike_are_named_together() -> None:
    both = explain(
        [seen(Status.TIMEOUT), seen(Status.CONNECTION_REFUSED, FALLBACK), seen(Status.OK, SMTP)],
        CONTEXT,
    )
    assert "ports 1993 and 1143" in both.attempts[0].action
    assert "ports 1993 and 1143" in both.attempts[1].action


def test_login_not_repeated_names_the_port_it_was_tried_on() -> None:
    refused = seen(Status.AUTH_FAILED, FALLBACK)
    reached = seen(Status.OK, login_tested=False)
    text = explain([refused, reached, seen(Status.OK, SMTP)], CONTEXT).attempts[1].advice
    assert "1143" in text and "not tried again" in text


def test_the_most_telling_failure_is_chosen_and_a_verified_port_first() -> None:
    explained = explain(
        [seen(Status.TIMEOUT), seen(Status.STARTTLS_UNAVAILABLE, FALLBACK), seen(Status.OK, SMTP)],
        CONTEXT,
    )
    assert explained.incoming.status is Status.STARTTLS_UNAVAILABLE
    assert explained.outgoing.status is Status.OK


def test_no_starttls_says_answer_no_to_setting_up_without_ssl() -> None:
    """Issue 19's test gap: "answer Yes" instead of "No" was caught only by snapshots."""
    advice = words(Status.STARTTLS_UNAVAILABLE)
    assert f"{ios.WITHOUT_SSL.text} on the iPhone, answer No." in advice
    assert "answer Yes" not in advice and "tap Yes" not in advice


def test_a_preliminary_row_gets_words_of_its_own() -> None:
    attempt = explain_attempt(seen(Status.TIMEOUT), CONTEXT)
    assert attempt.title == "No answer on port 1993" and attempt.action
    assert row_words(attempt) == "✗ blocked here"
    assert row_words(seen(Status.OK, login_tested=False)) == "✓ connects securely"


def test_one_wording_for_another_network() -> None:
    here = other_network(checked_here=True)
    assert "mobile data" in here and "the one this computer is on" in here
    assert "the one this computer is on" not in other_network()
