"""Pilot tests of the repair screens: what the iPhone shows, then the one cause and its fix.

The answers are built by the real engine (``diagnose_repair``) from the prepared reports
of the screenshots, one per check outcome (``tests/test_repair.py``), so every cause the
table can produce is shown at least once.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from tests.repair_reports import PHONES, REPORTS, pictures
from tests.screen_text import screen_rows, visible_words
from wizard.app import WizardApp
from wizard.core.instructions import IOS_11_13, IOS_14_17, IOS_18_26_27
from wizard.core.repair.answer import RepairAnswer, diagnose_repair
from wizard.core.repair.causes import Cause
from wizard.core.repair.render import render_text
from wizard.core.repair.symptoms import PhoneIncoming, PhoneSettings, Symptom
from wizard.screens.repair import RepairAction, RepairScreen, repair_steps_path
from wizard.screens.symptom import SymptomChoice, SymptomScreen
from wizard.widgets.failure_panel import FailurePanel
from wizard.widgets.value_row import ValueRow

SIZE = (80, 24)


def words(text: str) -> str:
    """Text with line wrapping folded away, for comparing sentences."""
    return re.sub(r"\s+", " ", text).strip()


def one_answer_per_cause() -> dict[Cause, RepairAnswer]:
    """For each cause, the first answer the table gives it (symptom x outcome x phone)."""
    found: dict[Cause, RepairAnswer] = {}
    for symptom, outcome, phone in itertools.product(Symptom, REPORTS, PHONES):
        answer = diagnose_repair(symptom, phone, REPORTS[outcome]())
        found.setdefault(answer.cause, answer)
    return found


ANSWERS = one_answer_per_cause()


def test_every_cause_has_an_answer_to_show() -> None:
    assert set(ANSWERS) == set(Cause)


def app() -> WizardApp:
    """The wizard with the pictures' provider, clock and home folder."""
    return WizardApp(pictures.PROVIDER, clock=pictures.FrozenClock(), home=pictures.HOME)


# -- what the iPhone shows ---------------------------------------------------------------


async def choose(*keys: str, previous: SymptomChoice | None = None) -> list[SymptomChoice | None]:
    """Open the symptom screen, press ``keys``, and return what it dismissed with."""
    results: list[SymptomChoice | None] = []
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        await wizard.push_screen(SymptomScreen(previous), results.append)
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
    return results


async def test_one_enter_goes_on_with_the_first_symptom_and_i_dont_know() -> None:
    assert await choose("enter") == [SymptomChoice(Symptom.PASSWORD_INCORRECT)]
    default = SymptomChoice(Symptom.PASSWORD_INCORRECT)
    assert default.phone == PhoneSettings() and default.ios is None
    assert default.layout is IOS_18_26_27


async def test_pop_587_and_ios_14_to_17_are_chosen_with_the_keyboard() -> None:
    # Cannot send; Tab: incoming, Left from "I don't know" is POP; Tab: outgoing, Left is
    # 587; Tab: iOS, Right twice (past the newest) is 14-17; Enter on the row goes on.
    keys = ("down", "down", "down", "tab", "left", "tab", "left", "tab", "right", "right")
    results = await choose(*keys, "enter")
    assert results == [
        SymptomChoice(
            Symptom.CANNOT_SEND,
            PhoneSettings(incoming=PhoneIncoming.POP, outgoing_port=587),
            ios=IOS_14_17,
        )
    ]


async def test_another_port_asks_for_its_number() -> None:
    results: list[SymptomChoice | None] = []
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        await wizard.push_screen(SymptomScreen(), results.append)
        await pilot.pause()
        screen = wizard.screen
        number = screen.query_one("#other-port", Input)
        assert not number.display, "the number box is hidden until another port is chosen"
        await pilot.press("tab", "tab", "right")
        await pilot.pause()
        assert number.display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not results, "no number: the screen stays"
        error = screen.query_one("#symptom-error", Static)
        assert error.display and "port number" in str(error.content)
        assert wizard.focused is number
        await pilot.press("2", "5", "enter")
        await pilot.pause()
    assert results == [SymptomChoice(Symptom.PASSWORD_INCORRECT, PhoneSettings(outgoing_port=25))]


