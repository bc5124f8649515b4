"""iPhone steps: the verified values, the right menu path per iOS version, never the password."""

from __future__ import annotations

import dataclasses
import datetime as dt
import plistlib
import re
from pathlib import Path

import pytest

from tests.builders import PASSWORD, settings
from wizard.cli import main
from wizard.core import access, facts
from wizard.core.caveat import Caveat
from wizard.core.diagnosis import Context, explain
from wizard.core.errors import ProviderError, UsageError
from wizard.core.export import make_profile
from wizard.core.facts import ios, mailcom
from wizard.core.instructions import (
    IOS_11_13,
    IOS_14_17,
    IOS_18_26_27,
    LAYOUTS,
    Instructions,
    IosLayout,
    Step,
    build_instructions,
    render_markdown,
    render_text,
)
from wizard.core.models import (
    Account,
    Attempt,
    Auth,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Protocol,
    Security,
    Status,
)
from wizard.core.profile import PRACTICE_PREFIX, build_profile
from wizard.core.provider import builtin_provider, load_provider
from wizard.core.repair.context import FixContext
from wizard.core.repair.outcomes import CheckOutcome, Findings
from wizard.core.repair.steps import both_passwords, outgoing_server
from wizard.core.verdict import preferred_settings, settings_from_report
from wizard.core.wording import other_network


def values_of(instructions: Instructions, title: str) -> dict[str, str]:
    (step,) = [s for s in instructions.steps if s.title == title]
    return {value.label: value.value for value in step.values}


def step_titled(instructions: Instructions, start: str) -> Step:
    (step,) = [s for s in instructions.steps if s.title.startswith(start)]
    return step


@pytest.mark.parametrize("ios", [12, 17, 18, 26, 27])
@pytest.mark.parametrize("choice", [IncomingChoice.IMAP, IncomingChoice.POP])
@pytest.mark.parametrize("smtp_port", [465, 587])
def test_steps_carry_the_verified_values(ios: int, choice: IncomingChoice, smtp_port: int) -> None:
    mail_settings = settings(choice, smtp_port=smtp_port)
    instructions = build_instructions(mail_settings, ios)
    host = "imap.mail.com" if choice is IncomingChoice.IMAP else "pop.mail.com"
    port = "993" if choice is IncomingChoice.IMAP else "995"
    label = "IMAP" if choice is IncomingChoice.IMAP else "POP"

    assert instructions.warning_unverified is None
    assert values_of(instructions, "Fill in the New Account sheet")["Email"] == "alice@mail.com"
    assert values_of(instructions, "Fill in Incoming Mail Server") == {
        "Host Name": host,
        "User Name": "alice@mail.com",
        "Password": "your mail.com password",
    }
    assert values_of(instructions, "Fill in Outgoing Mail Server") == {
        "Host Name": "smtp.mail.com",
        "User Name": "alice@mail.com",
        "Password": "your mail.com password",
    }
    assert values_of(instructions, "Check the incoming settings")["Server Port"] == port
    assert values_of(instructions, "Check the incoming settings")["Use SSL"] == "On"
    smtp = values_of(instructions, "Check the outgoing (SMTP) settings")
    assert smtp["Server Port"] == str(smtp_port)
    assert smtp["Use SSL"] == "On"
    assert smtp["Authentication"] == "Password"
    assert [s.title for s in instructions.steps][3] == f"Choose {label}"
    # IMAP or POP is not final: a second account can be added beside the first.
    protocol_text = step_titled(instructions, "Choose " + label).text
    assert "usually be added beside this one, without deleting it first" in protocol_text
    assert "cannot be changed later" not in protocol_text

    for text in (render_text(instructions), render_markdown(instructions)):
        assert host in text
        assert "smtp.mail.com" in text
        assert port in text
        assert str(smtp_port) in text
        assert f"with iOS {ios} ({label})" in text
        assert PASSWORD not in text
        assert "Warning" not in text
        assert "WARNING" not in text


def test_menu_path_depends_on_the_ios_version() -> None:
    ios18 = build_instructions(settings(), 18).steps[0].text
    ios17 = build_instructions(settings(), 17).steps[0].text
    assert "Settings, then tap Apps > Mail > Mail Accounts > Add Account" in ios18
    assert "Settings, then tap Mail > Accounts > Add Account" in ios17
    assert "Apps >" not in ios17
    for text in (ios17, ios18):
        assert 'type "Mail" in the search field' in text
    assert "Add Mail Account" in build_instructions(settings(), 17).steps[1].text


