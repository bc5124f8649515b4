"""Where unexpected errors end up: a dialog in the wizard, never a traceback or a password.

A failed worker (``exit_on_error=False``) becomes one dialog; the user quits or starts over,
nothing typed lost. An event handler's exception has no public hook, so Textual's
``error_console`` (whose traceback shows every frame's variables) writes one fixed line."""

from __future__ import annotations

import io
import sys
import traceback

from textual.app import App
from textual.worker import Worker, WorkerState

from wizard.core.text import replace_quoted
from wizard.screens.step import UnexpectedError

#: Stands in the error dialog where a message quoted the password.
PASSWORD_MARK = "[password removed]"
#: All that reaches the terminal of an error Textual could not hand to the app.
LAST_RESORT = (
    "mailcom-wizard stopped on an unexpected error (a bug in the wizard, not something you "
    "did). Its details are not shown, as they could quote what you typed."
)


class LastResort(io.StringIO):
    """Textual's error console: swallows everything, printing LAST_RESORT on the first write."""

    def __init__(self) -> None:
        super().__init__()
        self.stopped = False

    def write(self, text: str) -> int:
        if not self.stopped:
            self.stopped = True
            print(LAST_RESORT, file=sys.__stderr__ or sys.stderr)
        return len(text)


class RecoveringApp(App[None]):
    """An app whose unexpected errors end in the error dialog; subclasses name the passwords
    the details must not show (``error_passwords``) and where starting over leads."""

    def __init__(self) -> None:
        super().__init__()
        self.error_console.file = LastResort()

    def error_passwords(self) -> list[str]:
        return []

    def start_over(self) -> None:
        """After an error, "Start over": back to where nothing typed is lost."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One of the app's own workers failed (a step's arrive as ``UnexpectedError``)."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            self.show_error(error)

    def on_unexpected_error(self, message: UnexpectedError) -> None:
        self.show_error(message.error)

    def show_error(self, error: Exception) -> None:
        """One dialog (a second error while it is open adds none)."""
        from wizard.screens.error import ErrorScreen

        if any(isinstance(screen, ErrorScreen) for screen in self.screen_stack):
            return
        summary, details = error_report(error, self.error_passwords())
        self.push_screen(ErrorScreen(summary, details), self._after_error)

    def _after_error(self, start_over: bool | None) -> None:
        # The screen where it happened may be in any state, so it is not returned to.
        if not start_over:
            self.exit(return_code=1)
            return
        self.show_home()
        self.start_over()

    def show_home(self) -> None:
        """Back to the first screen, closing whatever is above it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()


def error_report(error: BaseException, passwords: list[str]) -> tuple[str, str]:
    """The dialog's summary line and details (the traceback, never variables), with any
    password quoted as a word of its own marked."""
    summary = f"{type(error).__name__}: {error}"
    details = "".join(traceback.format_exception(error))
    for password in passwords:
        summary = replace_quoted(summary, password, PASSWORD_MARK)
        details = replace_quoted(details, password, PASSWORD_MARK)
    return summary, details