async def test_a_previous_choice_is_shown_again() -> None:
    previous = SymptomChoice(
        Symptom.NO_NEW_MAIL, PhoneSettings(PhoneIncoming.IMAP, 2525), ios=IOS_11_13
    )
    assert await choose("enter", previous=previous) == [previous]


async def test_escape_leaves_the_symptom_screen_with_nothing() -> None:
    assert await choose("escape") == [None]


# -- the answer --------------------------------------------------------------------------


async def show(
    answer: RepairAnswer, *keys: str, home: Path | None = None
) -> tuple[list[RepairAction | None], str, str]:
    """Show ``answer``, press ``keys``; what it dismissed with, the visible text, all text."""
    results: list[RepairAction | None] = []
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        await wizard.push_screen(RepairScreen(answer, home=home), results.append)
        await pilot.pause()
        screen = wizard.screen
        shown = visible_words(wizard.export_screenshot())
        every = words(" ".join(str(static.content) for static in screen.query(Static)))
        await pilot.press(*keys)
        await wizard.workers.wait_for_complete()
        await pilot.pause()
    return results, shown, every


@pytest.mark.parametrize("cause", list(Cause), ids=str)
async def test_the_cause_and_action_are_above_the_fold_at_80x24(cause: Cause) -> None:
    answer = ANSWERS[cause]
    _, shown, every = await show(answer)
    assert words(f"Most likely cause: {answer.title}.") in shown
    assert words(f"What to do: {answer.action}") in shown
    # The codes are for the JSON (``repair --json``), not for the screen (those of one
    # word, such as "offline", are plain English too).
    for code in (answer.symptom.value, answer.outcome.value, answer.cause.value):
        assert "-" not in code or code not in every, code


def cli_sentences(text: str) -> list[str]:
    """The key sentences ``repair`` prints: the cause, the action, and each step's title."""
    blocks = [words(block) for block in text.split("\n\n")]
    key = [b for b in blocks if b.startswith(("Most likely cause:", "What to do:"))]
    steps = [line.strip() for line in text.splitlines() if re.match(r"\d+\. ", line)]
    return key + steps


@pytest.mark.parametrize("name", list(pictures.REPAIRS))
async def test_the_screen_says_what_repair_prints(name: str) -> None:
    answer = pictures.REPAIRS[name]()
    sentences = cli_sentences(render_text(answer))
    assert len(sentences) == 2 + len(answer.steps)
    assert sentences[0] == words(f"Most likely cause: {answer.title}.")
    assert sentences[1] == words(f"What to do: {answer.action}")
    _, _, every = await show(answer)
    for sentence in sentences:
        assert sentence in every, sentence
    for line in render_text(answer).split("\n\n")[1:5]:
        if line.startswith(("The check:", "Why:")):
            assert words(line) in every


async def test_escape_goes_back() -> None:
    results, _, _ = await show(ANSWERS[Cause.OLD_PASSWORD_ON_PHONE], "escape")
    assert results == [None]


async def test_a_fresh_profile_is_offered_and_focused_when_it_is_the_fix() -> None:
    answer = ANSWERS[Cause.NOTHING_FOUND]
    assert answer.fresh_profile
    results, shown, _ = await show(answer, "enter")
    assert results == [RepairAction.FRESH_PROFILE]
    assert "Set up again with a fresh profile" in shown
    results, _, _ = await show(answer, "f")
    assert results == [RepairAction.FRESH_PROFILE]


async def test_no_fresh_profile_where_it_is_not_the_fix() -> None:
    answer = ANSWERS[Cause.OUTGOING_PORT_BLOCKED]
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        results: list[RepairAction | None] = []
        await wizard.push_screen(RepairScreen(answer), results.append)
        await pilot.pause()
        assert not wizard.screen.query("#fresh-profile")
        await pilot.press("f")
        await pilot.pause()
        assert not results
        await pilot.click("#check-again")
        await pilot.pause()
        assert results == [RepairAction.CHECK_AGAIN]


async def test_check_again_is_one_key() -> None:
    results, _, _ = await show(ANSWERS[Cause.OFFLINE], "r")
    assert results == [RepairAction.CHECK_AGAIN]


