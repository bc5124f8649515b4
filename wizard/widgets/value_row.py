"""One exact value for the phone (label, value, note) that can be copied with one key."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from wizard.core.instructions import Value


class ValueRow(Horizontal, can_focus=True):
    """A focusable value; C (or a click) copies it to the clipboard when it is copyable."""

    DEFAULT_CSS = """
    ValueRow {
        height: auto;
        padding: 0 0 0 4;
        & > .value-label { width: 16; color: $text-muted; }
        & > .value-text { width: 1fr; }
        &:focus { background: $boost; }
        &:focus > .value-label { color: $text; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("c", "copy", "Copy value")]

    def __init__(self, value: Value, *, verified: bool) -> None:
        """``verified`` highlights values a live check proved."""
        super().__init__(classes="-copyable" if value.copyable else "-placeholder")
        self.set_class(verified, "-verified")
        self.value = value

    def compose(self) -> ComposeResult:
        """The label, then the value and its note as one text wrapped at whole words (a column
        of its own would be clipped, not wrapped, when longer than the room beside the label)."""
        yield Label(self.value.label, classes="value-label")
        yield Label(self.value_text(), classes="value-text")

    def value_text(self) -> Content:
        """The value in its style (accent to copy, on green when verified), the note muted."""
        if not self.value.copyable:
            style = "italic"
        elif self.has_class("-verified"):
            style = "bold $text on $success-muted"
        else:
            style = "bold $text-accent"
        note = ("  " + self.value.note, "$text-muted") if self.value.note else ""
        return Content.assemble((self.value.value, style), note)

    def action_copy(self) -> None:
        """Put the value on the clipboard (placeholders such as the password are not)."""
        if not self.value.copyable:
            self.notify(
                f"{self.value.label}: type this yourself.", severity="warning", markup=False
            )
            return
        self.app.copy_to_clipboard(self.value.value)
        self.notify(f"Copied {self.value.label}: {self.value.value}", markup=False)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self.action_copy()
