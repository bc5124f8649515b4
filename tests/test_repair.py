"""Repair: the table (every symptom against every check outcome), the classification, the words.

The reports are built with the real diagnosis, as the README pictures are (the helpers of
``screenshots/states.py``), one per check outcome; the command line against the
demo is in ``test_repair_cli.py``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from tests.repair_reports import (
    EMAIL,
    IMAP_143,
    IMAP_993,
    PHONES,
    REPORTS,
    SMTP_465,
    SMTP_587,
    access_refused,
    all_intercepted,
    ok,
    pictures,
    report,
    silent,
    timeout,
)
from tests.sourced import MAILCOM_ONLY, RETIRED, registered, shown_phrases
from wizard.core import access
from wizard.core.errors import UsageError
from wizard.core.facts import REGISTRY, FactStatus, ios, mailcom
from wizard.core.instructions import IOS_11_13, IOS_18_26_27, LAYOUTS
from wizard.core.provider import builtin_provider
from wizard.core.repair.answer import RepairAnswer, diagnose_repair
from wizard.core.repair.causes import Cause
from wizard.core.repair.outcomes import CheckOutcome, classify
from wizard.core.repair.render import render_text
from wizard.core.repair.symptoms import (
    SYMPTOM_CODES,
    PhoneSettings,
    Symptom,
    symptom_from_code,
)
from wizard.core.repair.table import TABLE, cause_for
from wizard.core.target import Target
from wizard.demo.practice import PRACTICE

ROOT = Path(__file__).resolve().parent.parent


# -- stable codes ------------------------------------------------------------------------


def test_the_stable_codes_never_change_unnoticed() -> None:
    """Scripts rely on these strings: adding or renaming one must change this test too."""
    assert SYMPTOM_CODES == (
        "password-incorrect",
        "cannot-connect",
        "cannot-verify-identity",
        "cannot-send",
        "no-new-mail",
    )
    assert [outcome.value for outcome in CheckOutcome] == [
        "all-verified",
        "test-message-lost",
        "incoming-port-blocked-here",
        "outgoing-port-blocked-here",
        "ports-blocked-here",
        "incoming-blocked",
        "outgoing-blocked",
        "blocked-everywhere",
        "unreachable",
        "login-refused",
        "access-refused",
        "mailbox-busy",
        "server-trouble",
        "intercepted",
        "certificate-expired",
        "no-starttls",
        "server-silent",
    ]
    assert [cause.value for cause in Cause] == [
        "old-password-on-phone",
        "password-not-tested",
        "login-refused",
        "access-off",
        "too-many-connections",
        "outgoing-port-blocked",
        "outgoing-port-wrong",
        "outgoing-settings-on-phone",
        "incoming-port-blocked",
        "network-intercepts",
        "clock-or-expired-certificate",
        "offline",
        "network-blocks-mail",
        "phone-network",
        "phone-network-intercepts",
        "mailcom-trouble",
        "nothing-found",
    ]
    inconclusive = {cause for cause in Cause if not cause.conclusive}
    assert inconclusive == {Cause.PASSWORD_NOT_TESTED, Cause.OFFLINE, Cause.NOTHING_FOUND}


def test_symptoms_are_worded_as_the_phone_words_them_or_as_a_message_saying() -> None:
    assert Symptom.CANNOT_VERIFY_IDENTITY.shown_as == '"Cannot Verify Server Identity"'
    assert ios.CANNOT_VERIFY.status is FactStatus.THIRD_PARTY
    for symptom in Symptom:
        for fact in symptom.facts:
            assert fact in REGISTRY
            assert fact.text.lower() in symptom.shown_as.lower()
            if fact.status is FactStatus.UNCONFIRMED:
                assert fact.text.lower().startswith("a message saying"), fact.id
    assert Symptom.CANNOT_CONNECT.shown_as.startswith('A message saying "Cannot Get Mail"')
    assert Symptom.CANNOT_SEND.shown_as == 'A message saying "Cannot Send Mail"'
    assert not Symptom.NO_NEW_MAIL.facts  # no message: the wizard's own words


def test_an_unknown_symptom_names_every_code() -> None:
    assert symptom_from_code(" Cannot-Send ") is Symptom.CANNOT_SEND
    with pytest.raises(UsageError) as error:
        symptom_from_code("broken")
    assert error.value.field == "symptom"
    assert all(code in str(error.value) for code in SYMPTOM_CODES)


# -- the table ---------------------------------------------------------------------------


def test_the_table_is_complete() -> None:
    assert set(TABLE) == set(Symptom)
    for symptom, row in TABLE.items():
        assert set(row) == set(CheckOutcome), symptom
    used = {cause for row in TABLE.values() for rule in row.values() for cause in rule.causes}
    assert used == set(Cause), "every cause is reachable from the table"


@pytest.mark.parametrize("outcome", list(CheckOutcome), ids=str)
def test_each_prepared_report_has_its_outcome(outcome: CheckOutcome) -> None:
    assert classify(REPORTS[outcome]()).outcome is outcome


def _words(answer: RepairAnswer) -> str:
    return " ".join([answer.title, answer.action, answer.why, answer.warning or ""])


@pytest.mark.parametrize("outcome", list(CheckOutcome), ids=str)
def test_every_cell_gives_one_worded_answer_with_sourced_steps_for_every_layout(
    outcome: CheckOutcome,
) -> None:
    check = REPORTS[outcome]()
    for symptom, phone, layout in itertools.product(Symptom, PHONES, LAYOUTS):
        answer = diagnose_repair(symptom, phone, check, layout)
        where = (symptom.value, outcome.value, phone, layout.key)
        assert answer.outcome is outcome, where
        assert answer.cause is cause_for(symptom, classify(check), phone), where
        assert answer.title and answer.why, where
        # One sentence, said first: a capital, one full stop at the end.
        assert answer.action[0].isupper() and answer.action.endswith("."), where
        assert answer.action.count(". ") == 0, where
        assert answer.steps, where
        assert answer.facts and set(answer.facts) <= set(REGISTRY), where
        assert all(fact.sources for fact in answer.facts), where
        for phrase in shown_phrases(_words(answer)):
            assert registered(phrase, answer.facts), (where, phrase)
        for step in answer.steps:
            assert set(step.facts) <= set(answer.facts), where
            shown = step.text + " " + " ".join(f"{v.label} {v.note}" for v in step.values)
            for phrase in shown_phrases(shown):
                assert registered(phrase, step.facts), (where, step.title, phrase)
        text = " ".join(render_text(answer).split())
        for retired in RETIRED:
            assert retired not in text, (where, retired)
        for other in LAYOUTS:
            if other is not layout:
                assert other.accounts.text not in text, (where, other.key)
        json.dumps(answer.to_json())


def test_steps_follow_the_ios_version() -> None:
    check = pictures.fallback_report()
    phone = PhoneSettings(outgoing_port=465)
    texts = {
        version: render_text(diagnose_repair(Symptom.CANNOT_SEND, phone, check, version))
        for version in (26, 15, 12)
    }
    assert "Apps > Mail > Mail Accounts" in texts[26]
    assert "Mail > Accounts" in texts[15] and "Apps > Mail" not in texts[15]
    assert "Passwords & Accounts" in texts[12]
    for text in texts.values():
        assert "Server Port: 587" in " ".join(text.split()).replace(
            "Server Port:    ", "Server Port: "
        )
    with pytest.raises(UsageError):
        diagnose_repair(Symptom.CANNOT_SEND, phone, check, 10)
    guessed = diagnose_repair(Symptom.CANNOT_SEND, phone, check, 22)
    assert guessed.version_note and ios.VERSION_NUMBERS in guessed.facts


# -- what the phone uses refines the answer ----------------------------------------------


def test_cannot_send_with_a_blocked_port_depends_on_the_port_the_phone_uses() -> None:
    check = pictures.fallback_report()  # 465 blocked here, 587 works

    def answer(port: int | None) -> RepairAnswer:
        return diagnose_repair(Symptom.CANNOT_SEND, PhoneSettings(outgoing_port=port), check, 26)

    uses_465 = answer(465)
    assert uses_465.cause is Cause.OUTGOING_PORT_BLOCKED
    assert uses_465.action == "Change the iPhone's outgoing port to 587."
    assert "465" in uses_465.title and "587" in uses_465.title
    port_step = uses_465.steps[1]
    assert ("Server Port", "587") in [(v.label, v.value) for v in port_step.values]
    # The note that suggests 465 for a STARTTLS port is left out: 465 is the blocked one.
    assert "try port 465" not in render_text(uses_465)

    assert answer(None).cause is Cause.OUTGOING_PORT_BLOCKED
    uses_587 = answer(587)
    assert uses_587.cause is Cause.OUTGOING_SETTINGS_ON_PHONE
    assert "the port the iPhone uses too" in uses_587.why
    uses_25 = answer(25)
    assert uses_25.cause is Cause.OUTGOING_PORT_WRONG
    assert ios.PORT_25_PASSWORD in uses_25.facts
    assert "port 25" in uses_25.title


def test_a_blocked_587_sends_the_phone_to_465() -> None:
    a = [
        ok(IMAP_993, login=True),
        ok(IMAP_143, login=False),
        ok(SMTP_465, login=True),
        timeout(SMTP_587),
    ]
    check = report(a, a[0], a[2])
    answer = diagnose_repair(Symptom.CANNOT_SEND, PhoneSettings(outgoing_port=587), check, 15)
    assert answer.cause is Cause.OUTGOING_PORT_BLOCKED
    assert answer.action == "Change the iPhone's outgoing port to 465."


def test_password_incorrect_depends_on_whether_the_check_could_log_in() -> None:
    verified = pictures.verified_report()
    answer = diagnose_repair(Symptom.PASSWORD_INCORRECT, PhoneSettings(), verified, 26)
    assert answer.cause is Cause.OLD_PASSWORD_ON_PHONE
    assert ios.PASSWORD_PLACES in answer.facts
    text = render_text(answer)
    assert "Account > Password (incoming)" in text and "Apps > Mail > Mail Accounts" in text
    # iOS on port 25 says the password is wrong (the mox report): the port is the cause.
    port_25 = diagnose_repair(Symptom.PASSWORD_INCORRECT, PhoneSettings(outgoing_port=25), verified)
    assert port_25.cause is Cause.OUTGOING_PORT_WRONG
    # Interception on incoming only: SMTP logged in, so the password is known to be right.
    half = pictures.FAILURES["intercepted"]()
    assert diagnose_repair(Symptom.PASSWORD_INCORRECT, PhoneSettings(), half).cause is (
        Cause.OLD_PASSWORD_ON_PHONE
    )
    untested = diagnose_repair(Symptom.PASSWORD_INCORRECT, PhoneSettings(), all_intercepted())
    assert untested.cause is Cause.PASSWORD_NOT_TESTED and not untested.conclusive


def test_a_refused_login_lists_mailcoms_causes_in_order_with_where_to_look() -> None:
    answer = diagnose_repair(
        Symptom.PASSWORD_INCORRECT, PhoneSettings(), pictures.wrong_password_report(), 26
    )
    assert answer.cause is Cause.LOGIN_REFUSED
    text = " ".join(render_text(answer).split())
    # The same order as the check's lead line and list, and the steps' checklist.
    items = access.refusal_checklist("mail.com", True)
    assert access.in_order(items) in answer.action
    order = [
        "Does your mail.com plan let mail apps in?",
        mailcom.PLAN_RULE.capitalized,
        "Is POP3/IMAP access on?",
        mailcom.ACCESS_SWITCH_PATH.text,
        f"Is {mailcom.TWO_FACTOR.text} on?",
        mailcom.APP_PASSWORD_PATH.text,
        "Is the password right?",
        "Account > Password (incoming)",
    ]
    positions = [text.index(words) for words in order]
    assert positions == sorted(positions)
    assert mailcom.SAME_REPLY in answer.facts and mailcom.ACCESS_OFF_AGAIN in answer.facts


@pytest.mark.parametrize("symptom", [s for s in Symptom if s is not Symptom.CANNOT_VERIFY_IDENTITY])
def test_a_password_another_server_accepted_is_never_called_wrong(symptom: Symptom) -> None:
    """Issue 20: SMTP accepts the password while IMAP refuses it: the access, not the password."""
    answer = diagnose_repair(symptom, PhoneSettings(), access_refused(), 26)
    assert answer.outcome is CheckOutcome.ACCESS_REFUSED
    if symptom is Symptom.CANNOT_SEND:
        assert answer.cause is Cause.OUTGOING_SETTINGS_ON_PHONE
        return
    assert answer.cause is Cause.ACCESS_OFF
    words = _words(answer)
    assert "The check was refused too" not in words
    assert "password is right" in answer.action
    assert answer.action.index("POP3/IMAP access") < answer.action.index("plan")
    assert answer.steps[0].title == "Is POP3/IMAP access on?"
    assert all(step.title != "Is the password right?" for step in answer.steps)


def test_a_silent_server_is_never_called_offline() -> None:
    for symptom in Symptom:
        answer = diagnose_repair(symptom, PhoneSettings(), silent(), 26)
        assert answer.outcome is CheckOutcome.SERVER_SILENT
        assert answer.cause is not Cause.OFFLINE, symptom
        assert "offline" not in answer.why.replace("not offline", ""), symptom
        assert "cannot reach" not in _words(answer), symptom


def test_a_time_limit_too_short_is_named_as_that() -> None:
    tiny = dataclasses.replace(REPORTS[CheckOutcome.UNREACHABLE](), timeout=0.001)
    answer = diagnose_repair(Symptom.CANNOT_CONNECT, PhoneSettings(), tiny, 26)
    assert answer.cause is Cause.OFFLINE
    assert "time limit" in answer.title and "longer time limit" in answer.action
    assert "0.001 s" in answer.why


def test_no_starttls_never_speaks_of_trusting_a_certificate() -> None:
    answer = diagnose_repair(Symptom.CANNOT_CONNECT, PhoneSettings(), pictures.no_starttls_report())
    assert answer.cause is Cause.NETWORK_INTERCEPTS
    assert "certificate" not in answer.action
    assert "without SSL" in answer.action
    assert any(step.title == "Never set the account up without SSL" for step in answer.steps)


def test_an_intercepted_network_is_named_and_the_certificate_never_trusted() -> None:
    for symptom in (Symptom.CANNOT_VERIFY_IDENTITY, Symptom.CANNOT_CONNECT):
        answer = diagnose_repair(symptom, PhoneSettings(), all_intercepted(), 26)
        assert answer.cause is Cause.NETWORK_INTERCEPTS
        text = " ".join(render_text(answer).split())
        assert "not mail.com" in text
        assert "Do not trust the certificate" in text
    genuine_here = diagnose_repair(
        Symptom.CANNOT_VERIFY_IDENTITY, PhoneSettings(), pictures.verified_report()
    )
    assert genuine_here.cause is Cause.PHONE_NETWORK_INTERCEPTS
    # Whatever the cause, an answer to "Cannot Verify Server Identity" says never to trust
    # the certificate: in a step, or else in a warning.
    for outcome in CheckOutcome:
        answer = diagnose_repair(
            Symptom.CANNOT_VERIFY_IDENTITY, PhoneSettings(), REPORTS[outcome]()
        )
        in_steps = any(step.title == "Never trust the certificate" for step in answer.steps)
        assert in_steps or (answer.warning and "never trust" in answer.warning), outcome
        assert not (in_steps and answer.warning), "said once is enough"


def test_nothing_found_says_so_and_offers_a_fresh_profile() -> None:
    answer = diagnose_repair(Symptom.NO_NEW_MAIL, PhoneSettings(), pictures.verified_report())
    assert answer.cause is Cause.NOTHING_FOUND
    assert answer.fresh_profile and not answer.conclusive
    assert answer.title.startswith("Nothing found")
    assert "fresh profile" in answer.action


def test_another_providers_answers_name_nothing_of_mail_com() -> None:
    other = dataclasses.replace(builtin_provider(), id="example.org", display_name="Example Mail")
    assert not other.is_mailcom
    for outcome, symptom in itertools.product(CheckOutcome, Symptom):
        answer = diagnose_repair(symptom, PhoneSettings(), REPORTS[outcome](), provider=other)
        words = _words(answer) + " ".join(s.text for s in answer.steps)
        # The report's own address and host names are not advice about mail.com.
        for name in (EMAIL, "imap.mail.com", "smtp.mail.com"):
            words = words.replace(name, "")
        for word in MAILCOM_ONLY:
            assert word not in words, (outcome, symptom, word)


# -- JSON and the demo's ports -----------------------------------------------------------


def test_json_has_the_stable_keys() -> None:
    answer = diagnose_repair(
        Symptom.CANNOT_SEND, PhoneSettings(outgoing_port=465), pictures.fallback_report(), 26
    )
    data = json.loads(json.dumps(answer.to_json()))
    assert list(data) == [
        "symptom",
        "symptom_text",
        "phone",
        "outcome",
        "cause",
        "conclusive",
        "title",
        "action",
        "why",
        "warning",
        "steps",
        "fresh_profile",
        "practice",
        "ios",
        "facts",
        "check",
        "report",
    ]
    assert data["symptom"] == "cannot-send"
    assert data["phone"] == {"incoming": "unknown", "outgoing_port": 465}
    assert data["outcome"] == "outgoing-port-blocked-here"
    assert data["cause"] == "outgoing-port-blocked" and data["conclusive"] is True
    assert data["ios"] == {
        "version": 26,
        "layout": "ios-18",
        "label": "iOS 18, 26, 27",
        "note": None,
    }
    assert set(data["steps"][0]) == {"title", "text", "values", "facts"}
    assert set(data["facts"][0]) == {"id", "text", "status", "checked", "sources"}
    assert set(data["check"]) == {"verified", "headline", "uses", "notes", "problems"}
    assert data["report"] == answer.report.to_json()
    assert pictures.PICTURE_PASSWORD not in json.dumps(data)


def test_in_the_demo_the_ports_are_the_real_providers() -> None:
    """The demo checks mail.com's own endpoints (dialled to the practice server): the fix
    names 587 and mail.com's hosts, and the answer is marked as practice."""
    a = [
        ok(IMAP_993, login=True),
        ok(IMAP_143, login=False),
        timeout(SMTP_465),
        ok(SMTP_587, login=True),
    ]
    check = report(a, a[0], a[3])
    practice = Target(builtin_provider(), caveat=PRACTICE)
    answer = diagnose_repair(
        Symptom.CANNOT_SEND,
        PhoneSettings(outgoing_port=465),
        check,
        IOS_11_13,
        provider=practice.provider,
        mark=practice.mark,
    )
    assert answer.cause is Cause.OUTGOING_PORT_BLOCKED
    assert answer.action == "Change the iPhone's outgoing port to 587."
    assert answer.caveat_note and "practice server" in answer.caveat_note
    assert "smtp.mail.com" in render_text(answer) and "127.0.0.1" not in answer.steps[1].text
    assert answer.settings.caveat is PRACTICE and answer.to_json()["practice"] is True
    assert IOS_18_26_27.accounts.text not in render_text(answer)


def test_the_readme_documents_every_code_and_the_json_keys() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in (*SYMPTOM_CODES, *(o.value for o in CheckOutcome), *(c.value for c in Cause)):
        assert f"`{code}`" in readme, code
    for symptom in Symptom:
        assert symptom.shown_as in readme, symptom
    json_part = readme[readme.index("### `repair --json`") :]
    for key in json.loads(
        json.dumps(
            diagnose_repair(
                Symptom.NO_NEW_MAIL, PhoneSettings(), pictures.verified_report()
            ).to_json()
        )
    ):
        assert f'"{key}"' in json_part, key
