"""Every fact the wizard shows has a source: the registry, and the texts that must use it.

A phrase in ``tests.sourced.SOURCED`` names something outside the wizard (an iOS menu, a
mail.com setting, an iOS message). Wherever such a phrase is shown, it must be part of a
registered fact's wording; in the iPhone steps, part of a fact the step itself lists. A new
sentence that names such a thing without a registered source fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

import pytest

from tests.builders import settings
from tests.sourced import MAILCOM_ONLY, RETIRED, registered, shown_phrases
from wizard.cli import main
from wizard.core import access, facts
from wizard.core.diagnosis import Context, explain
from wizard.core.facts import REGISTRY, FactStatus, by_id
from wizard.core.handoff.profile_file import load_profile_file
from wizard.core.handoff.steps import download_steps, install_steps
from wizard.core.instructions import LAYOUTS, Instructions, build_instructions, render_text
from wizard.core.models import (
    Attempt,
    CertificateInfo,
    Endpoint,
    IncomingChoice,
    MailSettings,
    Protocol,
    Security,
    Status,
)
from wizard.core.profile import build_profile
from wizard.screens.account import TWO_FACTOR_LABEL
from wizard.screens.export import next_steps, password_warning
from wizard.screens.welcome import needs

ROOT = Path(__file__).resolve().parent.parent

# -- the registry ------------------------------------------------------------------------


def test_every_fact_has_an_id_wording_status_source_and_date() -> None:
    ids = [fact.id for fact in REGISTRY]
    assert len(ids) == len(set(ids)), "fact ids must be unique"
    for fact in REGISTRY:
        assert fact.text.strip(), fact.id
        assert isinstance(fact.status, FactStatus), fact.id
        assert fact.sources, f"{fact.id} has no source"
        for source in fact.sources:
            assert source.where.strip() and source.says.strip(), fact.id
            assert source.where.startswith(("https://", "http://", "mailcom-facts.md §")), (
                fact.id,
                source.where,
            )
        assert fact.checked == dt.date(2026, 12, 2), fact.id
        assert by_id(fact.id) is fact
        if fact.status is not FactStatus.UNCONFIRMED:
            # A confirmed fact quotes what its source says.
            quoted = [s for s in fact.sources if '"' in s.says or "\u201c" in s.says]
            assert quoted, f"{fact.id}: no source quotes what it says"
        for retired in RETIRED:
            assert retired not in fact.text, (fact.id, retired)


def test_unconfirmed_facts_are_worded_as_what_to_look_for() -> None:
    unconfirmed = [fact for fact in REGISTRY if fact.status is FactStatus.UNCONFIRMED]
    assert unconfirmed
    for fact in unconfirmed:
        assert fact.hedged, f"{fact.id}: {fact.text!r} is stated as a certainty"


def test_mailcom_names_its_second_factor_two_factor_authentication() -> None:
    assert facts.mailcom.TWO_FACTOR.text == "two-factor authentication"
    assert facts.mailcom.TWO_FACTOR.status is FactStatus.OFFICIAL
    assert "mail.com" in facts.mailcom.TWO_FACTOR.sources[0].where


# -- the iPhone steps --------------------------------------------------------------------


def every_instructions() -> list[Instructions]:
    """The steps for every layout and version kind, protocol, password kind and provider."""
    found = []
    versions: list[object] = [*LAYOUTS, 11, 15, 26, 27, 22, 31]
    for ios, choice, smtp_port, app_password, mailcom in itertools.product(
        versions, IncomingChoice, (465, 587), (False, True), (True, False)
    ):
        mail_settings = dataclasses.replace(
            settings(choice, smtp_port=smtp_port), app_password=app_password, mailcom=mailcom
        )
        found.append(build_instructions(mail_settings, ios))  # type: ignore[arg-type]
    return found


def test_each_step_lists_the_registered_facts_behind_its_words() -> None:
    for instructions in every_instructions():
        assert set(instructions.facts) <= set(REGISTRY)
        header = "\n".join(filter(None, (instructions.version_note, instructions.version_hint)))
        for phrase in shown_phrases(header):
            assert registered(phrase, instructions.facts), (instructions.title, phrase)
        for step in instructions.steps:
            assert set(step.facts) <= set(REGISTRY)
            shown = step.text + " " + " ".join(f"{v.label} {v.note}" for v in step.values)
            for phrase in shown_phrases(shown):
                assert registered(phrase, step.facts), (step.title, phrase)


def test_rendered_steps_name_nothing_unsourced_and_nothing_retired() -> None:
    for instructions in every_instructions():
        text = " ".join(render_text(instructions).split())
        for phrase in shown_phrases(text):
            assert registered(phrase, instructions.facts), (instructions.title, phrase)
        for retired in RETIRED:
            assert retired not in text, (instructions.title, retired)
        if not instructions.settings.mailcom:
            for word in ("POP3 & IMAP", "Premium", "Security Options"):
                assert word not in text


def test_each_fact_on_the_instructions_screen_has_its_source_in_the_markdown() -> None:
    from wizard.core.instructions import render_markdown

    instructions = build_instructions(settings(), LAYOUTS[0])
    markdown = render_markdown(instructions)
    assert "## Where these facts come from" in markdown
    for fact in instructions.facts:
        assert fact.status.value in markdown
        assert fact.sources[0].where.replace("_", "\\_") in markdown


# -- the other texts ---------------------------------------------------------------------

IMAP_143 = Endpoint(Protocol.IMAP, "imap.mail.com", 143, Security.STARTTLS)
CERT = CertificateInfo(
    subject="CN=imap.mail.com",
    issuer="CN=Shield",
    not_before=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    sha256="AA",
)


def diagnoses(*, mailcom: bool) -> list[str]:
    name = "mail.com" if mailcom else "Example Mail"
    endpoint = IMAP_143 if mailcom else dataclasses.replace(IMAP_143, host="imap.example.org")
    certificate = CERT if mailcom else dataclasses.replace(CERT, subject="CN=imap.example.org")
    context = Context("jane@usa.com", provider_name=name, mailcom=mailcom)
    smtp = Attempt(dataclasses.replace(endpoint, protocol=Protocol.SMTP, port=465), Status.OK)
    texts = []
    for status, reply in itertools.product(Status, (None, "NO [ALERT] read this", "NO failed")):
        seen = Attempt(
            endpoint,
            status,
            server_reply=reply,
            login_tested=status is Status.AUTH_FAILED,
            certificate=certificate,
        )
        # Alone, beside a sending server that refuses, and beside one that works.
        for others in ((), (dataclasses.replace(smtp, status=Status.AUTH_FAILED),), (smtp,)):
            if status is Status.AUTH_FAILED and others:
                others = (dataclasses.replace(others[0], login_tested=True),)
            if not others:
                others = (dataclasses.replace(smtp, status=Status.TIMEOUT),)
            worded = explain([seen, *others], context).attempts[0]
            texts.append(f"{worded.title}\n{worded.advice}\n{worded.action}")
    return texts


def other_texts(tmp_path: Path) -> list[str]:
    """Welcome, account, export and send texts, as the user reads them."""
    texts = [content.plain for content in needs("mail.com")]
    texts += [
        TWO_FACTOR_LABEL,
        access.app_password_help("mail.com", True),
        access.PLAN_QUESTION.text,
    ]
    texts += [access.refused_note("mail.com", True, app_password=flag) for flag in (False, True)]
    plain: MailSettings = settings()
    for app_password in (False, True):
        shown = dataclasses.replace(plain, app_password=app_password)
        texts.append(password_warning(shown).plain)
    texts.append(next_steps().plain)
    profile_path = tmp_path / "p.mobileconfig"
    profile_path.write_bytes(build_profile(plain))
    for ios_version in (None, 11, 12, 13, 15, 26):
        texts += download_steps() + install_steps(load_profile_file(profile_path), ios_version)
    return texts


def test_every_text_names_only_registered_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.mobileconfig"
    assert main(["export", "--email", "a@mail.com", "--no-verify", "-o", str(out)]) == 0
    cli_output = capsys.readouterr().out
    texts = [*diagnoses(mailcom=True), *other_texts(tmp_path), cli_output]
    seen = set()
    for text in texts:
        for phrase in shown_phrases(text):
            seen.add(phrase)
            assert registered(phrase), (phrase, text)
        for retired in RETIRED:
            assert retired not in " ".join(text.split()), (retired, text)
    # The scan is not vacuous: these texts do name mail.com's settings and iOS screens.
    assert {"two-factor authentication", "POP3/IMAP", "Profile Downloaded", "Premium"} <= seen


def test_another_providers_advice_names_nothing_of_mail_com() -> None:
    for text in diagnoses(mailcom=False):
        for word in MAILCOM_ONLY:
            assert word not in text, (word, text)
    refused = next(t for t in diagnoses(mailcom=False) if "refused the login" in t)
    assert "app-specific password" in refused and "Caps Lock" in refused


def test_the_readme_uses_the_registered_wording(tmp_path: Path) -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for fact in (
        facts.mailcom.TWO_FACTOR,
        facts.mailcom.ACCESS_SWITCH_PATH,
        facts.mailcom.APP_PASSWORD_PATH,
        facts.ios.ACCOUNTS_18,
        facts.ios.ACCOUNTS_14,
        facts.ios.ACCOUNTS_11,
        facts.ios.ABOUT,
    ):
        assert fact.text in readme, fact.id
    for retired in RETIRED:
        assert retired not in readme, retired
    assert "wizard/core/facts" in readme


def test_capitalized_starts_a_sentence_but_keeps_ios_and_iphone_as_spelled() -> None:
    ios_fact = dataclasses.replace(facts.profiles.PASSWORD_PROMPT, text="iOS asks for it")
    iphone_fact = dataclasses.replace(ios_fact, text="iPhone shows it")
    plain_fact = dataclasses.replace(ios_fact, text="a message saying so")
    assert ios_fact.capitalized == "iOS asks for it"
    assert iphone_fact.capitalized == "iPhone shows it"
    assert plain_fact.capitalized == "A message saying so"
    for fact in REGISTRY:  # no fact's wording is turned into IOS or IPhone
        assert not fact.capitalized.startswith(("IOS", "IPhone")), fact.id
