"""An Input for a form that may get several fields in one burst (a password manager's
``{USERNAME}{TAB}{PASSWORD}{ENTER}``, a pasted ``name<TAB>address<TAB>password``), which
Textual's Input would keep in one field, tabs and password included."""

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
    # Within a field a newline has no meaning; keep its first line, as Input does.
    parts = tuple((part.splitlines() or [""])[0] for part in body.split("\t"))
    return Burst(parts, submit=body != text)


def plan_fields(
    parts: Sequence[str], focused: int, count: int, fits: Callable[[int, str], bool]
) -> tuple[int, ...] | None:
    """Which field (0 .. count-1) each part goes to, from the focused one as typing would, or
    else into the last fields (password managers end with the password); None if neither fits."""
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
        problem = self.problem(value)
        return self.failure(problem, value) if problem else self.success()


class FormInput(Input):
    """An Input that hands a paste holding tabs to its screen (``plan_fields`` places the parts)
    and acts on a Tab at once, passing a key queued for the next field on to it."""

    class FieldsPasted(Message):
        """Several fields were pasted (or auto-typed) at once into ``form_input``."""

        def __init__(self, form_input: FormInput, burst: Burst) -> None:
            super().__init__()
            self.form_input = form_input
            self.burst = burst

    def on_key(self, event: events.Key) -> None:
        """Tab moves on at once; a key queued before focus moved goes where it was meant
        (``prevent_default`` skips Input's own handling, which Textual calls after this)."""
        focused = self.screen.focused
        tab = event.key in ("tab", "shift+tab")
        if focused is self and not tab:
            return  # Input's own handler takes it
        event.stop()
        event.prevent_default()
        if focused is self or (tab and not isinstance(focused, FormInput)):
            # A Tab moves on now; one typed after a Tab that landed on a checkbox between
            # two fields moves on from there (onto the password), as typed slowly.
            (self.screen.focus_next if event.key == "tab" else self.screen.focus_previous)()
            return
        # Queued here before an earlier key of the burst moved focus on: it is meant for the
        # field with focus now or, after a Tab onto a checkbox between fields, the next field.
        if not isinstance(focused, FormInput):
            fields = list(self.screen.query(FormInput))
            later = fields[fields.index(self) + 1 :] if self in fields else fields
            focused = later[0] if later else None
            if focused is not None:
                self.screen.set_focus(focused)
        if focused is not None:
            focused.post_message(events.Key(event.key, event.character))

    def action_copy(self) -> None:
        """Ctrl+C copies the selected text; with nothing selected it quits, as elsewhere."""
        if self.selection.is_empty:
            self.app.exit()
            return
        super().action_copy()

    def on_paste(self, event: events.Paste) -> None:
        """A paste holding tabs goes to the screen; any other is Input's own business."""
        burst = split_burst(event.text)
        if burst is None:
            return
        event.stop()
        event.prevent_default()
        self.post_message(self.FieldsPasted(self, burst))
