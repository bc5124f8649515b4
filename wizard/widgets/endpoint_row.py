"""One line of the live check: an endpoint, where its attempt is, and how long it took."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from wizard.core.diagnosis import row_words
from wizard.core.models import Attempt, Endpoint, Phase

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

PHASE_TEXT = {
    Phase.CONNECTING: "connecting",
    Phase.SECURING: "securing (TLS)",
    Phase.GREETING: "waiting for the server",
    Phase.SECURED: "secure, waiting",
    Phase.LOGGING_IN: "logging in",
}


def seconds(value: float) -> str:
    """A duration as people read it in a table: ``0.4 s``."""
    return f"{value:.1f} s"


class StatusRow(Horizontal):
    """A name, a status and a time; the state class (-waiting, -running, -ok, -failed or
    -cancelled) colours the status."""

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
        super().__init__(id=id, classes="-waiting")
        self.heading = name
        self.started: float | None = None
        self.cancelled = False
        #: The row has its result.
        self.done = False

    def compose(self) -> ComposeResult:
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

    def elapsed(self, now: float) -> str:
        return "" if self.started is None else seconds(max(0.0, now - self.started))

    def cancel(self, now: float) -> None:
        if not self.done:
            self.cancelled = True
            self.show("cancelled", self.elapsed(now), "-cancelled")

    def spin(self, doing: str, now: float) -> None:
        """Running: the spinner's frame at ``now``, ``doing``, and the time so far."""
        frame = SPINNER[int(now * 10) % len(SPINNER)]
        self.show(f"{frame} {doing}", self.elapsed(now), "-running")

    def show_result(self, words: str, works: bool, elapsed_ms: int) -> None:
        self.done = True
        self.show(words, seconds(elapsed_ms / 1000), "-ok" if works else "-failed")

    def show(self, status: str, elapsed: str, state: str) -> None:
        self.query_one(".row-status", Label).update(status)
        self.query_one(".row-time", Label).update(elapsed)
        self.set_classes(state)


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
        return self.phase not in (Phase.WAITING, Phase.DONE) and not self.cancelled

    def reset(self) -> None:
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
            self.show_result(row_words(attempt), attempt.ok, attempt.elapsed_ms)
        else:
            self.tick(now)

    def tick(self, now: float) -> None:
        if self.phase is Phase.WAITING:
            self.show("waiting", "", "-waiting")
        elif self.running:
            self.spin(f"{PHASE_TEXT[self.phase]}…", now)
