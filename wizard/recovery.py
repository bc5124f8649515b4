"""The one place unexpected errors end up: a dialog in the wizard, never a traceback.

``RecoveringApp`` is the wizard app's base. Any exception that escapes a handler or a
worker becomes one dialog (what happened, copyable details); the user then quits or
starts over with nothing typed lost. Harlequin does the same; Textual's default prints a
traceback and exits.
"""

from __future__ import annotations

import traceback

from textual.app import App
from textual.worker import WorkerFailed

from wizard.core.text import replace_quoted

#: Stands in the error dialog where a message quoted the password.
PASSWORD_MARK = "[password removed]"


class RecoveringApp(App[None]):
    """An app whose unexpected errors end in the error dialog.

    Subclasses say which passwords the details must not show (``error_passwords``) and
    where starting over leads (``start_over``).
    """

    _showing_error = False

    def error_passwords(self) -> list[str]:
        """Passwords the error details must not quote."""
        return []

    def start_over(self) -> None:
        """After an error, "Start over": back to where nothing typed is lost."""

    def _handle_exception(self, error: Exception) -> None:
        """Any exception that escapes a handler or a worker: one dialog, never a traceback."""
        if self._showing_error or not self.is_running:
            # An error while showing the error (or while starting/stopping): give up as
            # Textual does, rather than loop.
            super()._handle_exception(error)
            return
        self._showing_error = True
        if isinstance(error, WorkerFailed):
            error = error.error if isinstance(error.error, Exception) else error
        summary, details = error_report(error, self.error_passwords())
        try:
            from wizard.screens.error import ErrorScreen

            self.push_screen(ErrorScreen(summary, details), self._after_error)
        except Exception:
            super()._handle_exception(error)

    def _after_error(self, start_over: bool | None) -> None:
        """After an unexpected error: quit, or start over (nothing lost).

        The screen where the error happened may have stopped handling messages (Textual
        ends a widget's message loop after an exception), so it is not returned to.
        """
        self._showing_error = False
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
