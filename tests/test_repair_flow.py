"""The repair path in the wizard, from the welcome screen to one cause and its fix.

Walked as a user would (keys at 80x24) against the practice server with a demo fault,
and compared with ``mailcom-wizard repair --json`` for the same fault and symptom: the
screen and the command give the same answer. The screens' own ways (the fresh profile, back
and check again) are walked with a fake check.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeCheck, accepting, practice_target, until, wizard_with
from wizard.app import WizardApp
from wizard.cli import main
from wizard.core.models import Status
from wizard.core.repair.symptoms import Symptom
from wizard.demo.practice import DEMO_PASSWORD, RunningDemo, start_demo
from wizard.screens.account import AccountScreen
from wizard.screens.check import CheckScreen
from wizard.screens.repair import RepairScreen
from wizard.screens.send import SendScreen
from wizard.screens.symptom import SymptomScreen

SIZE = (80, 24)
SYMPTOMS = list(Symptom)


pytestmark = pytest.mark.usefixtures("no_keyring")


#: The check's limit per step: short, since a blocked port is waited out, but long enough
#: for a login on a busy machine (2 s was not, with eight other jobs on two cores).
LIMIT = 5


def demo_app(demo: RunningDemo, home: Path) -> WizardApp:
    return WizardApp(
        demo.target(LIMIT),
        home=home,
        serve_host="127.0.0.1",
    )


async def repair_in_the_wizard(demo: RunningDemo, home: Path, symptom: Symptom) -> RepairScreen:
    """Welcome > Fix an account > the symptom > the password > the answer."""
    app = demo_app(demo, home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # the second choice: fix an account
        await until(pilot, lambda: isinstance(app.screen, SymptomScreen))
        await pilot.press(*(["down"] * SYMPTOMS.index(symptom)), "enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await pilot.press(*demo.password, "enter")
        await until(pilot, lambda: isinstance(app.screen, RepairScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RepairScreen)
        return screen


async def repair_command(
    fault: str | None, symptom: Symptom, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    argv = ["repair", "--demo", "--timeout", str(LIMIT), "--symptom", symptom.value, "--json"]
    if fault:
        argv[2:2] = ["--demo-fault", fault]
    capsys.readouterr()
    await asyncio.to_thread(main, argv)  # the command runs its own event loop
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("fault", "symptom", "cause"),
    [
        ("blocked-465", Symptom.CANNOT_SEND, "outgoing-port-blocked"),
        ("wrong-password", Symptom.PASSWORD_INCORRECT, "login-refused"),
        ("intercepted", Symptom.CANNOT_VERIFY_IDENTITY, "network-intercepts"),
        (None, Symptom.PASSWORD_INCORRECT, "old-password-on-phone"),
    ],
)
async def test_the_wizard_and_the_command_name_the_same_cause(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fault: str | None,
    symptom: Symptom,
    cause: str,
) -> None:
    with start_demo(fault) as demo:
        screen = await repair_in_the_wizard(demo, tmp_path, symptom)
    answer = screen.answer
    assert answer.cause.value == cause
    headless = await repair_command(fault, symptom, capsys)
    assert headless["cause"] == answer.cause.value
    assert headless["outcome"] == answer.outcome.value
    assert headless["action"] == answer.action
    assert [step["title"] for step in headless["steps"]] == [s.title for s in answer.steps]


async def test_nothing_found_offers_a_fresh_profile_by_qr_code(tmp_path: Path) -> None:
    """The check passes and nothing explains the symptom: set it up again, one key away."""
    app = wizard_with(FakeCheck(accepting(DEMO_PASSWORD)), tmp_path, practice_target())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, SymptomScreen))
        await pilot.press(*(["down"] * SYMPTOMS.index(Symptom.NO_NEW_MAIL)), "enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await pilot.press(*DEMO_PASSWORD, "enter")
        await until(pilot, lambda: isinstance(app.screen, RepairScreen))
        screen = app.screen
        assert isinstance(screen, RepairScreen)
        assert screen.answer.fresh_profile, screen.answer.cause.value
        await pilot.press("enter")  # the fresh profile has focus
        await until(pilot, lambda: isinstance(app.screen, SendScreen))
        send = app.screen
        assert isinstance(send, SendScreen)
        await until(pilot, lambda: send.has_class("-not-offered"))  # the demo offers nothing


async def test_back_from_the_answer_returns_to_the_symptom_and_check_again_runs_again(
    tmp_path: Path,
) -> None:
    blocked_465 = FakeCheck(accepting(DEMO_PASSWORD, {465: Status.TIMEOUT}))
    app = wizard_with(blocked_465, tmp_path, practice_target("blocked-465"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, SymptomScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountScreen))
        await pilot.press(*DEMO_PASSWORD, "enter")
        await until(pilot, lambda: isinstance(app.screen, RepairScreen))
        first = app.screen
        await pilot.press("r")  # check again
        await until(pilot, lambda: isinstance(app.screen, (CheckScreen, RepairScreen)))
        await until(pilot, lambda: isinstance(app.screen, RepairScreen) and app.screen is not first)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SymptomScreen))
