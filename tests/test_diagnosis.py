"""Diagnosis wording: every code gets a title and a fix, and special replies are named."""

from __future__ import annotations

import datetime as dt

import pytest

from wizard.core.diagnosis import Context, describe
from wizard.core.models import CertificateInfo, Endpoint, Protocol, Security, Status

IMAP = Endpoint(Protocol.IMAP, "imap.mail.com", 993, Security.SSL)
SMTP_465 = Endpoint(Protocol.SMTP, "smtp.mail.com", 465, Security.SSL)
SMTP_587 = Endpoint(Protocol.SMTP, "smtp.mail.com", 587, Security.STARTTLS)
CERT = CertificateInfo(
    subject="CN=imap.mail.com",
    issuer="CN=Avast Web/Mail Shield Root",
    not_before=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    sha256="AA",
)


def _describe(status: Status, endpoint: Endpoint = IMAP, **kw: object) -> tuple[str, str]:
    context = kw.pop("context", Context("jane@usa.com"))
    return describe(
        endpoint,
        status,
        detail=str(kw.pop("detail", "detail")),
        reply=kw.pop("reply", None),  # type: ignore[arg-type]
        login_tested=bool(kw.pop("login_tested", False)),
        certificate=kw.pop("certificate", None),  # type: ignore[arg-type]
        context=context,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("status", list(Status))
def test_every_code_has_words_and_never_suggests_turning_ssl_off(status: Status) -> None:
    title, advice = _describe(status, certificate=CERT)
    assert title and advice
    lowered = advice.lower()
    for bad in ("turn ssl off", "disable ssl", "without ssl and", "switch ssl off and"):
        assert bad not in lowered


def test_blocked_port_names_the_other_secure_port_both_ways() -> None:
    title, advice = _describe(
        Status.TIMEOUT, SMTP_465, context=Context("a@mail.com", fallback=SMTP_587)
    )
    assert "465" in title and "block" in title
    assert "Port 587 works and will be used" in advice
    title, advice = _describe(
        Status.TIMEOUT, SMTP_587, context=Context("a@mail.com", fallback=SMTP_465)
    )
    assert "587" in title
    assert "Port 465 works and will be used" in advice


def test_certificate_untrusted_shows_issuer_subject_dates_and_interception() -> None:
    _, advice = _describe(Status.CERTIFICATE_UNTRUSTED, certificate=CERT)
    assert "Avast Web/Mail Shield Root" in advice
    assert "CN=imap.mail.com" in advice
    assert "2025-01-01" in advice and "2026-01-01" in advice
    assert "antivirus" in advice and "VPN" in advice and "proxy" in advice


def test_auth_failed_lists_every_cause() -> None:
    title, advice = _describe(Status.AUTH_FAILED, reply="[AUTHENTICATIONFAILED] failed")
    assert title == "mail.com refused the login"
    assert "POP3 & IMAP access" in advice and "Premium" in advice
    assert "Home > Security Options > Manage application-specific passwords" in advice
    assert "full address, jane@usa.com" in advice
    assert "Caps Lock" in advice


@pytest.mark.parametrize(
    ("reply", "title"),
    [
        (
            "[UNAVAILABLE] Maximum number of connections from user+IP exceeded",
            "Too many connections to this mailbox",
        ),
        (
            "[ALERT] Too many simultaneous connections. (Failure)",
            "Too many connections to this mailbox",
        ),
        ("[UNAVAILABLE] Internal error occurred", "mail.com is temporarily unavailable"),
        ("-ERR [IN-USE] Mailbox locked", "The mailbox is in use by another device"),
    ],
)
def test_special_replies_are_named(reply: str, title: str) -> None:
    got, advice = _describe(Status.AUTH_FAILED, reply=reply)
    assert got == title
    assert reply.rstrip(".") in advice


def test_alert_is_quoted_with_the_checklist() -> None:
    _, advice = _describe(Status.AUTH_FAILED, reply="[ALERT] Please log in via your web browser")
    assert "sent an alert" in advice
    assert "Please log in via your web browser" in advice
    assert "POP3 & IMAP access" in advice


def test_no_internet_is_said_once_in_plain_words() -> None:
    title, advice = _describe(
        Status.DNS_FAILED, context=Context("a@mail.com", everything_failed_alike=True)
    )
    assert title == "mail.com cannot be reached"
    assert "not connected to the internet" in advice


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.OK])
def test_no_raw_status_code_inside_a_sentence(status: Status) -> None:
    # The engine once passed the code itself as the detail when a probe gave none, and the
    # advice read "could not be set up (tls_failed)".
    for detail in ("", status.value):
        title, advice = _describe(status, detail=detail, certificate=CERT)
        assert status.value not in title + advice
        assert "()" not in advice


def test_a_real_detail_is_still_shown() -> None:
    _, advice = _describe(Status.TLS_FAILED, detail="the handshake was cut off")
    assert "could not be set up (the handshake was cut off)" in advice


def test_auth_failed_uses_mail_coms_own_words() -> None:
    _, advice = _describe(Status.AUTH_FAILED, reply="NO failed")
    assert "If two-factor authentication is on" in advice
    assert "2-step" not in advice and "two-step" not in advice
    assert "look under Settings for POP3 & IMAP" in advice
    assert "support.mail.com/pop-imap/toggle.html" in advice
    # Not stated as a certainty: no source shows mail.com's own replies.
    assert "may not say why" in advice


def test_another_provider_gets_no_mail_com_advice() -> None:
    endpoint = Endpoint(Protocol.IMAP, "imap.example.org", 993, Security.SSL)
    context = Context("jane@example.org", provider_name="Example Mail", mailcom=False)
    for status in Status:
        title, advice = _describe(status, endpoint, context=context, reply="NO failed")
        text = title + advice
        for word in ("mail.com", "POP3 & IMAP", "Premium", "Security Options"):
            assert word not in text, (status, word)
    _, advice = _describe(Status.AUTH_FAILED, endpoint, context=context, reply="NO failed")
    assert "Example Mail" in advice and "app-specific password" in advice
    assert "jane@example.org" in advice  # the user name the wizard logs in with


def test_a_refusal_is_not_said_twice() -> None:
    detail = "imap.mail.com refused the connection on port 993"
    _, advice = _describe(Status.CONNECTION_REFUSED, detail=detail)
    assert detail not in advice and "did not accept a connection on port 993." in advice
    unreachable = "imap.mail.com port 993 cannot be reached from this network (No route)"
    _, advice = _describe(Status.CONNECTION_REFUSED, detail=unreachable)
    assert f"({unreachable})" in advice
