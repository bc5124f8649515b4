"""An Input for one field of a form that may receive several fields at once.

A password manager's auto-type (``{USERNAME}{TAB}{PASSWORD}{ENTER}``) or a paste of
``name<TAB>address<TAB>password`` reaches a terminal app in one burst, either as one paste
or as keys that all arrive together. Textual's Input gets both wrong for a form:

- A paste: it keeps the first line, tabs and all, in the focused field, so the password
  shows in clear text beside the user name. ``FormInput`` hands a paste holding tabs to
  its screen (``FormInput.FieldsPasted``), which knows the fields; ``plan_fields`` is how
  a screen decides where each part goes.
- Keys: Textual gives every key of the burst to the focused field before it acts on the
  Tab among them (a Tab moves focus only once it has gone up to the app), so the whole
  burst lands in one field. ``FormInput`` moves focus on Tab itself, at once, and passes
  a key that was meant for the next field on to whatever has focus now.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input


@dataclass(frozen=True)
class Burst:
    """A paste split into fields: the parts between tabs, and whether it ended with Enter."""

    parts: tuple[str, ...]
    submit: bool


def split_burst(text: str) -> Burst | None:
    """``text`` as fields when it holds a tab (several fields at once), else None."""
    if "\t" not in text:
        return None
    body = text.rstrip("\r\n")
    submit = body != text
    # Within a field a newline has no meaning; keep its first line, as Input does.
    parts = tuple((part.splitlines() or [""])[0] for part in body.split("\t"))
    return Burst(parts, submit)


def plan_fields(
    parts: Sequence[str], focused: int, count: int, fits: Callable[[int, str], bool]
) -> tuple[int, ...] | None:
    """Which field (0 .. count-1) each part goes to, or None when no placement fits.

    The parts fill consecutive fields from the focused one, as typing would. When that does
    not fit (a part lands where ``fits(field, part)`` says it cannot be, or parts are left
    over), the parts are tried against the last fields instead: password managers end with
    the password, which belongs in the last field wherever the cursor was. Empty parts
    always fit (nothing was typed there).
    """
    for start in (focused, count - len(parts)):
        if start < 0 or start + len(parts) > count:
            continue
        places = tuple(range(start, start + len(parts)))
        if all(not part or fits(place, part) for place, part in zip(places, parts, strict=True)):
            return places
    return None


class Problem(Validator):
    """A field check as an Input validator: ``problem`` says what is wrong, or None."""

    def __init__(self, problem: Callable[[str], str | None]) -> None:
        super().__init__()
        self.problem = problem

    def validate(self, value: str) -> ValidationResult:
        """Valid unless ``problem`` names something wrong with ``value``."""
        problem = self.problem(value)
        return self.failure(problem, value) if problem else self.success()


class FormInput(Input):
    """An Input that passes a paste holding tabs to its screen instead of keeping it.

    A paste without a tab behaves as in any Input.
    """

    class FieldsPasted(Message):
        """Several fields were pasted (or auto-typed) at once into ``form_input``."""

        def __init__(self, form_input: FormInput, burst: Burst) -> None:
            super().__init__()
            self.form_input = form_input
            self.burst = burst

    def on_key(self, event: events.Key) -> None:
        """Tab moves on at once; a key queued before focus moved goes where it was meant.

        Textual calls this before Input's own key handling, which ``prevent_default`` skips.
        """
        focused = self.screen.focused
        if focused is not self:
            # Queued here before an earlier key of the burst moved focus on: it is meant
            # for the field that has focus now, or, when the Tab landed on something that
            # is not a field (a checkbox between two fields), for the next field.
            event.stop()
            event.prevent_default()
            if not isinstance(focused, FormInput) and event.key in ("tab", "shift+tab"):
                # A Tab typed after the one that landed on the checkbox: it moves on from
                # there (onto the password), as it would have typed slowly.
                if event.key == "tab":
                    self.screen.focus_next()
                else:
                    self.screen.focus_previous()
                return
            if not isinstance(focused, FormInput):
                focused = self._next_field()
                if focused is not None:
                    self.screen.set_focus(focused)
            if focused is not None:
                focused.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("tab", "shift+tab"):
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
        # Anything else: Textual goes on to Input's own handler (prevent_default stops that).

    def action_copy(self) -> None:
        """Ctrl+C copies the selected text; with nothing selected it quits, as elsewhere."""
        if self.selection.is_empty:
            self.app.exit()
            return
        super().action_copy()

    def _next_field(self) -> FormInput | None:
        """The form field after this one on the screen (None for the last)."""
        fields = list(self.screen.query(FormInput))
        index = fields.index(self) if self in fields else -1
        later = fields[index + 1 :]
        return later[0] if later else None

    def on_paste(self, event: events.Paste) -> None:
        """A paste holding tabs goes to the screen; any other is Input's own business."""
        burst = split_burst(event.text)
        if burst is None:
            return  # one field's worth: Input's own handler takes it
        event.stop()
        event.prevent_default()
        self.post_message(self.FieldsPasted(self, burst))