async def test_details_show_each_port_with_its_code_and_the_servers_words() -> None:
    answer = ANSWERS[Cause.LOGIN_REFUSED]
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        await wizard.push_screen(RepairScreen(answer))
        await pilot.pause()
        panel = wizard.screen.query_one("#repair-details", FailurePanel)
        assert not panel.display or not panel.has_class("-shown")
        await pilot.press("d")
        await pilot.pause()
        assert panel.has_class("-shown")
        text = words(str(panel.query_one(".failure-text", Static).content))
        for attempt in answer.report.attempts:
            assert attempt.endpoint.label in text
            if not attempt.ok:
                assert f"Code: {attempt.status.value}" in text
            if attempt.server_reply:
                assert words(attempt.server_reply) in text
        shown = visible_words(wizard.export_screenshot())
        assert "The check, port by port" in shown
        await pilot.press("d")
        await pilot.pause()
        assert not panel.has_class("-shown")


async def test_save_writes_what_repair_prints_to_the_home_folder(tmp_path: Path) -> None:
    answer = ANSWERS[Cause.OUTGOING_PORT_BLOCKED]
    results, _, _ = await show(answer, "s", home=tmp_path)
    assert not results, "saving stays on the screen"
    saved = repair_steps_path(tmp_path, answer)
    assert saved.parent == tmp_path and answer.settings.email in saved.name
    assert saved.read_text() == render_text(answer)


async def test_the_save_button_saves_too(tmp_path: Path) -> None:
    answer = ANSWERS[Cause.NOTHING_FOUND]
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        await wizard.push_screen(RepairScreen(answer, home=tmp_path))
        await pilot.pause()
        wizard.screen.query_one("#save", Button).press()
        await pilot.pause()
        await wizard.workers.wait_for_complete()
        await pilot.pause()
    assert repair_steps_path(tmp_path, answer).read_text() == render_text(answer)


def long_values() -> list[tuple[Cause, str]]:
    """Each answer's values longer than the narrowest room beside their label."""
    return [
        (cause, value.value)
        for cause, answer in ANSWERS.items()
        for step in answer.steps
        for value in step.values
        if len(value.value) > 40
    ]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=str)
async def test_long_values_wrap_whole_words_and_lose_nothing(size: tuple[int, int]) -> None:
    """Issue 21: the Password row lost "if two-factor" at 80x24 and was cut at 120x40."""
    cases = long_values()
    assert any("two-factor authentication is on" in value for _, value in cases)
    for cause, value in cases:
        wizard = app()
        async with wizard.run_test(size=size) as pilot:
            await wizard.push_screen(RepairScreen(ANSWERS[cause]))
            await pilot.pause()
            row = next(row for row in wizard.screen.query(ValueRow) if row.value.value == value)
            row.scroll_visible(animate=False, top=True)
            await pilot.pause()
            lines = screen_rows(wizard.export_screenshot())
            # The value's own column, line by line, as the user reads it.
            box = row.query_one(".value-text").region
            assert box.bottom <= size[1], (size, value)
            shown = " ".join(lines[y][box.x : box.right] for y in range(box.y, box.bottom))
            assert words(shown) == words(f"{value} {row.value.note}"), (size, value)


#: Words for D (Details) and the headless output, not for the wizard's main panels.
JARGON = re.compile(r"TLS|STARTTLS|in that order|sister service|--demo|\(symptom|check outcome")


async def test_no_jargon_or_codes_on_the_repair_and_steps_screens() -> None:
    """Issue 21: "(SSL/TLS)", "STARTTLS" and the like are for D and the headless output."""
    from wizard.screens.instructions import InstructionsScreen

    answers = {
        answer.outcome: answer  # the check text differs by outcome, the steps by settings
        for answer in itertools.starmap(
            lambda symptom, outcome, phone: diagnose_repair(symptom, phone, REPORTS[outcome]()),
            itertools.product(Symptom, REPORTS, PHONES),
        )
    }
    wizard = app()
    async with wizard.run_test(size=SIZE) as pilot:
        screens: list[Screen[Any]] = [
            RepairScreen(a) for a in [*answers.values(), *ANSWERS.values()]
        ]
        screens += [InstructionsScreen(s) for s in {a.settings for a in answers.values()}]
        for screen in screens:
            await wizard.push_screen(screen)
            await pilot.pause()
            text = words(" ".join(str(static.content) for static in screen.query(Static)))
            assert not JARGON.search(text), JARGON.findall(text)
            wizard.pop_screen()
