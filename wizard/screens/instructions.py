"""Step 3 of 3, by hand: the iPhone Settings steps, one tab per layout, values copyable, savable."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Static, TabbedContent, TabPane

from wizard.core.instructions import (
    LAYOUTS,
    Instructions,
    IosLayout,
    build_instructions,
    render_text,
)
from wizard.core.models import MailSettings
from wizard.screens.step import Step, home_path
from wizard.widgets.value_row import ValueRow


class InstructionsScreen(Step[None]):
    """Numbered steps, one tab per layout (newest first); dismisses (with nothing) to go back."""

    SUB_TITLE = "Step 3 of 3: the iPhone steps"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("s", "save", "Save steps"),
        *(
            Binding(str(number), f"show_tab('{layout.key}')", layout.label, show=False)
            for number, layout in enumerate(LAYOUTS, start=1)
        ),
    ]

    def __init__(self, settings: MailSettings, *, home: Path | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.home = home or Path.home()
        self.instructions = {layout.key: build_instructions(settings, layout) for layout in LAYOUTS}

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="ios-tabs"):
            for layout in LAYOUTS:
                with (
                    TabPane(layout.label, id=layout.key),
                    VerticalScroll(classes="steps step-body"),
                ):
                    yield from self._compose_steps(self.instructions[layout.key])
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Save steps to a file", id="save")
        yield Footer()

    def _compose_steps(self, instructions: Instructions) -> ComposeResult:
        if instructions.caveat_note:
            yield Static(f"! {instructions.caveat_note}", classes="unverified", markup=False)
        if instructions.warning_unverified:
            yield Static(f"! {instructions.warning_unverified}", classes="unverified", markup=False)
        for note in instructions.settings.provider_notes:
            yield Static(note, classes="hint", markup=False)
        keys = ", ".join(str(n) for n in range(1, len(LAYOUTS) + 1))
        yield Static(
            f"{instructions.version_hint} Keys {keys} switch between versions.",
            classes="hint",
            markup=False,
        )
        where = home_path(self.steps_path(instructions.layout))
        summary = instructions.summary_for(security=False)
        yield Static(
            f"{summary}  Tab to a value, then C copies it; S saves these steps to {where}",
            classes="hint",
            markup=False,
        )
        for before in instructions.before:
            yield Static(f"{before.title}: {before.text}", classes="hint", markup=False)
        for number, step in enumerate(instructions.steps, start=1):
            yield Static(f"{number}. {step.title}", classes="step-title", markup=False)
            yield Static(step.text, classes="step-text", markup=False)
            for value in step.values:
                yield ValueRow(value, verified=self.settings.verified)

    def on_mount(self) -> None:
        # The first value, so C works at once; not scrolled to, so the top stays in view.
        self.query_one(f"#{LAYOUTS[0].key} ValueRow", ValueRow).focus(scroll_visible=False)

    def action_show_tab(self, tab_id: str) -> None:
        """Also focus the new tab's first value: TabbedContent switches back to whichever pane
        holds the focused widget."""
        self.query_one("#ios-tabs", TabbedContent).active = tab_id
        self.query_one(f"#{tab_id} ValueRow", ValueRow).focus(scroll_visible=False)

    def steps_path(self, layout: IosLayout) -> Path:
        """Named after the address and the iOS versions (said on screen before S saves)."""
        versions = layout.label.removeprefix("iOS ").replace(", ", "-")  # 18-26-27, 14-17
        return self.home / f"mailcom-iphone-steps-{self.settings.email}-ios{versions}.txt"

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save the visible tab's steps."""
        instructions = self.instructions[self.query_one("#ios-tabs", TabbedContent).active]
        self.save_text(self.steps_path(instructions.layout), render_text(instructions))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