@pytest.mark.parametrize(
    ("ios", "path", "layout"),
    [
        (27, "Apps > Mail > Mail Accounts", IOS_18_26_27),
        (26, "Apps > Mail > Mail Accounts", IOS_18_26_27),
        (18, "Apps > Mail > Mail Accounts", IOS_18_26_27),
        (17, "Mail > Accounts", IOS_14_17),
        (15, "Mail > Accounts", IOS_14_17),
        (14, "Mail > Accounts", IOS_14_17),
        (13, "Passwords & Accounts", IOS_11_13),
        (12, "Passwords & Accounts", IOS_11_13),
        (11, "Passwords & Accounts", IOS_11_13),
    ],
)
def test_every_version_from_11_gets_the_path_its_settings_show(
    ios: int, path: str, layout: IosLayout
) -> None:
    instructions = build_instructions(settings(), ios)
    assert instructions.layout is layout
    assert f"Settings, then tap {path} > Add Account" in instructions.steps[0].text
    text = " ".join(render_text(instructions).split())
    assert f"with iOS {ios} (IMAP)" in text
    # The user learns where the iPhone shows its version, and which versions the steps fit.
    assert "Settings > General > About" in text
    assert f"These steps are for {layout.words}." in text
    assert instructions.version_note is None
    paths = {"Apps > Mail > Mail Accounts", "Mail > Accounts", "Passwords & Accounts"}
    for other in paths - {path}:
        assert other not in text


def test_ios_27_is_said_to_be_assumed_like_26() -> None:
    text = " ".join(render_text(build_instructions(settings(), 27)).split())
    assert "iOS 27 is assumed to use the same paths as iOS 26" in text


@pytest.mark.parametrize("ios", [28, 30, 100])
def test_a_version_newer_than_known_uses_the_newest_layout_and_says_so(ios: int) -> None:
    instructions = build_instructions(settings(), ios)
    assert instructions.layout is IOS_18_26_27
    assert instructions.version_note is not None
    assert f"iOS {ios} is newer than the newest version these steps know" in (
        instructions.version_note
    )
    assert instructions.version_note in " ".join(render_text(instructions).split())


@pytest.mark.parametrize("ios", [19, 22, 25])
def test_versions_apple_skipped_are_named_as_such(ios: int) -> None:
    instructions = build_instructions(settings(), ios)
    assert instructions.layout is IOS_18_26_27
    assert instructions.version_note is not None
    assert f"There is no iOS {ios}" in instructions.version_note


def test_tabs_name_every_current_version() -> None:
    assert [layout.label for layout in LAYOUTS] == ["iOS 18, 26, 27", "iOS 14-17", "iOS 11-13"]
    for layout in LAYOUTS:
        instructions = build_instructions(settings(), layout)
        assert instructions.ios is None
        assert f"with {layout.label} (IMAP)" in instructions.title
        for version in layout.versions:
            assert build_instructions(settings(), version).layout is layout


def test_the_steps_cover_ios_finding_the_servers_by_itself() -> None:
    text = " ".join(render_text(build_instructions(settings(), 26)).split())
    assert "iOS first tries to find the servers by itself" in text
    assert "If iOS finds the servers by itself, it may skip this screen and the next two" in text
    assert "check every value in steps 8 and 9" in text


def test_the_steps_cover_the_whole_setup_in_order() -> None:
    titles = [step.title for step in build_instructions(settings(), 18).steps]
    expected = [
        "Open the mail account settings",
        "Choose Other",
        "Fill in the New Account sheet",
        "Choose IMAP",
        "Fill in Incoming Mail Server",
        "Fill in Outgoing Mail Server",
        "Tap Next, then Save",
        "Check the incoming settings",
        "Check the outgoing (SMTP) settings",
    ]
    assert titles[: len(expected)] == expected
    text = render_text(build_instructions(settings(), 18))
    assert "Verifying…" in text
    assert "Cannot Verify Server Identity" in text
    assert "not responding" in text
    assert "without SSL" in text
    assert "even port 25" in " ".join(text.split())
    # Cross references point at the right step numbers.
    assert "(steps 8 and 9)" in text
    assert re.search(r"^8\. Check the incoming settings$", text, re.MULTILINE)


def test_outgoing_fields_must_be_filled_even_if_ios_says_optional() -> None:
    step = step_titled(build_instructions(settings(), 18), "Fill in Outgoing")
    assert "optional" in step.text
    assert "fill them in anyway" in step.text


