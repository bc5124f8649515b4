"""What every step shares: the keys scroll its main panel (a focused button ignores them), a
worker's unexpected error goes to the app (``Worker.StateChanged`` reaches only the screen
that started the worker), and one worker saves text."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, TypeVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from wizard.core.errors import ProfileWriteError
from wizard.core.files import write_file

ResultType = TypeVar("ResultType")

#: The keys that scroll the main panel, and the scroll action each runs there.
SCROLL_KEYS = {
    "up": "scroll_up",
    "down": "scroll_down",
    "pageup": "page_up",
    "pagedown": "page_down",
    "home": "scroll_home",
    "end": "scroll_end",
}


def home_path(path: Path) -> str:
    """``path`` with the home folder written as ``~``: short enough for one line."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class UnexpectedError(Message):
    """A bug surfaced in a worker: ``error`` is for the app's error dialog."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class Step(Screen[ResultType]):
    """A step whose ``.step-body`` scrolls with the keys above."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"scroll_body('{action}')", show=False) for key, action in SCROLL_KEYS.items()
    ]

    def scroll_body_widget(self) -> Widget | None:
        """The ``.step-body`` on screen (a tab shows one of several)."""
        return next((w for w in self.query(".step-body") if w.is_on_screen), None)

    async def action_scroll_body(self, action: str) -> None:
        body = self.scroll_body_widget()
        if body is not None:
            await self.app.run_action(action, body)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            self.app.post_message(UnexpectedError(error))

    @work(thread=True, exclusive=True, group="save-text", exit_on_error=False)
    def save_text(self, path: Path, text: str) -> None:
        """Write ``text`` to ``path`` off the UI thread (a slow disk must not freeze the
        wizard), then say where it went, or why not."""
        try:
            write_file(path, text.encode(), force=True, private=False)
        except ProfileWriteError as exc:
            self.app.call_from_thread(
                self.notify, str(exc), severity="error", timeout=10, markup=False
            )
            return
        saved = f"Saved the steps to {home_path(path)}"
        self.app.call_from_thread(self.notify, saved, timeout=10, markup=False)
