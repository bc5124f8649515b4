"""Repair, step 2: the most likely cause and its one fix, then the steps on the phone's menus.
Every sentence comes from ``wizard.core.repair.render``, as ``mailcom-wizard repair`` prints
it, so the screen and the command cannot word an answer differently."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Static

from wizard.core.repair.answer import RepairAnswer
from wizard.core.repair.render import (
    action_line,
    cause_line,
    check_headline,
    phone_line,
    render_text,
    shown_line,
    step_heading,
    why_line,
)
from wizard.screens.step import Step, home_path
from wizard.widgets.failure_panel import FailurePanel
from wizard.widgets.value_row import ValueRow


class RepairAction(StrEnum):
    """What the user chose to do next (Back dismisses with None)."""

    FRESH_PROFILE = "fresh-profile"  # a fresh profile from the settings that passed
    CHECK_AGAIN = "check-again"  # the same symptom and answers


def repair_steps_path(home: Path, answer: RepairAnswer) -> Path:
    """Named after the address (the name is said on screen: no internal code in it)."""
    return home / f"mailcom-repair-{answer.settings.email}.txt"


class RepairScreen(Step[RepairAction | None]):
    """The cause and action first, then why and the steps; D shows the check port by port."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f", "fresh_profile", "Fresh profile", show=False),
        Binding("r", "check_again", "Check again"),
        Binding("d", "details", "Details"),
        Binding("s", "save", "Save steps"),
    ]
    SUB_TITLE = "Repair: the most likely cause"

    def __init__(self, answer: RepairAnswer, *, home: Path | None = None) -> None:
        super().__init__()
        self.answer = answer
        self.home = home or Path.home()

    def compose(self) -> ComposeResult:
        answer = self.answer
        yield Header()
        with VerticalScroll(id="repair-body", classes="step-body"):
            yield Static(
                cause_line(answer),
                id="repair-cause",
                classes="-found" if answer.conclusive else "-unsure",
                markup=False,
            )
            yield Static(action_line(answer), id="repair-action", markup=False)
            if answer.fresh_profile:
                yield Button(
                    "Set up again with a fresh profile", id="fresh-profile", variant="primary"
                )
            if answer.warning:
                yield Static(f"! {answer.warning}", classes="warning", markup=False)
            yield Static(why_line(answer), id="repair-why", markup=False)
            if answer.caveat_note:
                yield Static(f"! {answer.caveat_note}", classes="unverified", markup=False)
            yield from self._compose_steps()
            yield Static(self._check_text(), id="repair-check", classes="hint", markup=False)
            yield FailurePanel(id="repair-details")
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back", compact=True)
            yield Button("Save these steps", id="save", compact=True)
            yield Button("Check again", id="check-again", compact=True)
        yield Footer()

    def _compose_steps(self) -> ComposeResult:
        answer = self.answer
        hint = answer.version_hint
        if answer.version_note:
            hint = f"{answer.version_note} {hint}"
        if any(value.copyable for step in answer.steps for value in step.values):
            hint += "  Tab to a value, then C copies it."
        where = home_path(repair_steps_path(self.home, answer))
        hint += f"  S saves these steps to {where}"
        yield Static(hint, id="repair-version", classes="hint", markup=False)
        verified = answer.settings.verified
        for number, step in enumerate(answer.steps, start=1):
            yield Static(step_heading(number, step), classes="step-title", markup=False)
            yield Static(step.text, classes="step-text", markup=False)
            for value in step.values:
                yield ValueRow(value, verified=verified)

    def _check_text(self) -> str:
        """What the user said and the check found, in the user's words (the ports are in D)."""
        answer = self.answer
        lines = [shown_line(answer), check_headline(answer)]
        if answer.verdict.uses:
            lines.append(f"  {answer.verdict.uses}")
        if phone := phone_line(answer):
            lines.append(phone)
        lines.append("D shows the check port by port: codes and the servers' words.")
        return "\n".join(lines)

    def on_mount(self) -> None:
        first = "#fresh-profile" if self.answer.fresh_profile else "#repair-body"
        self.query_one(first).focus(scroll_visible=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.answer.fresh_profile if action == "fresh_profile" else True

    @on(Button.Pressed, "#fresh-profile")
    def action_fresh_profile(self) -> None:
        self.dismiss(RepairAction.FRESH_PROFILE)

    @on(Button.Pressed, "#check-again")
    def action_check_again(self) -> None:
        self.dismiss(RepairAction.CHECK_AGAIN)

    def action_details(self) -> None:
        panel = self.query_one("#repair-details", FailurePanel)
        if panel.attempts:
            panel.show()
            return
        # Each attempt's advice is worded for a setup; here the answer above is the advice.
        panel.show(*(replace(attempt, advice="") for attempt in self.answer.report.attempts))
        panel.border_title = "The check, port by port"
        body = self.query_one("#repair-body", VerticalScroll)  # scrolled once the panel has height
        self.call_after_refresh(body.scroll_to_widget, panel, top=True, animate=False)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.save_text(repair_steps_path(self.home, self.answer), render_text(self.answer))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
