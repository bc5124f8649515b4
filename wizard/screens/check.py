"""Step 4: the live check, one row per endpoint, with the diagnosis of any failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import DescendantFocus
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, ProgressBar, Static

from wizard.core.check import run_check
from wizard.core.models import (
    Account,
    Attempt,
    CheckOptions,
    CheckReport,
    Endpoint,
    MailSettings,
    Phase,
)
from wizard.core.provider import Provider
from wizard.core.verdict import preferred_settings, settings_from_report, verdict_of
from wizard.screens.confirm import ConfirmScreen
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.failure_panel import FailurePanel

#: How often running rows refresh their spinner and elapsed time.
TICK_SECONDS = 0.1


@dataclass(frozen=True)
class CheckOutcome:
    """The settings to go on with, and the check they came from (None if there was none)."""

    settings: MailSettings
    report: CheckReport | None


class CheckScreen(Screen[CheckOutcome | None]):
    """Runs the check in a worker; dismisses with the outcome, or None to fix the account."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Cancel / Back"),
        Binding("r", "retry", "Retry"),
        Binding("c", "continue", "Continue"),
    ]

    def __init__(
        self,
        account: Account,
        provider: Provider,
        options: CheckOptions,
        *,
        clock: Callable[[], float],
        report: CheckReport | None = None,
        autostart: bool = True,
    ) -> None:
        """``report`` shows a finished check instead of starting one; ``clock`` times rows."""
        super().__init__()
        self.account = account
        self.provider = provider
        self.options = options
        self.clock = clock
        self.report = report
        self.autostart = autostart
        self.endpoints: tuple[Endpoint, ...] = provider.endpoints(account.incoming)
        self.running = False
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        """Intro, progress, one row per endpoint, summary, diagnosis, buttons."""
        yield Header()
        with VerticalScroll(id="check-body", classes="step-body"):
            with Horizontal(id="check-head"):
                yield Static(
                    f"Logging in as [b]{escape(self.account.email)}[/b]",
                    id="check-intro",
                    markup=True,
                )
                yield ProgressBar(total=len(self.endpoints), show_eta=False, id="check-progress")
            with Vertical(id="check-rows"):
                for endpoint in self.endpoints:
                    yield EndpointRow(endpoint)
            yield Static("", id="round-trip")
            yield Static("", id="check-summary")
            yield FailurePanel(id="failure-panel")
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Retry", id="retry")
            yield Button("Continue unverified", id="continue-unverified", variant="warning")
            yield Button("Continue", id="continue", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Start the check, or show the finished one we came back to."""
        self.sub_title = "Step 3 of 4: checking your settings"
        self.query_one("#round-trip").display = self.options.round_trip
        self._ticker = self.set_interval(TICK_SECONDS, self._tick, pause=True)
        if self.report is not None:
            for attempt in self.report.attempts:
                self.apply_progress(attempt.endpoint, Phase.DONE, attempt)
            self.finish(self.report)
        elif self.autostart:
            self.start_check()
        else:
            self._set_running(True)

    # -- running the check -------------------------------------------------------------

    def start_check(self) -> None:
        """Reset every row and run the check in a worker (a retry cancels nothing: none runs)."""
        self.report = None
        for row in self.query(EndpointRow):
            row.reset()
        self.query_one("#check-progress", ProgressBar).update(progress=0)
        self.query_one("#failure-panel", FailurePanel).show()
        self.query_one("#round-trip", Static).update("Test message: after the logins")
        self._set_running(True)
        self.run_checks()

    @work(exclusive=True, group="check")
    async def run_checks(self) -> None:
        """The same engine as ``mailcom-wizard check``; rows update through ``progress``."""
        report = await run_check(self.account, self.provider, self.options, self.apply_progress)
        self.finish(report)

    def apply_progress(self, endpoint: Endpoint, phase: Phase, attempt: Attempt | None) -> None:
        """The engine's progress callback (runs on the UI's event loop)."""
        if not self.is_mounted:
            return
        row = self._row(endpoint)
        if row is None:
            return
        row.advance(phase, attempt, self.clock())
        done = sum(1 for each in self.query(EndpointRow) if each.attempt is not None)
        self.query_one("#check-progress", ProgressBar).update(progress=done)
        if phase is Phase.DONE and attempt is not None and not attempt.ok and not self.running:
            self.query_one("#failure-panel", FailurePanel).show(attempt)

    def finish(self, report: CheckReport) -> None:
        """Show the verdict: what worked, what was used instead, or what went wrong."""
        self.report = report
        for attempt in report.attempts:
            row = self._row(attempt.endpoint)
            if row is not None and row.attempt is None:
                row.advance(Phase.DONE, attempt, self.clock())
        self.query_one("#check-progress", ProgressBar).update(progress=len(self.endpoints))
        self._set_running(False)
        verdict = verdict_of(report)
        self.query_one("#round-trip", Static).update(verdict.round_trip or "")
        summary = self.query_one("#check-summary", Static)
        panel = self.query_one("#failure-panel", FailurePanel)
        if verdict.verified:
            summary.set_classes("-ok")
            summary.update(
                Content.assemble(
                    Content.from_markup("[b]✓ $headline[/b] ", headline=verdict.headline),
                    verdict.uses,
                    *(f"\n{note}" for note in verdict.notes),
                )
            )
            panel.show()
            self.query_one("#continue", Button).focus()
        else:
            action = (
                "Fix what the panel below says, then Retry."
                if verdict.problems
                else ("Retry, or continue unverified.")
            )
            summary.set_classes("-error")
            summary.update(
                Content.assemble(
                    Content.from_markup("[b]✗ $headline[/b] ", headline=verdict.headline),
                    action,
                )
            )
            panel.show(*verdict.problems)
            self.query_one("#retry", Button).focus()

    def cancel_check(self) -> None:
        """Stop the running check at once; unfinished rows say so."""
        self.workers.cancel_group(self, "check")
        now = self.clock()
        for row in self.query(EndpointRow):
            row.cancel(now)
        self._set_running(False)
        summary = self.query_one("#check-summary", Static)
        summary.set_classes("-warning")
        summary.update(
            "[b]Cancelled.[/b] Press Retry to check again, or Back to change the account."
        )
        self.query_one("#retry", Button).focus()

    # -- display helpers ---------------------------------------------------------------

    def _row(self, endpoint: Endpoint) -> EndpointRow | None:
        for row in self.query(EndpointRow):
            if row.endpoint == endpoint or row.endpoint.key == endpoint.key:
                return row
        return None

    def _set_running(self, running: bool) -> None:
        self.running = running
        verified = self.report is not None and self.report.verified
        self.query_one("#retry", Button).disabled = running
        self.query_one("#continue", Button).display = verified
        self.query_one("#continue-unverified", Button).display = not running and not verified
        if self._ticker is not None:
            if running:
                self._ticker.resume()
            else:
                self._ticker.pause()
        if running:
            summary = self.query_one("#check-summary", Static)
            summary.set_classes("")
            summary.update("Checking… (Escape cancels)")
        self.refresh_bindings()

    def _tick(self) -> None:
        now = self.clock()
        for row in self.query(EndpointRow):
            row.tick(now)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Retry only when idle; Continue only once verified (both shown in the footer)."""
        if action == "retry":
            return not self.running
        if action == "continue":
            return self.report is not None and self.report.verified and not self.running
        return True

    @on(DescendantFocus)
    def _row_focused(self, event: DescendantFocus) -> None:
        """Focusing a finished row shows its details."""
        if isinstance(event.widget, EndpointRow) and event.widget.attempt is not None:
            self.query_one("#failure-panel", FailurePanel).show(event.widget.attempt)

    # -- actions -----------------------------------------------------------------------

    def action_escape(self) -> None:
        """Escape cancels a running check at once; otherwise it goes back."""
        if self.running:
            self.cancel_check()
        else:
            self.dismiss(None)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the account (cancelling any running check)."""
        if self.running:
            self.cancel_check()
        self.dismiss(None)

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        """Check again."""
        if not self.running:
            self.start_check()

    @on(Button.Pressed, "#continue")
    def action_continue(self) -> None:
        """Go on with the verified settings."""
        if self.report is None or not self.report.verified or self.running:
            return
        settings = settings_from_report(self.report, self.account, self.provider)
        self.dismiss(CheckOutcome(settings=settings, report=self.report))

    @on(Button.Pressed, "#continue-unverified")
    def continue_unverified(self) -> None:
        """Go on without a verified login, only after saying so explicitly."""

        def answered(yes: bool | None) -> None:
            if yes:
                settings = (
                    preferred_settings(self.account, self.provider)
                    if self.report is None
                    else settings_from_report(self.report, self.account, self.provider)
                )
                self.dismiss(CheckOutcome(settings=settings, report=self.report))

        self.app.push_screen(
            ConfirmScreen(
                "Continue without a verified login?",
                "The settings have not been proven to work. The steps and the profile will use "
                f"{self.provider.display_name}'s usual servers and will be marked "
                "[b]unverified[/b]; mail may not work until the problem is fixed.",
                yes="Continue unverified",
                no="Stay here",
            ),
            answered,
        )
