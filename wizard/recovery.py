"""What an unexpected error shows: the error dialog's text, never a password; and the one
line Textual's ``error_console`` writes for an event handler's exception (its traceback
would show every frame's variables, and there is no public hook to take it)."""

from __future__ import annotations

import io
import sys
import traceback

from wizard.core.text import replace_quoted

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


def error_report(error: BaseException, passwords: list[str]) -> tuple[str, str]:
    """The dialog's summary line and details (the traceback, never variables), with any
    password quoted as a word of its own marked."""
    summary = f"{type(error).__name__}: {error}"
    details = "".join(traceback.format_exception(error))
    for password in passwords:
        summary = replace_quoted(summary, password, PASSWORD_MARK)
        details = replace_quoted(details, password, PASSWORD_MARK)
    return summary, details