def test_password_change_updates_both_servers() -> None:
    step = step_titled(build_instructions(settings(), 18), "After you change your password")
    assert "Password (incoming)" in step.text
    assert "SMTP > smtp.mail.com > Password (outgoing)" in step.text


def test_app_specific_password_is_named_when_two_factor_authentication_is_on() -> None:
    mail_settings = dataclasses.replace(settings(), app_password=True)
    instructions = build_instructions(mail_settings, 18)
    password = values_of(instructions, "Fill in Incoming Mail Server")["Password"]
    assert password.startswith("the app-specific password you created")
    assert "your mail.com password" not in render_text(instructions).replace(
        "not your normal mail.com password", ""
    )


def test_password_values_are_not_offered_for_copying() -> None:
    instructions = build_instructions(settings(), 18)
    values = [value for step in instructions.steps for value in step.values]
    by_label: dict[str, list[bool]] = {}
    for value in values:
        by_label.setdefault(value.label, []).append(value.copyable)
    # Every label this test speaks of is there (the account sheet, incoming and outgoing),
    # so the checks below cannot pass by finding nothing.
    assert len(by_label["Password"]) >= 3
    for label in ("Host Name", "User Name", "Server Port"):
        assert len(by_label[label]) >= 2, label
    assert by_label["Email"]
    assert not any(by_label["Password"])
    for label in ("Host Name", "User Name", "Email", "Server Port"):
        assert all(by_label[label]), label


def test_unverified_settings_carry_a_warning_at_the_top() -> None:
    instructions = build_instructions(settings(verified=False), 17)
    assert instructions.warning_unverified is not None
    assert "NOT been checked" in instructions.warning_unverified
    text = render_text(instructions)
    title_line, underline, blank, warning = text.splitlines()[:4]
    assert title_line == instructions.title
    assert underline == "=" * len(title_line)
    assert blank == ""
    assert warning.startswith("WARNING: These settings have NOT been checked")
    assert "Not checked." in text
    markdown = render_markdown(instructions)
    assert markdown.splitlines()[2].startswith("> **Warning:** These settings have NOT")


def test_verified_settings_say_when_they_were_checked() -> None:
    text = render_text(build_instructions(settings(), 18))
    assert "Checked on 2025-03-01 at 12:30 UTC" in text
    assert "WARNING" not in text


def test_markdown_renders_numbered_steps_and_value_tables() -> None:
    markdown = render_markdown(build_instructions(settings(smtp_port=587), 18))
    assert markdown.startswith("# Set up alice@mail.com on an iPhone with iOS 18 (IMAP)\n")
    assert "1. **Open the mail account settings**" in markdown
    assert "   | Host Name | `smtp.mail.com` |  |" in markdown
    assert "   | Server Port | `587` |  |" in markdown
    # Placeholders are not shown as code to copy.
    assert "   | Password | your mail.com password | type it yourself |" in markdown
    assert "STARTTLS" in markdown
    numbers = re.findall(r"^(\d+)\. \*\*", markdown, re.MULTILINE)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]


def test_markdown_escapes_characters_that_would_change_the_layout() -> None:
    mail_settings = dataclasses.replace(settings(), email="first_last@mail.com", name="A | B")
    markdown = render_markdown(build_instructions(mail_settings, 18))
    assert "first\\_last@mail.com" in markdown
    assert "   | Name | `A \\| B` |" in markdown


@pytest.mark.parametrize("ios", [10, 9, 6, 0, -1])
def test_versions_before_11_are_refused_plainly(ios: int) -> None:
    with pytest.raises(UsageError, match=f"iOS {ios} is not covered") as raised:
        build_instructions(settings(), ios)
    assert raised.value.field == "ios"
    assert "iOS 11 and later" in str(raised.value) and "\n" not in str(raised.value)


# -- steps true to the provider file -----------------------------------------------------

ISPDB = Path(__file__).resolve().parent / "ispdb"


def usable_files() -> list[tuple[str, IncomingChoice]]:
    """Every fixture file the wizard accepts, with each incoming choice it offers."""
    found = []
    for path in sorted(ISPDB.glob("*.xml")):
        try:
            provider = load_provider(path)
        except ProviderError:
            continue
        found += [(path.stem, choice) for choice in IncomingChoice if provider.supports(choice)]
    return found


