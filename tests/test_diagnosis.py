"""Diagnosis wording: every code gets a title and a fix, special replies are named, and a
refusal is read against all the evidence of the check (a right password is never called
wrong)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from wizard.core import access
from wizard.core.diagnosis import Context, certificate_lines, explain
from wizard.core.facts import mailcom
from wizard.core.models import (
    Attempt,
    CertificateInfo,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Plan,
    Protocol,
    Security,
    Status,
)
from wizard.core.provider import builtin_provider
from wizard.core.verdict import role_lines, verdict_of

IMAP = Endpoint(Protocol.IMAP, "imap.mail.com", 993, Security.SSL)
POP = Endpoint(Protocol.POP3, "pop.mail.com", 995, Security.SSL)
SMTP_465 = Endpoint(Protocol.SMTP, "smtp.mail.com", 465, Security.SSL)
SMTP_587 = Endpoint(Protocol.SMTP, "smtp.mail.com", 587, Security.STARTTLS)
CERT = CertificateInfo(
    subject="CN=imap.mail.com",
    issuer="CN=Avast Web/Mail Shield Root",
    not_before=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    sha256="AA",
)
MAILCOM = Context("jane@usa.com")
OTHER = Context("jane@example.org", provider_name="Example Mail", mailcom=False)


def _describe(
    status: Status, endpoint: Endpoint = IMAP, context: Context = MAILCOM, **kw: object
) -> tuple[str, str, str]:
    """Title, advice and action of one attempt, beside an SMTP port that refused."""
    attempt = Attempt(
        endpoint,
        status,
        server_reply=kw.pop("reply", None),  # type: ignore[arg-type]
        detail=str(kw.pop("detail", "detail")),
        login_tested=status in (Status.OK, Status.AUTH_FAILED),
        certificate=kw.pop("certificate", CERT) if status.is_certificate_problem else None,  # type: ignore[arg-type]
    )
    smtp = Attempt(SMTP_587, Status.CONNECTION_REFUSED)
    worded = explain([attempt, smtp], context).attempts[0]
    return worded.title, worded.advice, worded.action


@pytest.mark.parametrize("status", list(Status))
def test_every_code_has_words_and_never_suggests_turning_ssl_off(status: Status) -> None:
    title, advice, _ = _describe(status)
    assert title and advice
    lowered = advice.lower()
    for bad in ("turn ssl off", "disable ssl", "without ssl and", "switch ssl off and"):
        assert bad not in lowered


def test_blocked_port_names_the_other_secure_port_both_ways() -> None:
    for blocked, works in ((SMTP_465, SMTP_587), (SMTP_587, SMTP_465)):
        attempts = [
            Attempt(IMAP, Status.OK, login_tested=True),
            Attempt(blocked, Status.TIMEOUT),
            Attempt(works, Status.OK, login_tested=True),
        ]
        worded = explain(attempts, MAILCOM).attempts[1]
        assert str(blocked.port) in worded.title
        assert f"Port {works.port} works and will be used" in worded.advice
        assert f"but port {works.port} does and is used instead" in worded.action


def test_a_certificates_names_are_read_with_escapes_undone_and_cleaned_again() -> None:
    """The organisation and common name come from the RFC 4514 string, whose escapes may
    hide control characters the cleaning of the whole string could not see."""
    cert = dataclasses.replace(
        CERT,
        issuer="CN=Root\\, Inc,O=Shield \\1B[2J\\0ACorp",
        subject="2.5.4.3=#0c036d0a61",  # a hex-encoded common name holding a line break
    )
    assert cert.issuer_name == "Shield [2J Corp"
    assert cert.subject_name == "m a"
    assert dataclasses.replace(cert, issuer="CN=Root\\, Inc").issuer_name == "Root, Inc"
    assert dataclasses.replace(cert, issuer="Shield Root CA").issuer_name == "Shield Root CA"


def test_certificate_untrusted_names_the_issuer_and_the_interceptors() -> None:
    _, advice, _ = _describe(Status.CERTIFICATE_UNTRUSTED)
    assert "Avast Web/Mail Shield Root" in advice
    assert "antivirus" in advice and "VPN" in advice and "proxy" in advice
    # The certificate itself is for the details, in three lines of its own.
    lines = certificate_lines(CERT)
    assert "CN=imap.mail.com" in lines and "2025-01-01" in lines and "2026-01-01" in lines
    assert "Certificate presented" not in advice


def test_auth_failed_lists_every_cause_in_the_one_order() -> None:
    title, advice, action = _describe(Status.AUTH_FAILED, reply="[AUTHENTICATIONFAILED] failed")
    assert title == "mail.com refused the login"
    assert "POP3/IMAP access" in advice and "Premium" in advice
    assert "Home > Security Options > Manage application-specific passwords" in advice
    assert "Caps Lock" in advice
    # The lead line names the causes in the order of the list below it.
    items = access.refusal_checklist("mail.com", True)
    assert [item.key for item in items] == ["plan", "access", "two-factor", "password"]
    assert access.in_order(items) in action
    positions = [advice.index(item.title) for item in items]
    assert positions == sorted(positions)


def test_the_plan_leads_only_while_the_user_has_not_said_which_they_have() -> None:
    def keys(**kw: object) -> list[str]:
        return [item.key for item in access.refusal_checklist("mail.com", True, **kw)]  # type: ignore[arg-type]

    assert keys()[0] == "plan"
    assert keys(plan=Plan.NOT_SURE)[0] == "plan"
    assert keys(plan=Plan.OLD_FREE)[:2] == ["access", "plan"]
    assert "plan" not in keys(plan=Plan.PREMIUM)
    assert keys(password_right=True, protocol=Protocol.POP3) == [
        "access",
        "plan",
        "other-protocol",
    ]
    # Another provider: no mail.com plan, its own words.
    assert [i.key for i in access.refusal_checklist("Example Mail", False)] == [
        "access",
        "two-factor",
        "password",
    ]


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
    got, advice, _ = _describe(Status.AUTH_FAILED, reply=reply)
    assert got == title
    assert reply.rstrip(".") in advice


def test_alert_is_quoted_with_the_checklist() -> None:
    _, advice, _ = _describe(Status.AUTH_FAILED, reply="[ALERT] Please log in via your web browser")
    assert "sent an alert" in advice
    assert "Please log in via your web browser" in advice
    assert "POP3/IMAP access" in advice


def test_no_internet_is_said_once_in_plain_words() -> None:
    attempts = [Attempt(IMAP, Status.DNS_FAILED), Attempt(SMTP_465, Status.DNS_FAILED)]
    worded = explain(attempts, MAILCOM).attempts[0]
    assert worded.title == "mail.com cannot be reached"
    assert "not connected to the internet" in worded.advice


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.OK])
def test_no_raw_status_code_or_detail_inside_a_sentence(status: Status) -> None:
    # The engine once passed the code itself as the detail when a probe gave none, and the
    # advice read "could not be set up (tls_failed)"; the detail now stays in the details.
    for detail in ("", status.value, "wrong version number"):
        title, advice, action = _describe(status, detail=detail)
        assert status.value not in title + advice + action
        assert "()" not in advice and "wrong version number" not in advice


def test_auth_failed_uses_mail_coms_own_words() -> None:
    _, advice, _ = _describe(Status.AUTH_FAILED, reply="NO failed")
    assert "Is two-factor authentication on?" in advice
    assert "2-step" not in advice and "two-step" not in advice
    assert "look under Settings for POP3/IMAP" in advice
    assert "support.mail.com/pop-imap/toggle.html" in advice
    # Not stated as a certainty: no source shows mail.com's own replies.
    assert "may not say why" in advice
    assert "GMX" not in advice and "sister service" not in advice


def test_another_provider_gets_no_mail_com_advice() -> None:
    endpoint = Endpoint(Protocol.IMAP, "imap.example.org", 993, Security.SSL)
    cert = dataclasses.replace(CERT, subject="CN=imap.example.org")
    for status in Status:
        title, advice, action = _describe(
            status, endpoint, OTHER, reply="NO failed", certificate=cert
        )
        text = title + advice + action
        for word in ("mail.com", "POP3/IMAP", "Premium", "Security Options"):
            assert word not in text, (status, word)
    _, advice, _ = _describe(Status.AUTH_FAILED, endpoint, OTHER, reply="NO failed")
    assert "Example Mail" in advice and "app-specific password" in advice


def test_advice_never_asks_for_a_value_the_user_never_typed() -> None:
    # The user typed no server name: "check the spelling" or "is exactly ..." is not theirs.
    for status in (Status.DNS_FAILED, Status.CERTIFICATE_HOSTNAME_MISMATCH):
        _, advice, action = _describe(status)
        assert "spell" not in advice + action and "is exactly" not in advice


# -- a refusal read against the whole check (issue 20, item 1) ----------------------------


def pop_refused_smtp_accepted() -> CheckReport:
    """POP access off while SMTP accepts the same password."""
    provider = builtin_provider()
    pop_995, pop_110 = provider.pop3
    attempts = [
        Attempt(pop_995, Status.AUTH_FAILED, login_tested=True, server_reply="-ERR failed"),
        Attempt(pop_110, Status.OK),
        Attempt(SMTP_465, Status.OK, login_tested=True),
        Attempt(SMTP_587, Status.OK),
    ]
    explained = explain(attempts, MAILCOM)
    return CheckReport(
        "jane@usa.com",
        IncomingChoice.POP,
        explained.attempts,
        explained.incoming,
        explained.outgoing,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_a_right_password_is_never_called_wrong() -> None:
    report = pop_refused_smtp_accepted()
    refused = report.incoming
    text = f"{refused.title} {refused.action} {refused.advice}"
    assert "retype" not in text and "Caps Lock" not in text and "two-factor" not in text
    assert "accepted your password for sending but refused POP3" in refused.action
    assert "the password is right" in refused.advice
    # The access switch comes first, and choosing IMAP is offered.
    assert refused.action.index("POP3/IMAP access") < refused.action.index("plan")
    assert "IMAP instead of POP3" in refused.action
    verdict = verdict_of(report, builtin_provider())
    assert not verdict.password_in_doubt, "the screen must not focus Change the password"
    assert verdict.action == refused.action
    assert verdict.plan_note is None
    incoming, outgoing = role_lines(report)
    assert incoming.words == "access refused (port 995)" and outgoing.works


def test_a_password_refused_everywhere_is_in_doubt_and_the_plan_comes_first() -> None:
    attempts = [
        Attempt(IMAP, Status.AUTH_FAILED, login_tested=True, server_reply="NO failed"),
        Attempt(SMTP_465, Status.AUTH_FAILED, login_tested=True, server_reply="535 failed"),
    ]
    explained = explain(attempts, MAILCOM)
    report = CheckReport(
        "jane@usa.com",
        IncomingChoice.IMAP,
        explained.attempts,
        explained.incoming,
        explained.outgoing,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    verdict = verdict_of(report, builtin_provider())
    assert verdict.password_in_doubt
    assert verdict.plan_note == access.PLAN_NOTE
    assert mailcom.PLAN_RULE.capitalized in verdict.plan_note
    assert verdict_of(report, builtin_provider(), plan=Plan.PREMIUM).plan_note is None
    other = dataclasses.replace(builtin_provider(), id="example.org", display_name="Example")
    assert verdict_of(report, other).plan_note is None
    assert verdict_of(report).plan_note is None


def test_the_plan_question_has_its_answers_and_what_a_newer_free_account_can_do() -> None:
    question = access.plan_question(True)
    assert question is not None
    assert [plan for plan, _ in question.answers] == [Plan.PREMIUM, Plan.OLD_FREE, Plan.NOT_SURE]
    assert [label for _, label in question.answers] == [
        "Premium",
        "An older free account",
        "Not sure",
    ]
    assert mailcom.PLAN_RULE.capitalized in question.text
    assert "App Store" in question.text and "upgrade to mail.com Premium" in question.text
    assert access.plan_question(False) is None


def test_a_busy_mailbox_does_not_put_the_password_in_doubt() -> None:
    reply = "NO [UNAVAILABLE] Maximum number of connections from user+IP exceeded"
    attempts = [
        Attempt(IMAP, Status.AUTH_FAILED, login_tested=True, server_reply=reply),
        Attempt(SMTP_465, Status.AUTH_FAILED, login_tested=True, server_reply=reply),
    ]
    explained = explain(attempts, MAILCOM)
    report = CheckReport(
        "jane@usa.com",
        IncomingChoice.IMAP,
        explained.attempts,
        explained.incoming,
        explained.outgoing,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    verdict = verdict_of(report, builtin_provider())
    assert not verdict.password_in_doubt and verdict.plan_note is None
    assert "close mail on the others" in verdict.action
