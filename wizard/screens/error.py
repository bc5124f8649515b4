"""The one dialog for anything unexpected: what happened, copyable details, no traceback."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


class ErrorScreen(ModalScreen[bool]):
    """An unexpected error; dismisses True to start over, False to quit (``details``: a
    traceback without variables, any quoted password already marked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy details"),
        Binding("escape", "start_over", "Start over"),
    ]
    AUTO_FOCUS = "#start-over"  # the safe default

    def __init__(self, summary: str, details: str) -> None:
        super().__init__()
        self.summary = summary
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="error-dialog"):
            yield Static("Something went wrong", classes="dialog-title")
            yield Static(
                "This is a bug in mailcom-wizard, not something you did. What you typed is "
                "kept. Copy the details below if you want to report it (your password has "
                "been removed from them).",
                classes="dialog-text",
            )
            yield Static(self.summary, id="error-summary", markup=False)
            yield TextArea(self.details, read_only=True, id="error-details", soft_wrap=False)
            with Horizontal(classes="button-row"):
                yield Button("Copy details", id="copy")
                yield Button("Quit", id="quit", variant="error")
                yield Button("Start over", id="start-over", variant="primary")

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.details)
        self.notify("The error details are on the clipboard.")

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#start-over")
    def action_start_over(self) -> None:
        self.dismiss(True)
