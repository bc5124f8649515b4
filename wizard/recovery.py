"""Where unexpected errors end up: a dialog in the wizard, never a traceback or a password.

``RecoveringApp`` is the wizard app's base, built on Textual's public API only:

- Network and file work runs in workers started with ``exit_on_error=False``; when one
  fails, Textual posts ``Worker.StateChanged`` (state ERROR) to the screen that started it,
  which passes it on to the app (``wizard/screens/step.py``), or to the app for its own
  workers. That becomes one dialog (what happened, copyable details without the password); the user
  then quits or starts over with nothing typed lost. Harlequin does the same.
- Textual offers no public hook for an exception raised in an event handler: it ends the
  app and prints a traceback with the variables of every frame (``show_locals``) on its
  ``error_console``, and a frame can hold the password (as can an error raised while the
  dialog is open). So that console writes one fixed line and nothing of the traceback.
"""

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
    """Textual's error console writes here: the first write prints LAST_RESORT, once."""

    def __init__(self) -> None:
        super().__init__()
        self.stopped = False

    def write(self, text: str) -> int:
        """Swallow ``text``; say LAST_RESORT the first time anything is written."""
        if not self.stopped:
            self.stopped = True
            print(LAST_RESORT, file=sys.__stderr__ or sys.stderr)
        return len(text)


class RecoveringApp(App[None]):
    """An app whose unexpected errors end in the error dialog.

    Subclasses say which passwords the details must not show (``error_passwords``) and
    where starting over leads (``start_over``).
    """

    def __init__(self) -> None:
        """Textual's last-resort console is replaced by one that prints a single line."""
        super().__init__()
        self.error_console.file = LastResort()

    def error_passwords(self) -> list[str]:
        """Passwords the error details must not quote."""
        return []

    def start_over(self) -> None:
        """After an error, "Start over": back to where nothing typed is lost."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One of the app's own workers failed: the error dialog."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            self.show_error(error)

    def on_unexpected_error(self, message: UnexpectedError) -> None:
        """A step's worker failed: the error dialog."""
        self.show_error(message.error)

    def show_error(self, error: Exception) -> None:
        """One dialog (a second error while it is open adds none)."""
        from wizard.screens.error import ErrorScreen

        if any(isinstance(screen, ErrorScreen) for screen in self.screen_stack):
            return
        summary, details = error_report(error, self.error_passwords())
        self.push_screen(ErrorScreen(summary, details), self._after_error)

    def _after_error(self, start_over: bool | None) -> None:
        """After an unexpected error: quit, or start over (nothing lost).

        The screen where the error happened may be in any state, so it is not returned to.
        """
        if not start_over:
            self.exit(return_code=1)
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.start_over()


def error_report(error: BaseException, passwords: list[str]) -> tuple[str, str]:
    """The error dialog's one-line summary and its details (the traceback, no locals).

    A traceback shows code lines and exception messages, never variables; our code never
    formats a password into a message. Should a message (ours by mistake, or a library's)
    still quote one as a word of its own, that word is marked: the rest of the text stays
    as it is, whatever the password (a one-letter password inside words is left alone).
    """
    summary = f"{type(error).__name__}: {error}"
    details = "".join(traceback.format_exception(error))
    for password in passwords:
        summary = replace_quoted(summary, password, PASSWORD_MARK)
        details = replace_quoted(details, password, PASSWORD_MARK)
    return summary, details
