"""What the wizard's steps share: a worker's unexpected error ends in the app's dialog.

Textual tells only the screen that started a worker that it failed (``Worker.StateChanged``
does not bubble), so each step passes the error on to the app as ``UnexpectedError``; the
app shows the one error dialog (``wizard/recovery.py``). Workers are started with
``exit_on_error=False``, so Textual leaves the error to this.
"""

from __future__ import annotations

from typing import TypeVar

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

ResultType = TypeVar("ResultType")


class UnexpectedError(Message):
    """A bug surfaced in a worker: ``error`` is for the app's error dialog."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class Step(Screen[ResultType]):
    """A screen of the wizard whose workers' unexpected errors go to the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed: tell the app (the screen's own handlers run too)."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            self.app.post_message(UnexpectedError(error))
