"""Step 5a: the iPhone Settings steps for iOS 18 and iOS 17, values copyable, savable."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static, TabbedContent, TabPane

from wizard.core.errors import ProfileWriteError
from wizard.core.files import write_file
from wizard.core.instructions import Instructions, build_instructions, render_text
from wizard.core.models import MailSettings
from wizard.widgets.value_row import ValueRow

IOS_TABS = (("ios-18", 18, "iOS 18 and later"), ("ios-17", 17, "iOS 17 and earlier"))


def steps_path(home: Path, settings: MailSettings, ios: int) -> Path:
    """Where the steps are saved: the home folder, named after the address and iOS."""
    return home / f"mailcom-iphone-steps-{settings.email}-ios{ios}.txt"


class InstructionsScreen(Screen[None]):
    """Numbered steps in two tabs; dismisses (with nothing) to go back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("s", "save", "Save steps"),
        Binding("1", "show_tab('ios-18')", "iOS 18", show=False),
        Binding("2", "show_tab('ios-17')", "iOS 17", show=False),
    ]

    def __init__(self, settings: MailSettings, *, home: Path | None = None) -> None:
        """``home`` is where the steps are saved (the home folder unless given)."""
        super().__init__()
        self.settings = settings
        self.home = home
        self.instructions = {ios: build_instructions(settings, ios) for _, ios, _ in IOS_TABS}

    def compose(self) -> ComposeResult:
        """One tab per iOS version."""
        yield Header()
        with TabbedContent(id="ios-tabs"):
            for tab_id, ios, label in IOS_TABS:
                with TabPane(label, id=tab_id), VerticalScroll(classes="steps"):
                    yield from self._compose_steps(self.instructions[ios])
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Save steps to a file", id="save")
        yield Footer()

    def _compose_steps(self, instructions: Instructions) -> ComposeResult:
        if instructions.warning_unverified:
            yield Static(f"! {instructions.warning_unverified}", classes="unverified", markup=False)
        yield Static(
            instructions.summary + "  Tab to a value, then C copies it.",
            classes="hint",
            markup=False,
        )
        for number, step in enumerate(instructions.steps, start=1):
            yield Static(f"{number}. {step.title}", classes="step-title", markup=False)
            yield Static(step.text, classes="step-text", markup=False)
            for value in step.values:
                yield ValueRow(value, verified=self.settings.verified)

    def on_mount(self) -> None:
        """Focus the first value, so C works at once."""
        self.sub_title = "iPhone steps"
        self.query_one("#ios-18 ValueRow", ValueRow).focus()

    def action_show_tab(self, tab_id: str) -> None:
        """1 or 2 switch tabs, and focus the new tab's first value.

        Moving focus matters: TabbedContent switches back to whichever pane holds the
        focused widget.
        """
        self.query_one("#ios-tabs", TabbedContent).active = tab_id
        self.query_one(f"#{tab_id} ValueRow", ValueRow).focus()

    @property
    def current_ios(self) -> int:
        """The iOS version of the visible tab."""
        active = self.query_one("#ios-tabs", TabbedContent).active
        return next(ios for tab_id, ios, _ in IOS_TABS if tab_id == active)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save the visible tab's steps as a text file in the home folder."""
        ios = self.current_ios
        path = steps_path(self.home or Path.home(), self.settings, ios)
        self.save_steps(path, render_text(self.instructions[ios]))

    @work(thread=True, exclusive=True, group="save-steps")
    def save_steps(self, path: Path, text: str) -> None:
        """Write the file off the UI thread (a slow disk must not freeze the wizard)."""
        try:
            write_file(path, text.encode(), force=True, private=False)
        except ProfileWriteError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Saved the steps to {path}", timeout=10)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the choice of steps or profile."""
        self.dismiss(None)
