"""A row of mutually exclusive choices on one line: the arrows choose, as in a browser, and
Enter goes on, as in a form (Textual's RadioSet chooses only with Enter or Space, so
arrowing to "POP" and pressing Tab chose nothing)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import RadioButton, RadioSet


class ChoiceRow(RadioSet):
    """Choices side by side; the arrows choose, Enter posts ``Submitted`` to the screen."""

    DEFAULT_CSS = """
    ChoiceRow {
        layout: horizontal;
        width: auto;
        height: 1;
        border: none;
        padding: 0;
        background: transparent;
        & > RadioButton { width: auto; margin-right: 2; }
        &:focus { border: none; background-tint: $foreground 5%; }
    }
    """

    # RadioSet's own Enter toggles the highlighted button; the arrows already did that.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Go on", show=False),
    ]

    class Submitted(Message):
        """Enter on the row: take what is chosen and go on."""

        def __init__(self, choice_row: ChoiceRow) -> None:
            super().__init__()
            self.choice_row = choice_row

        @property
        def control(self) -> ChoiceRow:
            """The row (for ``@on(ChoiceRow.Submitted, "#id")``)."""
            return self.choice_row

    def __init__(
        self,
        *labels: str,
        chosen: int = 0,
        ids: Sequence[str] = (),
        disabled: Collection[int] = (),
        id: str | None = None,
    ) -> None:
        """One button per label (with its id from ``ids``), the ``chosen`` one pressed; the
        ``disabled`` ones cannot be chosen."""
        buttons = [
            RadioButton(
                label,
                value=index == chosen,
                id=ids[index] if ids else None,
                disabled=index in disabled,
            )
            for index, label in enumerate(labels)
        ]
        super().__init__(*buttons, id=id, compact=True)
        # RadioSet highlights the first button that can be chosen; each move skips the others.
        self.moves_to_chosen = sum(index not in disabled for index in range(chosen))
        # RadioSet highlights its first button while mounting, through the same action the
        # arrows use: that must not choose it.
        self._arrows_choose = False

    def on_mount(self) -> None:
        self.call_after_refresh(self._highlight_chosen)

    def _highlight_chosen(self) -> None:
        """Once RadioSet has highlighted its first button, move the highlight to the chosen."""
        for _ in range(self.moves_to_chosen):
            super().action_next_button()
        self._arrows_choose = True

    def action_next_button(self) -> None:
        super().action_next_button()
        if self._arrows_choose:
            self.action_toggle_button()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        if self._arrows_choose:
            self.action_toggle_button()

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))