@pytest.mark.parametrize(("name", "choice"), usable_files())
def test_steps_and_profile_match_the_provider_file(name: str, choice: IncomingChoice) -> None:
    provider = load_provider(ISPDB / f"{name}.xml")
    email = f"anna.k@{provider.domains[-1]}"
    account = Account(email, "", incoming=choice)
    mail_settings = preferred_settings(account, provider)
    resolved = provider.for_address(email)
    incoming, outgoing = resolved.incoming(choice)[0], resolved.smtp[0]
    assert (mail_settings.incoming, mail_settings.outgoing) == (incoming, outgoing)
    assert mail_settings.provider_name == resolved.display_name

    text = render_text(build_instructions(mail_settings))
    assert "%" not in text
    steps = build_instructions(mail_settings)
    typed = values_of(steps, "Fill in Incoming Mail Server")
    assert typed["Host Name"] == incoming.host
    assert typed["User Name"] == incoming.username(email)
    notes = {v.label + v.value: v.note for s in steps.steps for v in s.values}
    for endpoint in (incoming, outgoing):
        username = endpoint.username(email)
        note = notes["User Name" + username]
        if username == email:
            assert note == "the full address, with @"
        elif username == "anna.k":
            assert note == "only the part before the @"
        else:
            assert "@" not in note and "exactly as shown" in note
    auth = {s.title: v.value for s in steps.steps for v in s.values if v.label == "Authentication"}
    assert auth == {
        "Check the incoming settings": _IOS_AUTH[incoming.auth],
        "Check the outgoing (SMTP) settings": _IOS_AUTH[outgoing.auth],
    }
    for host in {incoming.host, outgoing.host}:  # whole on one line, never broken inside
        assert host in " ".join(text.split()) and f"{host[:-1]}\n" not in text

    payload = plistlib.loads(build_profile(mail_settings))["PayloadContent"][0]
    assert payload["IncomingMailServerHostName"] == incoming.host
    assert payload["IncomingMailServerPortNumber"] == incoming.port
    assert payload["IncomingMailServerUsername"] == incoming.username(email)
    assert payload["OutgoingMailServerHostName"] == outgoing.host
    assert payload["OutgoingMailServerPortNumber"] == outgoing.port
    assert payload["OutgoingMailServerUsername"] == outgoing.username(email)
    apple = {Auth.PASSWORD: "EmailAuthPassword", Auth.CRAM_MD5: "EmailAuthCRAMMD5"}
    assert payload["IncomingMailServerAuthentication"] == apple[incoming.auth]
    assert payload["OutgoingMailServerAuthentication"] == apple[outgoing.auth]
    assert "%" not in str(payload)


_IOS_AUTH = {Auth.PASSWORD: "Password", Auth.CRAM_MD5: "MD5 Challenge-Response"}


def test_the_user_name_note_says_what_the_user_name_is() -> None:
    web = dataclasses.replace(
        settings(),
        email="anna@web.de",
        incoming=Endpoint(Protocol.IMAP, "imap.web.de", 993, Security.SSL, "%EMAILLOCALPART%"),
    )
    steps = build_instructions(web)
    (value,) = [v for v in step_titled(steps, "Fill in Incoming").values if v.label == "User Name"]
    assert (value.value, value.note) == ("anna", "only the part before the @")
    assert "the full address, with @" not in str(value)
    # The repair steps say the same.
    # The phone's steps read only the settings and the layout.
    findings = Findings(CheckOutcome.ALL_VERIFIED, login_worked=True, ports=())
    context = FixContext(None, None, findings, web, IOS_18_26_27)  # type: ignore[arg-type]
    both = both_passwords(context)
    assert both.values[0].note == "only the part before the @"
    smtp = outgoing_server(context, dataclasses.replace(web.incoming, protocol=Protocol.SMTP), "x")
    assert [v.note for v in smtp.values if v.label == "User Name"] == ["only the part before the @"]


def test_cram_md5_servers_are_set_to_md5_challenge_response_with_its_fact() -> None:
    steps = build_instructions(settings(auth=Auth.CRAM_MD5))
    for title in ("Check the incoming settings", "Check the outgoing (SMTP) settings"):
        step = step_titled(steps, title)
        (value,) = [v for v in step.values if v.label == "Authentication"]
        assert value.value == "MD5 Challenge-Response" == facts.ios.MD5_CHALLENGE.text
        assert "tap Authentication" in value.note
        assert facts.ios.MD5_CHALLENGE in step.facts
    plain = build_instructions(settings())
    assert facts.ios.MD5_CHALLENGE not in plain.facts
    assert "MD5" not in render_text(plain)


