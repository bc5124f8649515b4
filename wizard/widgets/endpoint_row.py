"""One line of the live check: an endpoint, where its attempt is, and how long it took; and
the rows of every endpoint of a check, together."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from wizard.core.diagnosis import row_words
from wizard.core.models import Attempt, Endpoint, Phase

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
#: A row's states, each a CSS class that colours its status.
STATES = ("-waiting", "-running", "-ok", "-failed", "-cancelled")

PHASE_TEXT = {
    Phase.WAITING: "waiting",
    Phase.CONNECTING: "connecting",
    Phase.SECURING: "securing (TLS)",
    Phase.GREETING: "waiting for the server",
    Phase.SECURED: "secure, waiting",
    Phase.LOGGING_IN: "logging in",
}


def seconds(value: float) -> str:
    """A duration as people read it in a table: ``0.4 s``."""
    return f"{value:.1f} s"


def spinning(now: float, started: float) -> tuple[str, str]:
    """The spinner's frame at ``now``, and the time since ``started``."""
    return SPINNER[int(now * 10) % len(SPINNER)], seconds(max(0.0, now - started))


class StatusRow(Horizontal):
    """A name, a status and a time; the state class (``STATES``) colours the status."""

    DEFAULT_CSS = """
    StatusRow {
        padding: 0 1;
        & > .row-status { width: 1fr; }
        & > .row-time { text-align: right; }
        &.-running > .row-status { color: $text-accent; }
        &.-ok > .row-status { color: $text-success; }
        &.-failed > .row-status { color: $text-error; }
        &.-cancelled > .row-status { color: $text-warning; }
        &.-waiting > .row-status { color: $text-muted; }
    }
    """

    def __init__(self, name: str, *, id: str) -> None:
        """A waiting row called ``name``."""
        super().__init__(id=id, classes="-waiting")
        self.heading = name
        self.started: float | None = None
        self.cancelled = False
        #: The row has its result.
        self.done = False

    def compose(self) -> ComposeResult:
        """Name, status, time."""
        yield Label(self.heading, classes="row-name", markup=False)
        yield Label("waiting", classes="row-status", markup=False)
        yield Label("", classes="row-time")

    @property
    def status_text(self) -> str:
        """What the row says now (for tests and screen readers)."""
        return str(self.query_one(".row-status", Label).content)

    def restart(self) -> None:
        """Back to waiting, for a retry."""
        self.started = None
        self.cancelled = self.done = False
        self.show("waiting", "", "-waiting")

    def start(self, phase: Phase, now: float) -> bool:
        """Note when the row started; False (and nothing noted) once it was cancelled."""
        if self.cancelled:
            return False
        if self.started is None and phase is not Phase.WAITING:
            self.started = now
        return True

    def cancel(self, now: float) -> None:
        """The check was cancelled before this row finished."""
        if not self.done:
            self.cancelled = True
            elapsed = "" if self.started is None else spinning(now, self.started)[1]
            self.show("cancelled", elapsed, "-cancelled")

    def show(self, status: str, elapsed: str, state: str) -> None:
        """Say ``status`` and ``elapsed``, coloured as ``state`` (one of ``STATES``)."""
        self.query_one(".row-status", Label).update(status)
        self.query_one(".row-time", Label).update(elapsed)
        self.remove_class(*STATES).add_class(state)


class EndpointRow(StatusRow, can_focus=True):
    """A focusable row; focusing a finished row shows its details in the failure panel."""

    DEFAULT_CSS = """
    EndpointRow {
        height: 1;
        & > .row-name { width: 30; }
        & > .row-time { width: 8; }
        &:focus { background: $boost; text-style: bold; }
    }
    """

    def __init__(self, position: int, endpoint: Endpoint) -> None:
        """A row for ``endpoint``, the check's ``position``-th (endpoints may repeat), waiting."""
        super().__init__(endpoint.label, id=f"row-{position}")
        self.position = position
        self.endpoint = endpoint
        self.phase = Phase.WAITING
        self.attempt: Attempt | None = None

    @property
    def running(self) -> bool:
        """True between the first phase and the result."""
        return self.phase not in (Phase.WAITING, Phase.DONE) and not self.cancelled

    def reset(self) -> None:
        """Back to waiting, for a retry."""
        self.phase = Phase.WAITING
        self.attempt = None
        self.restart()

    def advance(self, phase: Phase, attempt: Attempt | None, now: float) -> None:
        """Show a new phase; ``attempt`` is the result when ``phase`` is DONE."""
        if not self.start(phase, now):
            return
        self.phase = phase
        self.done = phase is Phase.DONE
        if self.done and attempt is not None:
            self.attempt = attempt
            state = "-ok" if attempt.ok else "-failed"
            self.show(row_words(attempt), seconds(attempt.elapsed_ms / 1000), state)
        else:
            self.tick(now)

    def tick(self, now: float) -> None:
        """Refresh the spinner and the elapsed time of a running row."""
        if self.phase is Phase.WAITING:
            self.show(PHASE_TEXT[Phase.WAITING], "", "-waiting")
        elif self.running and self.started is not None:
            spinner, elapsed = spinning(now, self.started)
            self.show(f"{spinner} {PHASE_TEXT[self.phase]}…", elapsed, "-running")
