"""What every step shares: its main panel scrolls whatever has focus (a focused button
ignores the arrows and Page keys), a worker's unexpected error goes to the app's dialog
(``Worker.StateChanged`` reaches only the screen that started the worker), and text is
saved by one worker."""

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
    """A step whose main panel (the ``.step-body`` on screen) scrolls with the keys above,
    and whose workers' unexpected errors go to the app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"scroll_body('{action}')", show=False) for key, action in SCROLL_KEYS.items()
    ]

    def scroll_body_widget(self) -> Widget | None:
        """The panel the keys scroll: the ``.step-body`` on screen (a tab shows one of several)."""
        return next((w for w in self.query(".step-body") if w.is_on_screen), None)

    async def action_scroll_body(self, action: str) -> None:
        """Run the scroll ``action`` on the main panel."""
        body = self.scroll_body_widget()
        if body is not None:
            await self.app.run_action(action, body)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed: tell the app (the screen's own handlers run too)."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            self.app.post_message(UnexpectedError(error))

    @work(thread=True, exclusive=True, group="save-text", exit_on_error=False)
    def save_text(self, path: Path, text: str, what: str = "the steps") -> None:
        """Write ``text`` to ``path`` off the UI thread (a slow disk must not freeze the
        wizard), then say where it went, or why not."""
        try:
            write_file(path, text.encode(), force=True, private=False)
        except ProfileWriteError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Saved {what} to {home_path(path)}", timeout=10)