def test_host_names_and_links_never_break_inside() -> None:
    hyphens = dataclasses.replace(
        settings(),
        incoming=Endpoint(Protocol.IMAP, "mail.your-server.de", 993, Security.SSL),
        outgoing=Endpoint(
            Protocol.SMTP, "very-long-smtp-relay.mail.your-server.de", 465, Security.SSL
        ),
        provider_notes=("See https://example.com/" + "a-very-long-path-" * 6 + " for more.",),
    )
    text = render_text(build_instructions(hyphens))
    words = text.split()
    assert "mail.your-server.de" in words
    assert "very-long-smtp-relay.mail.your-server.de" in words
    assert "https://example.com/" + "a-very-long-path-" * 6 in words


def test_the_provider_files_notes_come_before_step_1() -> None:
    notes = ("Google Mail also lets mail apps sign in ...", "Not used from x.xml: POP3 a:110: ...")
    steps = build_instructions(dataclasses.replace(settings(), provider_notes=notes))
    text = render_text(steps)
    first_step = text.index("1. ")
    assert 0 < text.index("Google Mail also lets") < text.index("Not used from") < first_step
    markdown = render_markdown(steps)
    assert markdown.index("Not used from") < markdown.index("1. **")


def test_a_provider_named_after_the_domain_is_named_after_the_users_domain() -> None:
    provider = load_provider(ISPDB / "inbox.lv.xml")
    mail_settings = preferred_settings(Account("anna@inbox.eu", ""), provider)
    assert mail_settings.provider_name == "inbox.eu"
    assert mail_settings.incoming.host == "mail.inbox.eu"
    assert "your inbox.eu password" in render_text(build_instructions(mail_settings))


# -- what the steps say from evidence, and before step 1 (issues 20 and 23) ---------------

PROVIDER = builtin_provider()
ACCOUNT = Account(email="alice@mail.com", password="", name="Alice Example")
IMAP_993, IMAP_143 = PROVIDER.imap
SMTP_465, SMTP_587 = PROVIDER.smtp


