"""Step 2: the live check, receiving and sending in plain words, then the one next action.
The ``stage`` says what shows once: a CSS class per stage shows its buttons (wizard.tcss),
the watcher focuses the first (the next action), ``check_action`` offers only its keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.events import DescendantFocus
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Button, Footer, Header
from textual.widgets.button import ButtonVariant

from wizard.core.check import Decided, Progress, ProgressCallback, run_check
from wizard.core.errors import WizardError
from wizard.core.models import Account, CheckOptions, CheckReport, MailSettings
from wizard.core.provider import Provider
from wizard.core.verdict import preferred_settings, settings_from_report, verdict_of
from wizard.screens.next import Next
from wizard.screens.refusal import retry_question, unverified_question
from wizard.screens.step import Step
from wizard.widgets.check_board import CheckBoard
from wizard.widgets.endpoint_row import EndpointRow
from wizard.widgets.failure_panel import FailurePanel

TICK_SECONDS = 0.1  # how often running rows refresh their spinner and elapsed time
REPAIR_PAUSE_SECONDS = 0.6  # on a repair, how long the finished rows stay before the answer

#: The engine's ``run_check``, or what a test gives instead.
CheckFunction = Callable[
    [Account, Provider, CheckOptions, ProgressCallback], Awaitable[CheckReport]
]


#: The buttons: id, label, variant, and the stages that show it (classes, for wizard.tcss).
ACTIONS: tuple[tuple[str, str, ButtonVariant, str], ...] = (
    ("send", "Send to iPhone (QR code)", "primary", "go decided verified"),
    ("steps", "Typing steps", "default", "go decided verified"),
    ("export", "Save profile…", "default", "go decided verified"),
    ("change-password", "Change the password", "primary", "refused"),
    ("retry", "Retry", "primary", "failed cancelled"),
    ("retry-anyway", "Retry anyway", "default", "refused"),
    ("back", "Back", "default", "running failed cancelled"),
    ("continue-unverified", "Continue unverified", "warning", "refused failed"),
)


class Stage(StrEnum):
    """Where the check is (``CheckScreen.-<stage>``)."""

    RUNNING = "running"
    #: Both logins worked and the user may go on, while a port not needed runs out its time.
    DECIDED = "decided"
    VERIFIED = "verified"
    REFUSED = "refused"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def running(self) -> bool:
        return self in (Stage.RUNNING, Stage.DECIDED)


@dataclass(frozen=True)
class GoOn:
    """The settings to go on with, the check they came from (if any), and where next."""

    settings: MailSettings
    report: CheckReport | None
    next: Next = Next.CHOOSE


@dataclass(frozen=True)
class ChangeAccount:
    """Back to the account; ``password_refused`` says the password needs another look."""

    password_refused: bool = False


class CheckScreen(Step[GoOn | ChangeAccount]):
    """Runs the check in a worker; dismisses with the next step, or back to the account."""

    SUB_TITLE = "Step 2 of 3: checking your settings"
    REPAIR_TITLE = "Repair: checking with the current password"
    BINDINGS: ClassVar[list[BindingType]] = [
        # One Escape key, said as what it does in the stage (the footer shows one).
        Binding("escape", "escape", "Cancel"),
        Binding("escape", "escape('back')", "Back"),
        Binding("r", "retry", "Retry"),
        Binding("s", "go('steps')", "Steps"),
        Binding("e", "go('export')", "Save profile"),
        Binding("d", "details", "Details"),
    ]

    stage: var[Stage] = var(Stage.RUNNING, init=False, always_update=True)
    #: The Details key: every port's row, and every attempt's technical part.
    details: var[bool] = var(False, init=False, toggle_class="-details")

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
        """``report`` shows a finished check instead of starting one; ``repair`` goes straight
        on to the answer when the check ends."""
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
        #: Both logins worked while the check still waits on another port.
        self.decided_report: CheckReport | None = None
        self._ticker: Timer | None = None

    @property
    def running(self) -> bool:
        return self.stage.running

    def compose(self) -> ComposeResult:
        yield Header()
        yield CheckBoard(
            self.account.email,
            self.endpoints,
            timeout=self.options.timeout,
            round_trip=self.options.round_trip,
            id="check-body",
            classes="step-body",
        )
        with Horizontal(classes="button-row"):
            for id, label, variant, stages in ACTIONS:
                yield Button(label, id=id, variant=variant, classes=stages)
        yield Footer()

    def on_mount(self) -> None:
        if self.repair:
            self.sub_title = self.REPAIR_TITLE
        self._ticker = self.set_interval(
            TICK_SECONDS, lambda: self.board.tick(self.clock()), pause=True
        )
        if self.report is not None:
            self.finish(self.report)
        elif self.autostart:
            self.start_check()
        else:
            self.stage = Stage.RUNNING

    def watch_stage(self, stage: Stage) -> None:
        for each in Stage:
            self.set_class(each is stage, f"-{each.value}")
        if self._ticker is not None:
            (self._ticker.resume if stage.running else self._ticker.pause)()
        if stage is Stage.RUNNING:
            self.board.say("Checking… (Escape cancels)")
        elif not (isinstance(self.focused, Button) and self.focused.has_class(stage.value)):
            self.set_focus(self.query_one(f".button-row .{stage.value}", Button))
        self.refresh_bindings()

    def watch_details(self, details: bool) -> None:
        self.board.show_problems(self.report, details=details)

    def start_check(self) -> None:
        self.report = None
        self.decided_report = None
        self.board.reset()
        self.stage = Stage.RUNNING
        self.run_checks()

    @work(exclusive=True, group="check", exit_on_error=False)
    async def run_checks(self) -> None:
        try:
            report = await self.check(
                self.account, self.provider, self.options, self.apply_progress
            )
        except WizardError as exc:  # this computer cannot go on (say, no file descriptor left)
            self.board.cancel(self.clock())
            self.stage = Stage.FAILED
            stopped = Content.from_markup("[b]✗ The check stopped:[/b] $problem", problem=str(exc))
            self.board.say(stopped, "-error")
            return
        self.finish(report)

    def apply_progress(self, event: Progress | Decided) -> None:
        """The engine's progress callback (on the UI's event loop)."""
        if not self.is_mounted:
            return
        if isinstance(event, Decided):
            self.decide(event.report)
            return
        self.board.advance(event.position, event.phase, event.attempt, self.clock())

    def decide(self, report: CheckReport) -> None:
        """Both logins worked while a port still waits: say so, and Enter goes on at once."""
        if self.repair or not report.verified or not self.running:
            return  # a repair, and a failure, are judged on the whole check
        self.decided_report = report
        self.board.show_roles(report)
        waiting = ", ".join(str(port) for port in self.board.waiting_ports)
        self.board.say_verified(
            report, f"(Port {waiting} has not answered yet: you can go on now.)"
        )
        self.stage = Stage.DECIDED

    def finish(self, report: CheckReport) -> None:
        self.report = report
        self.board.complete(report, self.clock())
        verdict = verdict_of(report, self.provider, plan=self.account.plan)
        self.board.say_round_trip(verdict.round_trip or "")
        if verdict.verified:
            self.board.say_verified(report)
            self.stage = Stage.VERIFIED
        else:
            self.board.say(Content.from_markup("[b]✗ $action[/b]", action=verdict.action), "-error")
            self.stage = Stage.REFUSED if verdict.password_in_doubt else Stage.FAILED
        self.board.show_problems(report, details=self.details)
        if self.repair:
            # A moment to see the rows finish, then on to the answer (if still here).
            self.set_timer(REPAIR_PAUSE_SECONDS, lambda: self._go_on(report))

    def _go_on(self, report: CheckReport) -> None:
        if self.is_current and not self.running:
            self.go_with(report, Next.REPAIR)

    def go_with(self, report: CheckReport | None, where: Next = Next.CHOOSE) -> None:
        """Dismiss with the settings ``report`` verified (the usual ones without a report)."""
        settings = (
            preferred_settings(self.account, self.provider)
            if report is None
            else settings_from_report(report, self.account, self.provider)
        )
        self.dismiss(GoOn(settings=settings, report=report, next=where))

    def cancel_check(self) -> None:
        self.workers.cancel_group(self, "check")
        self.board.cancel(self.clock())
        self.stage = Stage.CANCELLED
        self.board.say(
            "[b]Cancelled.[/b] Press Retry to check again, or Back to change the account.",
            "-warning",
        )

    @property
    def board(self) -> CheckBoard:
        return self.query_one(CheckBoard)

    def _usable(self) -> CheckReport | None:
        """The verified check to go on with: the finished one, or the decided one."""
        report = self.report or self.decided_report
        return report if report is not None and report.verified else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return {
            "retry": not self.running and self.stage is not Stage.VERIFIED,
            "go": self._usable() is not None,
            "details": self.report is not None and not self.running,
            "escape": bool(parameters) is not self.running,
        }.get(action, True)

    @on(DescendantFocus)
    def _row_focused(self, event: DescendantFocus) -> None:
        if isinstance(event.widget, EndpointRow) and event.widget.attempt is not None:
            self.board.query_one(FailurePanel).show(event.widget.attempt, details=True)

    def action_escape(self, _said: str = "cancel") -> None:
        """Escape cancels a running check (keeping a decided verdict), or goes back."""
        if self.stage is Stage.DECIDED and self.decided_report is not None:
            self.workers.cancel_group(self, "check")
            self.board.cancel(self.clock(), roles=False)
            self.finish(self.decided_report)
        elif self.running:
            self.cancel_check()
        else:
            self.dismiss(ChangeAccount())

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if self.running:
            self.cancel_check()
        self.dismiss(ChangeAccount())

    @on(Button.Pressed, "#change-password")
    def action_change_password(self) -> None:
        self.dismiss(ChangeAccount(password_refused=True))

    def action_details(self) -> None:
        self.details = not self.details
        if self.details:
            rows = self.board.query_one("#check-rows")
            self.call_after_refresh(rows.scroll_visible, animate=False)

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        """After a refused password only with a deliberate yes."""
        if self.running:
            return
        if self.stage is Stage.REFUSED:
            self.retry_anyway()
        else:
            self.start_check()

    @on(Button.Pressed, "#retry-anyway")
    def retry_anyway(self) -> None:
        self.app.push_screen(
            retry_question(self.provider), lambda yes: self.start_check() if yes else None
        )

    @on(Button.Pressed, ".go")
    def _go_pressed(self, event: Button.Pressed) -> None:
        self.action_go(Next(str(event.button.id)))

    def action_go(self, where: str) -> None:
        report = self._usable()
        if report is None:
            return
        if self.running:  # only a port that was not needed is still being waited for
            self.workers.cancel_group(self, "check")
        self.go_with(report, Next(where))

    @on(Button.Pressed, "#continue-unverified")
    def continue_unverified(self) -> None:
        question = unverified_question(self.provider)
        self.app.push_screen(question, lambda yes: self.go_with(self.report) if yes else None)
