"""Step 2: the live check: receiving and sending in plain words, then the one next action.

On success the focused action sends the profile to the iPhone (a QR code); the typing
steps and a saved profile are one key away. On failure the first line says what is wrong
and what to do, visible without scrolling; after a refused password the focused action
goes back to the password, never straight into a second refused login.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import DescendantFocus
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, ProgressBar, Static

from wizard.core.check import Decided, Progress, ProgressCallback, run_check
from wizard.core.errors import WizardError
from wizard.core.models import (
    Account,
    Attempt,
    CheckOptions,
    CheckReport,
    MailSettings,
    Phase,
    Role,
)
from wizard.core.provider import Provider
from wizard.core.verdict import preferred_settings, role_lines, settings_from_report, verdict_of
from wizard.core.wording import other_network
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.step import Step
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.failure_panel import FailurePanel
from wizard.widgets.role_row import RoleRow

#: How often running rows refresh their spinner and elapsed time.
TICK_SECONDS = 0.1
#: On the repair path, how long the finished rows stay before the answer replaces them.
REPAIR_PAUSE_SECONDS = 0.6

#: The live check the screen runs: the engine's ``run_check``, or what a test gives instead.
CheckFunction = Callable[
    [Account, Provider, CheckOptions, ProgressCallback], Awaitable[CheckReport]
]

#: What comes after the check: the QR code, the typing steps, a saved profile, the
#: choice of those (after continuing without a verified login), or the repair answer.
Next = Literal["send", "steps", "export", "choose", "repair"]

NETWORK_NOTE = f"This check ran from this computer's network. {other_network(checked_here=True)}"
RETRY_RISK = (
    "{name} refused this password. If it is wrong, or mail apps are not allowed for the "
    "account, logging in again fails again, and {name} may lock an account after repeated "
    "failed logins. Change the password (or fix the setting) first if you can."
)

#: Which buttons each state shows, the first one focused. "decided": both logins worked and
#: the user may go on, while a port that has not answered yet runs out its time.
_BUTTONS: dict[str, tuple[str, ...]] = {
    "running": ("back",),
    "decided": ("send", "steps", "export"),
    "verified": ("send", "steps", "export"),
    "refused": ("change-password", "retry-anyway", "continue-unverified"),
    "failed": ("retry", "back", "continue-unverified"),
    "cancelled": ("retry", "back"),
}


@dataclass(frozen=True)
class CheckOutcome:
    """The settings to go on with, the check they came from (if any), and what comes next."""

    settings: MailSettings
    report: CheckReport | None
    next: Next = "choose"


@dataclass(frozen=True)
class ChangeAccount:
    """Back to the account; ``password_refused`` says the password needs another look."""

    password_refused: bool = False


class CheckScreen(Step[CheckOutcome | ChangeAccount]):
    """Runs the check in a worker; dismisses with the next step, or back to the account."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Cancel / Back"),
        Binding("r", "retry", "Retry"),
        Binding("s", "go('steps')", "Typing steps", show=False),
        Binding("e", "go('export')", "Save profile", show=False),
        Binding("d", "details", "Details"),
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
        repair: bool = False,
        check: CheckFunction | None = None,
    ) -> None:
        """``report`` shows a finished check instead of starting one; ``clock`` times rows.

        With ``repair`` the check is the repair path's: when it ends it goes straight on to
        the answer (the cause and its fix), whatever it found. ``check`` runs the check
        (the engine's unless given).
        """
        super().__init__()
        self.account = account
        self.provider = provider
        self.options = options
        self.clock = clock
        self.report = report
        self.autostart = autostart
        self.repair = repair
        self.check = check or run_check
        self.endpoints = provider.for_address(account.email).endpoints(account.incoming)
        #: Both logins worked while the check still waits on another port (Enter goes on).
        self.decided_report: CheckReport | None = None
        self.running = False
        self.cancelled = False
        self.details = False
        #: running, decided, verified, refused, failed or cancelled (which buttons show).
        self.stage = "running"
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        """Intro, the two halves, the summary and what to do, the details, the actions."""
        yield Header()
        with VerticalScroll(id="check-body", classes="step-body"):
            with Horizontal(id="check-head"):
                yield Static(
                    Content.from_markup("Logging in as [b]$email[/b]", email=self.account.email),
                    id="check-intro",
                )
                yield ProgressBar(total=len(self.endpoints), show_eta=False, id="check-progress")
            with Vertical(id="check-roles"):
                for role in (Role.INCOMING, Role.OUTGOING):
                    mine = {n: e for n, e in enumerate(self.endpoints) if e.role is role}
                    yield RoleRow(role, mine, timeout=self.options.timeout)
            yield Static("", id="check-summary")
            yield Static("", id="round-trip")
            yield Static("", id="check-notes", classes="hint")
            with Vertical(id="check-rows"):
                for position, endpoint in enumerate(self.endpoints):
                    yield EndpointRow(position, endpoint)
            yield FailurePanel(id="failure-panel")
        with Horizontal(classes="button-row"):
            yield Button("Send to iPhone (QR code)", id="send", variant="primary")
            yield Button("Typing steps", id="steps")
            yield Button("Save profile…", id="export")
            yield Button("Change the password", id="change-password", variant="primary")
            yield Button("Retry", id="retry", variant="primary")
            yield Button("Retry anyway", id="retry-anyway")
            yield Button("Back", id="back")
            yield Button("Continue unverified", id="continue-unverified", variant="warning")
        yield Footer()

    def on_mount(self) -> None:
        """Start the check, or show the finished one we came back to."""
        self.sub_title = (
            "Repair: checking with the current password"
            if self.repair
            else "Step 2 of 3: checking your settings"
        )
        self.query_one("#round-trip").display = self.options.round_trip
        self.query_one("#check-rows").display = False
        self._ticker = self.set_interval(TICK_SECONDS, self._tick, pause=True)
        if self.report is not None:
            self.finish(self.report)
        elif self.autostart:
            self.start_check()
        else:
            self._set_state("running")

    # -- running the check -------------------------------------------------------------

    def start_check(self) -> None:
        """Reset every row and run the check in a worker."""
        self.report = None
        self.decided_report = None
        self.cancelled = False
        for row in self.query(EndpointRow):
            row.reset()
        for role_row in self.query(RoleRow):
            role_row.reset()
        self.query_one("#check-progress", ProgressBar).update(progress=0)
        self.query_one("#failure-panel", FailurePanel).show()
        self.query_one("#round-trip", Static).update("Test message: after the logins")
        self._set_state("running")
        self.run_checks()

    @work(exclusive=True, group="check", exit_on_error=False)
    async def run_checks(self) -> None:
        """The same engine as ``mailcom-wizard check``; rows update through ``progress``."""
        try:
            report = await self.check(
                self.account, self.provider, self.options, self.apply_progress
            )
        except WizardError as exc:  # this computer cannot go on (say, no file descriptor left)
            self.stop_with(str(exc))
            return
        self.finish(report)

    def stop_with(self, problem: str) -> None:
        """The check could not go on, for a reason on this computer: say it, offer Retry."""
        now = self.clock()
        for row in self.query(EndpointRow):
            row.cancel(now)
        for role_row in self.query(RoleRow):
            role_row.cancel(now)
        self._set_state("failed")
        summary = self.query_one("#check-summary", Static)
        summary.set_classes("-error")
        summary.update(Content.from_markup("[b]✗ The check stopped:[/b] $problem", problem=problem))

    def apply_progress(self, event: Progress | Decided) -> None:
        """The engine's progress callback (runs on the UI's event loop)."""
        if not self.is_mounted:
            return
        if isinstance(event, Decided):
            self.decide(event.report)
            return
        self._advance(event.position, event.phase, event.attempt)
        done = sum(1 for each in self.query(EndpointRow) if each.attempt is not None)
        self.query_one("#check-progress", ProgressBar).update(progress=done)

    def _advance(self, position: int, phase: Phase, attempt: Attempt | None) -> None:
        """The row at ``position`` and its role's row move on."""
        now = self.clock()
        row = self.query_one(f"#row-{position}", EndpointRow)
        row.advance(phase, attempt, now)
        role_row = self.query_one(f"#role-{row.endpoint.role.value}", RoleRow)
        role_row.advance(position, phase, attempt, now)

    def decide(self, report: CheckReport) -> None:
        """Both roles are decided while a port still waits: if both logins worked, say so
        and let Enter go on at once; the wait goes on only for the details."""
        if self.repair or not report.verified or not self.running:
            return  # a repair, and a failure, are judged on the whole check
        self.decided_report = report
        self._show_roles(report)
        waiting = ", ".join(
            str(row.endpoint.port) for row in self.query(EndpointRow) if row.attempt is None
        )
        self._show_verified(report, f"(Port {waiting} has not answered yet: you can go on now.)")
        self._set_state("decided")

    def _show_roles(self, report: CheckReport) -> None:
        for line in role_lines(report):
            used = report.incoming if line.role is Role.INCOMING else report.outgoing
            role_row = self.query_one(f"#role-{line.role.value}", RoleRow)
            role_row.finish(line, used.elapsed_ms)

    def _show_verified(self, report: CheckReport, note: str = "") -> None:
        verdict = verdict_of(report)
        summary = self.query_one("#check-summary", Static)
        summary.set_classes("-ok")
        summary.update(
            Content.assemble(
                Content.from_markup("[b]✓ $headline[/b] ", headline=verdict.headline),
                verdict.uses,
                f" {note}" if note else "",
            )
        )
        # The ports used instead are in the rows ("587 (465 blocked here)"); what is
        # left to say is where the check ran from.
        notes = self.query_one("#check-notes", Static)
        notes.update(NETWORK_NOTE)
        notes.display = True

    def finish(self, report: CheckReport) -> None:
        """Show the verdict: each half in a line, what to do first, the next action."""
        self.report = report
        for row, attempt in self._rows_of(report):
            if row.attempt is None:
                self._advance(row.position, Phase.DONE, attempt)
        self._show_roles(report)
        self.query_one("#check-progress", ProgressBar).update(progress=len(self.endpoints))
        verdict = verdict_of(report, self.provider, plan=self.account.plan)
        self.query_one("#round-trip", Static).update(verdict.round_trip or "")
        summary = self.query_one("#check-summary", Static)
        notes = self.query_one("#check-notes", Static)
        if verdict.verified:
            self._show_verified(report)
            self._set_state("verified")
        else:
            summary.set_classes("-error")
            summary.update(Content.from_markup("[b]✗ $action[/b]", action=verdict.action))
            notes.update("")
            notes.display = False
            refused = verdict.password_in_doubt
            self._set_state("refused" if refused else "failed")
        self._show_panel()
        if self.repair:
            settings = settings_from_report(report, self.account, self.provider)
            outcome = CheckOutcome(settings=settings, report=report, next="repair")
            # A moment to see the rows finish, then on to the answer (if still here).
            self.set_timer(REPAIR_PAUSE_SECONDS, lambda: self._go_on(outcome))

    def _go_on(self, outcome: CheckOutcome) -> None:
        if self.is_current and not self.running:
            self.dismiss(outcome)

    def cancel_check(self) -> None:
        """Stop the running check at once; unfinished rows say so."""
        self.workers.cancel_group(self, "check")
        now = self.clock()
        for row in self.query(EndpointRow):
            row.cancel(now)
        for role_row in self.query(RoleRow):
            role_row.cancel(now)
        self.cancelled = True
        self._set_state("cancelled")
        summary = self.query_one("#check-summary", Static)
        summary.set_classes("-warning")
        summary.update(
            "[b]Cancelled.[/b] Press Retry to check again, or Back to change the account."
        )

    # -- display helpers ---------------------------------------------------------------

    def _rows_of(self, report: CheckReport) -> list[tuple[EndpointRow, Attempt]]:
        """Each attempt's row. A whole report has one attempt per row, in order; an early
        one only the finished attempts, so each goes to the next row with its endpoint."""
        rows = list(self.query(EndpointRow))
        pairs: list[tuple[EndpointRow, Attempt]] = []
        start = 0
        for attempt in report.attempts:
            for index in range(start, len(rows)):
                if rows[index].endpoint == attempt.endpoint:
                    pairs.append((rows[index], attempt))
                    start = index + 1
                    break
        return pairs

    def _usable(self) -> CheckReport | None:
        """The verified check to go on with: the finished one, or the decided one."""
        report = self.report or self.decided_report
        return report if report is not None and report.verified else None

    def _set_state(self, state: str) -> None:
        """Running or finished: which buttons show, which has focus, the ticker."""
        self.running = state in ("running", "decided")
        self.stage = state
        shown = _BUTTONS[state]
        for button in self.query(".button-row Button").results(Button):
            button.display = button.id in shown
        if self._ticker is not None:
            if self.running:
                self._ticker.resume()
            else:
                self._ticker.pause()
        if state == "running":
            summary = self.query_one("#check-summary", Static)
            summary.set_classes("")
            summary.update("Checking… (Escape cancels)")
            self.query_one("#check-notes", Static).display = False
        elif not (isinstance(self.focused, Button) and self.focused.id in shown):
            self.query_one(f"#{shown[0]}", Button).focus()
        self.refresh_bindings()

    def _show_panel(self) -> None:
        """The problems to fix; with Details on, also every attempt's technical part."""
        panel = self.query_one("#failure-panel", FailurePanel)
        if self.report is None:
            panel.show()
            return
        problems = verdict_of(self.report).problems
        if self.details:
            panel.show(*(problems or self.report.attempts), details=True)
        else:
            panel.show(*problems, details=False)

    def _tick(self) -> None:
        now = self.clock()
        for row in self.query(EndpointRow):
            row.tick(now)
        for role_row in self.query(RoleRow):
            role_row.tick(now)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys only where they make sense (and only those are shown in the footer)."""
        if action == "retry":
            return not self.running and self.stage != "verified"
        if action == "go":
            return self._usable() is not None
        if action == "details":
            return self.report is not None and not self.running
        return True

    @on(DescendantFocus)
    def _row_focused(self, event: DescendantFocus) -> None:
        """Focusing a finished row (in the details) shows its details."""
        if isinstance(event.widget, EndpointRow) and event.widget.attempt is not None:
            self.query_one("#failure-panel", FailurePanel).show(event.widget.attempt, details=True)

    # -- actions -----------------------------------------------------------------------

    def action_escape(self) -> None:
        """Escape cancels a running check at once (keeping a decided verdict); otherwise
        it goes back."""
        if self.decided_report is not None and self.running:
            self.workers.cancel_group(self, "check")
            for row in self.query(EndpointRow):
                row.cancel(self.clock())
            self.finish(self.decided_report)
        elif self.running:
            self.cancel_check()
        else:
            self.dismiss(ChangeAccount())

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the account (cancelling any running check)."""
        if self.running:
            self.cancel_check()
        self.dismiss(ChangeAccount())

    @on(Button.Pressed, "#change-password")
    def action_change_password(self) -> None:
        """Back to the password, with a note saying why."""
        self.dismiss(ChangeAccount(password_refused=True))

    def action_details(self) -> None:
        """D: show or hide the ports, codes, server words and certificates."""
        self.details = not self.details
        self.query_one("#check-rows").display = self.details
        self._show_panel()

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        """Check again; after a refused password only with a deliberate yes."""
        if self.running:
            return
        if self.stage == "refused":
            self.retry_anyway()
        else:
            self.start_check()

    @on(Button.Pressed, "#retry-anyway")
    def retry_anyway(self) -> None:
        """Log in again with the refused password, after saying what it risks."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_check()

        self.app.push_screen(
            ConfirmScreen(
                "Try the same password again?",
                RETRY_RISK.format(name=self.provider.display_name),
                yes="Retry anyway",
                no="Don't retry",
            ),
            answered,
        )

    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        self.action_go("send")

    @on(Button.Pressed, "#steps")
    def _steps(self) -> None:
        self.action_go("steps")

    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        self.action_go("export")

    def action_go(self, where: Next) -> None:
        """Go on with the verified settings: the QR code, the steps or a saved profile."""
        report = self._usable()
        if report is None:
            return
        if self.running:  # only a port that was not needed is still being waited for
            self.workers.cancel_group(self, "check")
        settings = settings_from_report(report, self.account, self.provider)
        self.dismiss(CheckOutcome(settings=settings, report=report, next=where))

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
