"""Repair, step 2: the most likely cause and its one fix, then the steps on the phone's menus.

Every sentence comes from ``wizard.core.repair.render``, the functions ``mailcom-wizard
repair`` prints with, so the screen and the command cannot word an answer differently.
"""

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

    #: Make a fresh profile from the settings that passed (the export path).
    FRESH_PROFILE = "fresh-profile"
    #: Run the live check again, with the same symptom and answers.
    CHECK_AGAIN = "check-again"


def repair_steps_path(home: Path, answer: RepairAnswer) -> Path:
    """Where the answer is saved: the home folder, named after the address (the name is
    said on screen, so it holds no internal code such as the cause's)."""
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
        """``home`` is where the steps are saved (the home folder unless given)."""
        super().__init__()
        self.answer = answer
        self.home = home or Path.home()

    def compose(self) -> ComposeResult:
        """Cause and action (above the fold), then why, the steps, and the check."""
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
        """What the user said and what the check found, in the user's words: the ports'
        names and results ("IMAP 993 (SSL/TLS): ...") are in D, as ``repair`` prints them."""
        answer = self.answer
        lines = [shown_line(answer), check_headline(answer)]
        if answer.verdict.uses:
            lines.append(f"  {answer.verdict.uses}")
        phone = phone_line(answer)
        if phone:
            lines.append(phone)
        lines.append("D shows the check port by port: codes and the servers' words.")
        return "\n".join(lines)

    def on_mount(self) -> None:
        """Focus the fresh-profile button when it is the fix; otherwise the text, to scroll."""
        if self.answer.fresh_profile:
            self.query_one("#fresh-profile", Button).focus(scroll_visible=False)
        else:
            self.query_one("#repair-body", VerticalScroll).focus(scroll_visible=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The fresh-profile key only where a fresh profile is the fix."""
        if action == "fresh_profile":
            return self.answer.fresh_profile
        return True

    @on(Button.Pressed, "#fresh-profile")
    def action_fresh_profile(self) -> None:
        """Set the account up again with a fresh profile."""
        self.dismiss(RepairAction.FRESH_PROFILE)

    @on(Button.Pressed, "#check-again")
    def action_check_again(self) -> None:
        """Run the check again."""
        self.dismiss(RepairAction.CHECK_AGAIN)

    def action_details(self) -> None:
        """Show (or hide) every attempt of the check: ports, codes, the servers' words."""
        panel = self.query_one("#repair-details", FailurePanel)
        if panel.attempts:
            panel.show()
            return
        # Each attempt's advice is worded for a setup ("587 will be used instead, nothing to
        # do"); here the answer above is the advice, so only the facts of each port are shown.
        panel.show(*(replace(attempt, advice="") for attempt in self.answer.report.attempts))
        panel.border_title = "The check, port by port"
        # Scrolled to once the panel has its height.
        body = self.query_one("#repair-body", VerticalScroll)
        self.call_after_refresh(body.scroll_to_widget, panel, top=True, animate=False)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save the answer, as ``repair`` prints it, to a text file in the home folder."""
        path = repair_steps_path(self.home, self.answer)
        self.save_text(path, render_text(self.answer))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the choice of symptom."""
        self.dismiss(None)
