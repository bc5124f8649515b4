"""A yes/no question in a dialog, for choices that need to be explicit."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks ``question``; dismisses True only for the yes button (labels say what happens).
    A ``question`` given as a string is markup: words from outside come as ``Content``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "no", "Cancel")]
    AUTO_FOCUS = "#no"  # the safe answer

    def __init__(
        self, title: str, question: str | Content, *, yes: str, no: str = "Cancel"
    ) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="button-row"):
                yield Button(self.no_label, id="no")
                yield Button(self.yes_label, id="yes", variant="warning")

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