def checked(*seen: Attempt) -> CheckReport:
    """A report of what the check saw, worded by the one entry point (as the engine does)."""
    explained = explain(seen, Context(ACCOUNT.email))
    return CheckReport(
        ACCOUNT.email,
        IncomingChoice.IMAP,
        explained.attempts,
        explained.incoming,
        explained.outgoing,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def ssl_notes(instructions: Instructions) -> list[str]:
    return [v.note for step in instructions.steps for v in step.values if v.label == "Use SSL"]


def test_the_ssl_hint_never_names_a_port_the_check_found_blocked() -> None:
    report = checked(  # 465 blocked here, 587 verified
        Attempt(IMAP_993, Status.OK, login_tested=True),
        Attempt(IMAP_143, Status.OK),
        Attempt(SMTP_465, Status.TIMEOUT),
        Attempt(SMTP_587, Status.OK, login_tested=True),
    )
    mail_settings = settings_from_report(report, ACCOUNT, PROVIDER)
    assert mail_settings.outgoing.port == 587
    text = render_text(build_instructions(mail_settings, 26))
    assert "465" not in " ".join(ssl_notes(build_instructions(mail_settings, 26)))
    assert "try port 465" not in text
    assert ios.STARTTLS_USE_SSL not in build_instructions(mail_settings, 26).facts


def test_the_ssl_hint_names_only_a_port_the_provider_lists() -> None:
    starttls_only = dataclasses.replace(
        PROVIDER,
        imap=(dataclasses.replace(PROVIDER.imap[1]),),
        smtp=(PROVIDER.smtp[1],),
    )
    mail_settings = preferred_settings(ACCOUNT, starttls_only)
    assert mail_settings.outgoing.port == 587 and mail_settings.incoming.port == 143
    instructions = build_instructions(mail_settings, 26)
    assert ssl_notes(instructions) == ["", ""]
    for port in ("465", "993", "995"):
        assert f"try port {port}" not in render_text(instructions)


def test_the_ssl_hint_says_when_the_check_reached_the_other_port() -> None:
    starttls_first = dataclasses.replace(PROVIDER, smtp=(PROVIDER.smtp[1], PROVIDER.smtp[0]))
    report = checked(
        Attempt(IMAP_993, Status.OK, login_tested=True),
        Attempt(IMAP_143, Status.OK),
        Attempt(SMTP_587, Status.OK, login_tested=True),
        Attempt(SMTP_465, Status.OK),
    )
    mail_settings = settings_from_report(report, ACCOUNT, starttls_first)
    notes = ssl_notes(build_instructions(mail_settings, 26))
    assert any(note.endswith("try port 465 (the check reached it)") for note in notes)
    # Unchecked (--no-verify): the provider's listed port, without the claim.
    unchecked = ssl_notes(build_instructions(preferred_settings(ACCOUNT, starttls_first), 26))
    assert any(note.endswith("try port 465") for note in unchecked)


def test_the_plan_rule_comes_before_step_1_for_mail_com_only() -> None:
    text = " ".join(render_text(build_instructions(settings(), 26)).split())
    rule = mailcom.PLAN_RULE.capitalized
    assert rule in text and text.index(rule) < text.index("1. Open the mail account settings")
    assert mailcom.PLAN_RULE in build_instructions(settings(), 26).facts
    other = dataclasses.replace(settings(), mailcom=False, provider_name="Example Mail")
    assert "Premium" not in render_text(build_instructions(other, 26))


@pytest.mark.parametrize(
    ("ios", "path", "not_said"),
    [
        (11, "General > Profiles & Device Management", ("Profile Downloaded", "VPN &")),
        (13, "Profile Downloaded", ("VPN &",)),
        (14, "General > Profiles & Device Management", ("VPN &",)),
        (15, "General > VPN & Device Management", ("Profiles &",)),
        (26, "General > VPN & Device Management", ("Profiles &",)),
    ],
)
def test_the_profile_path_follows_the_ios_version(
    ios: int, path: str, not_said: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["instructions", "--email", "a@mail.com", "--no-verify", "--ios", str(ios)])
    text = " ".join(capsys.readouterr().out.split())
    assert code == 0
    profile_part = text[text.index("Or install a profile") :]
    assert path in profile_part
    for words in not_said:
        assert words not in profile_part, (ios, words)


def test_step_11_says_the_refusal_checklist_and_the_network_advice_in_the_one_wording() -> None:
    mail_settings = settings()
    step = step_titled(build_instructions(mail_settings, 26), "If iOS shows a message")
    items = access.refusal_checklist("mail.com", True)
    assert access.in_order(items) in step.text
    positions = [step.text.index(item.title) for item in items]
    assert positions == sorted(positions)
    assert other_network(checked_here=True) in step.text


def test_a_caveat_the_settings_carry_is_said_in_its_own_words_in_steps_and_profile() -> None:
    """Steps and profiles show whatever caveat the run gave the settings (the demo gives
    ``PRACTICE``): its label and texts, filled in; the profile is never offered."""
    caveat = Caveat(
        label="Drill",
        steps="Drill steps {provider} {email}",
        servers="drill-servers {provider}",
        repair="Drill repair {provider}",
        profile_name="DRILL: ",
        profile="Drill profile {provider} {email} ({servers}) {choice}",
        export="Drill export {provider} {email}",
        then="In a real drill",
        export_screen="drill export screen",
        proven="drill proven",
        unproven="drill unproven",
        values="drill values",
    )
    drill = dataclasses.replace(settings(), caveat=caveat)
    instructions = build_instructions(drill, 26)
    assert instructions.title.startswith("Drill: Set up alice@mail.com")
    assert instructions.caveat_note == "Drill steps mail.com alice@mail.com"
    assert instructions.summary.endswith(". drill-servers mail.com")
    assert "DRILL: Drill steps mail.com alice@mail.com" in render_text(instructions)
    assert "> **Drill:** Drill steps mail.com" in render_markdown(instructions)
    profile = plistlib.loads(build_profile(drill))
    assert profile["PayloadDisplayName"].startswith("DRILL: mail.com mail: alice@mail.com")
    assert profile["PayloadDescription"].startswith(
        "Drill profile mail.com alice@mail.com (incoming imap.mail.com port 993 (SSL/TLS), "
        "outgoing smtp.mail.com port 465 (SSL/TLS)) IMAP iOS asks"
    )
    assert profile["PayloadIdentifier"].startswith(PRACTICE_PREFIX + ".")
    assert make_profile(drill, "drill.mobileconfig").practice  # never offered to a phone
    plain = plistlib.loads(build_profile(settings()))
    assert "Drill" not in plain["PayloadDescription"] + plain["PayloadDisplayName"]
    assert not plain["PayloadIdentifier"].startswith(PRACTICE_PREFIX)
