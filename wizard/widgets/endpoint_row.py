"""One line of the live check: an endpoint, where its attempt is, and how long it took; and
the rows of every endpoint of a check, together."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from wizard.core.diagnosis import row_words
from wizard.core.models import Attempt, CheckReport, Endpoint, Phase

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

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


class EndpointRow(Horizontal, can_focus=True):
    """A focusable row; focusing a finished row shows its details in the failure panel."""

    DEFAULT_CSS = """
    EndpointRow {
        height: 1;
        padding: 0 1;
        & > .endpoint-name { width: 30; }
        & > .endpoint-status { width: 1fr; }
        & > .endpoint-time { width: 8; text-align: right; }
        &:focus { background: $boost; text-style: bold; }
        &.-running > .endpoint-status { color: $text-accent; }
        &.-ok > .endpoint-status { color: $text-success; }
        &.-failed > .endpoint-status { color: $text-error; }
        &.-cancelled > .endpoint-status { color: $text-warning; }
        &.-waiting > .endpoint-status { color: $text-muted; }
    }
    """

    def __init__(self, position: int, endpoint: Endpoint) -> None:
        """A row for ``endpoint``, the check's ``position``-th (endpoints may repeat), waiting."""
        super().__init__(id=f"row-{position}", classes="-waiting")
        self.position = position
        self.endpoint = endpoint
        self.phase = Phase.WAITING
        self.attempt: Attempt | None = None
        self.started: float | None = None
        self.cancelled = False

    def compose(self) -> ComposeResult:
        """Name, status, time."""
        yield Label(
            f"{self.endpoint.label}",
            classes="endpoint-name",
        )
        yield Label(PHASE_TEXT[Phase.WAITING], classes="endpoint-status")
        yield Label("", classes="endpoint-time")

    @property
    def running(self) -> bool:
        """True between the first phase and the result."""
        return self.phase not in (Phase.WAITING, Phase.DONE) and not self.cancelled

    def reset(self) -> None:
        """Back to waiting, for a retry."""
        self.phase = Phase.WAITING
        self.attempt = None
        self.started = None
        self.cancelled = False
        self._show("waiting", "", "-waiting")

    def advance(self, phase: Phase, attempt: Attempt | None, now: float) -> None:
        """Show a new phase; ``attempt`` is the result when ``phase`` is DONE."""
        if self.cancelled:
            return
        if self.started is None and phase is not Phase.WAITING:
            self.started = now
        self.phase = phase
        if phase is Phase.DONE and attempt is not None:
            self.attempt = attempt
            self._show(
                self.result_text(attempt),
                seconds(attempt.elapsed_ms / 1000),
                ("-ok" if attempt.ok else "-failed"),
            )
        else:
            self.tick(now)

    def tick(self, now: float) -> None:
        """Refresh the spinner and the elapsed time of a running row."""
        if self.phase is Phase.WAITING:
            self._show(PHASE_TEXT[Phase.WAITING], "", "-waiting")
        elif self.running and self.started is not None:
            elapsed = max(0.0, now - self.started)
            spinner = SPINNER[int(now * 10) % len(SPINNER)]
            self._show(f"{spinner} {PHASE_TEXT[self.phase]}…", seconds(elapsed), "-running")

    def cancel(self, now: float) -> None:
        """The check was cancelled before this row finished."""
        if self.phase is Phase.DONE:
            return
        elapsed = "" if self.started is None else seconds(max(0.0, now - self.started))
        self.cancelled = True
        self._show("cancelled", elapsed, "-cancelled")

    @staticmethod
    def result_text(attempt: Attempt) -> str:
        """The status column for a finished attempt (the core's short words)."""
        return row_words(attempt)

    def _show(self, status: str, elapsed: str, state: str) -> None:
        self.query_one(".endpoint-status", Label).update(status)
        self.query_one(".endpoint-time", Label).update(elapsed)
        for name in ("-waiting", "-running", "-ok", "-failed", "-cancelled"):
            self.set_class(name == state, name)


class EndpointRows(Vertical):
    """A row per endpoint of a check, by position (endpoints may repeat)."""

    DEFAULT_CSS = "EndpointRows { height: auto; }"

    def __init__(self, endpoints: Sequence[Endpoint], *, id: str | None = None) -> None:
        """Waiting rows for ``endpoints``, in the check's order."""
        super().__init__(*(EndpointRow(n, e) for n, e in enumerate(endpoints)), id=id)

    @property
    def rows(self) -> list[EndpointRow]:
        """Every row, in order."""
        return list(self.query_children(EndpointRow))

    def row(self, position: int) -> EndpointRow:
        """The row of the check's ``position``-th endpoint."""
        return self.query_one(f"#row-{position}", EndpointRow)

    @property
    def finished(self) -> int:
        """How many rows have their result."""
        return sum(1 for row in self.rows if row.attempt is not None)

    @property
    def waiting_ports(self) -> list[int]:
        """The ports of the rows still without a result."""
        return [row.endpoint.port for row in self.rows if row.attempt is None]

    def unfinished(self, report: CheckReport) -> Iterator[tuple[EndpointRow, Attempt]]:
        """The rows still without a result, each with its attempt in ``report``. A whole
        report has one attempt per row, in order; each goes to the next row with its
        endpoint."""
        rows = iter(self.rows)
        for attempt in report.attempts:
            row = next((r for r in rows if r.endpoint == attempt.endpoint), None)
            if row is not None and row.attempt is None:
                yield row, attempt
