"""The check screen's main panel: who logs in, the two halves, the summary and what to do,
every port's row (shown with Details) and what went wrong."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import ProgressBar, Static

from wizard.core.models import Attempt, CheckReport, Endpoint, Phase, Role
from wizard.core.verdict import role_lines, verdict_of
from wizard.core.wording import other_network
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.failure_panel import FailurePanel
from wizard.widgets.role_row import RoleRow

NETWORK_NOTE = f"This check ran from this computer's network. {other_network(checked_here=True)}"


class CheckBoard(VerticalScroll):
    """The rows of a check as it runs, and its verdict when it ends (the screen's stage
    decides which parts show: wizard.tcss)."""

    def __init__(
        self,
        email: str,
        endpoints: Sequence[Endpoint],
        *,
        timeout: float,
        round_trip: bool,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.email = email
        self.endpoints = endpoints
        self.timeout = timeout
        self.round_trip = round_trip

    def compose(self) -> ComposeResult:
        with Horizontal(id="check-head"):
            intro = Content.from_markup("Logging in as [b]$email[/b]", email=self.email)
            yield Static(intro, id="check-intro")
            yield ProgressBar(total=len(self.endpoints), show_eta=False, id="check-progress")
        with Vertical(id="check-roles"):
            for role in (Role.INCOMING, Role.OUTGOING):
                endpoints = {n: e for n, e in enumerate(self.endpoints) if e.role is role}
                yield RoleRow(role, endpoints, timeout=self.timeout)
        yield Static("", id="check-summary")
        # The round trip's words may quote the server: words, never markup.
        yield Static("", id="round-trip", classes="" if self.round_trip else "-off", markup=False)
        yield Static(NETWORK_NOTE, id="check-notes", classes="hint")
        with Vertical(id="check-rows"):  # a row per endpoint, by position (they may repeat)
            yield from (EndpointRow(n, e) for n, e in enumerate(self.endpoints))
        yield FailurePanel(id="failure-panel")

    def _rows(self) -> list[EndpointRow | RoleRow]:
        return [*self.query(EndpointRow), *self.query(RoleRow)]

    def role_row(self, role: Role) -> RoleRow:
        return self.query_one(f"#role-{role.value}", RoleRow)

    def reset(self) -> None:
        """Every row waiting again, nothing said yet (for a new check)."""
        for row in self._rows():
            row.reset()
        self.query_one(ProgressBar).update(progress=0)
        self.query_one(FailurePanel).show()
        self.query_one("#round-trip", Static).update("Test message: after the logins")

    def advance(self, position: int, phase: Phase, attempt: Attempt | None, now: float) -> None:
        """The row at ``position`` and its role's row move on, and the progress bar."""
        row = self.query_one(f"#row-{position}", EndpointRow)
        row.advance(phase, attempt, now)
        self.role_row(row.endpoint.role).advance(position, phase, attempt, now)
        finished = sum(row.attempt is not None for row in self.query(EndpointRow))
        self.query_one(ProgressBar).update(progress=finished)

    def tick(self, now: float) -> None:
        for row in self._rows():
            row.tick(now)

    def cancel(self, now: float, *, roles: bool = True) -> None:
        """The unfinished rows (of the ports, and with ``roles`` of the halves) stopped."""
        for row in self._rows() if roles else self.query(EndpointRow):
            row.cancel(now)

    def complete(self, report: CheckReport, now: float) -> None:
        """The whole ``report``: the rows still waiting get their result, the halves theirs."""
        rows = iter(self.query(EndpointRow))
        # One attempt per row, in order: each goes to the next row with its endpoint.
        for attempt in report.attempts:
            row = next((r for r in rows if r.endpoint == attempt.endpoint), None)
            if row is not None and row.attempt is None:
                self.advance(row.position, Phase.DONE, attempt, now)
        self.show_roles(report)

    def show_roles(self, report: CheckReport) -> None:
        for line in role_lines(report):
            used = report.incoming if line.role is Role.INCOMING else report.outgoing
            self.role_row(line.role).finish(line, used.elapsed_ms)

    @property
    def waiting_ports(self) -> list[int]:
        return [row.endpoint.port for row in self.query(EndpointRow) if row.attempt is None]

    def say(self, text: str | Content, state: str = "") -> None:
        """The summary line: ``state`` is -ok, -error, -warning or nothing."""
        summary = self.query_one("#check-summary", Static)
        summary.set_classes(state)
        summary.update(text)

    def say_verified(self, report: CheckReport, note: str = "") -> None:
        """Both halves work: the headline and what they use (the ports used instead are in
        the rows, "587 (465 blocked here)"; where the check ran from in the notes)."""
        verdict = verdict_of(report)
        headline = Content.from_markup("[b]✓ $headline[/b] ", headline=verdict.headline)
        self.say(Content.assemble(headline, verdict.uses, f" {note}" if note else ""), "-ok")

    def say_round_trip(self, words: str) -> None:
        self.query_one("#round-trip", Static).update(words)

    def show_problems(self, report: CheckReport | None, *, details: bool) -> None:
        """The problems to fix; with ``details``, also every attempt's technical part."""
        panel = self.query_one(FailurePanel)
        if report is None:
            panel.show()
            return
        problems = verdict_of(report).problems
        panel.show(*((problems or report.attempts) if details else problems), details=details)
