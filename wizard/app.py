"""The Textual wizard: global bindings, the flow (which screen comes next) and the dialog
after an unexpected error. Each step is a ``Screen[T]`` dismissed with its result (None:
back); the app keeps what the user typed, so going back never loses it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from wizard import __version__
from wizard.core.models import CheckOptions
from wizard.core.provider import Provider
from wizard.core.target import Target
from wizard.core.text import withhold_loop_exception
from wizard.recovery import LastResort, error_report
from wizard.screens.next import Next
from wizard.screens.step import UnexpectedError
from wizard.screens.welcome import Start, WelcomeScreen

# Only the first screen is imported up front (the others, and the network, TLS, signing and
# QR libraries behind them, when the user reaches them): benchmarks/startup.py measures it.
if TYPE_CHECKING:
    from wizard.core.export import ExportedProfile
    from wizard.core.models import CheckReport, MailSettings
    from wizard.screens.account import AccountForm
    from wizard.screens.check import ChangeAccount, CheckFunction, GoOn
    from wizard.screens.repair import RepairAction
    from wizard.screens.symptom import SymptomChoice


@dataclass
class FlowState:
    """What the user has entered so far; kept so Back never loses anything."""

    form: AccountForm | None = None
    #: Set on the repair path: what the iPhone shows, and what it uses today.
    repair: SymptomChoice | None = None
    report: CheckReport | None = None
    settings: MailSettings | None = None
    #: The address and password a server refused in the last check, until one is not.
    refused: tuple[str, str] | None = None


class WizardApp(App[None]):
    """mailcom-wizard: from welcome to a verified account on the iPhone."""

    CSS_PATH = "wizard.tcss"
    TITLE = "mailcom-wizard"
    SUB_TITLE = f"mail.com on your iPhone · {__version__}"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # People press Ctrl+C to stop a program (Textual's default only says to press
        # Ctrl+Q). In a field with text selected, Ctrl+C copies it.
        Binding("ctrl+c", "quit", "Quit", show=False),
    ]

    def __init__(
        self,
        target: Target | Provider,
        options: CheckOptions | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        home: Path | None = None,
        serve_host: str | None = None,
        check: CheckFunction | None = None,
    ) -> None:
        """``target``: what the run works against (a provider alone: checked with ``options``);
        ``serve_host``: where "Send to iPhone" listens; ``check``: the live check (or a fake)."""
        super().__init__()
        self.error_console.file = LastResort()
        self.target = (
            target if isinstance(target, Target) else Target(target, options or CheckOptions())
        )
        self.provider = self.target.provider
        self.options = self.target.options
        self.clock = clock
        self.home = home
        self.serve_host = serve_host
        self.check = check
        self.state = FlowState()

    def on_mount(self) -> None:
        """A library's unexpected exception in the event loop is told by kind only."""
        asyncio.get_running_loop().set_exception_handler(withhold_loop_exception)

    def get_default_screen(self) -> Screen[None]:
        return WelcomeScreen(self.provider, banner=self.target.banner)

    def on_welcome_screen_chosen(self, message: WelcomeScreen.Chosen) -> None:
        """Start goes on to the account; Quit leaves (asking first if anything was typed)."""
        if message.choice is Start.SETUP:
            self.state.repair = None
            self.show_account()
        elif message.choice is Start.REPAIR:
            self.show_symptom()
        elif not self.typed():
            self.exit()
        else:
            from wizard.screens.confirm import ConfirmScreen

            text = "Nothing you typed has been stored. To keep it, stay and go on instead."
            question = ConfirmScreen("Quit and forget what you typed?", text, yes="Quit", no="Stay")
            self.push_screen(question, lambda quit: self.exit() if quit else None)

    def typed(self) -> bool:
        """Has the user typed anything (a name, a password, an address not filled in)?"""
        typed = self.state.form.account if self.state.form else None
        return typed is not None and any(
            (typed.name, typed.password, typed.email != self.target.email)
        )

    def show_symptom(self) -> None:
        from wizard.screens.symptom import SymptomScreen

        self.push_screen(SymptomScreen(previous=self.state.repair), self._after_symptom)

    def _after_symptom(self, choice: SymptomChoice | None) -> None:
        if choice is None:
            self.show_home()
            return
        from wizard.core.models import Account, IncomingChoice
        from wizard.core.repair.symptoms import PhoneIncoming
        from wizard.screens.account import AccountForm

        self.state.repair = choice
        # The check uses what the phone uses (IMAP when it is not known).
        pop = choice.phone.incoming is PhoneIncoming.POP
        form = self.state.form or AccountForm(Account(self.target.email, ""))
        incoming = IncomingChoice.POP if pop else IncomingChoice.IMAP
        self.state.form = replace(form, account=replace(form.account, incoming=incoming))
        self.show_account()

    def show_account(self, *, password_note: str | None = None) -> None:
        from wizard.screens.account import AccountScreen

        self.push_screen(
            AccountScreen(
                self.provider,
                previous=self.state.form,
                filled_email=self.target.email,
                keyring_allowed=self.target.keyring,
                password_note=password_note,
                repair=self.state.repair is not None,
            ),
            self._after_account,
        )

    def _after_account(self, form: AccountForm | None) -> None:
        if form is None:
            return
        self.state.form = form
        if not form.back:
            note = self._refused_note(form)
            self.check_again(otherwise=lambda: self.show_account(password_note=note))
        elif self.state.repair is not None:
            self.show_symptom()
        else:
            self.show_home()

    def check_again(self, *, otherwise: Callable[[], None]) -> None:
        """A new check; with a password a server just refused, only after a deliberate yes
        (``otherwise``: where the user goes instead). Retrying may lock the account."""
        form = self.state.form
        assert form is not None

        def answered(yes: bool | None) -> None:
            if yes:
                self.state.report = None
                self.show_check()
            else:
                otherwise()

        if self.state.refused != (form.account.email, form.account.password):
            answered(True)
            return
        from wizard.screens.refusal import retry_question

        self.push_screen(retry_question(self.provider), answered)

    def show_check(self) -> None:
        """The live check (or the last one's result when coming back to it)."""
        from wizard.screens.check import CheckScreen

        form = self.state.form
        assert form is not None
        screen = CheckScreen(
            form.account,
            self.provider,
            replace(self.options, round_trip=form.round_trip),
            clock=self.clock,
            report=self.state.report,
            repair=self.state.repair is not None,
            check=self.check,
        )
        self.push_screen(screen, lambda outcome: self._after_check(outcome, screen.report))

    def _after_check(
        self, outcome: GoOn | ChangeAccount | None, report: CheckReport | None
    ) -> None:
        """``report`` is the last the check screen showed: was the password refused?"""
        from wizard.core.verdict import verdict_of
        from wizard.screens.check import ChangeAccount

        form = self.state.form
        assert form is not None
        if report is not None:
            refused = verdict_of(report, self.provider).password_in_doubt
            self.state.refused = (form.account.email, form.account.password) if refused else None
        if outcome is None or isinstance(outcome, ChangeAccount):
            refused = outcome is not None and outcome.password_refused
            self.state.report = None
            self.show_account(password_note=self._refused_note(form) if refused else None)
            return
        self.state.report = outcome.report
        self.state.settings = self.target.mark(outcome.settings)
        if outcome.settings.verified and self.target.keyring:
            from wizard.widgets.remember import update_keyring

            update_keyring(self, form.account, form.remember, self.provider)
        self._go(outcome.next)

    def _refused_note(self, form: AccountForm) -> str:
        from wizard.screens.refusal import password_note

        return password_note(self.provider, form.account)

    def _go(self, where: Next | None) -> None:
        """After the check, or the choice of a way to the phone (None: back to the check)."""
        shows: dict[Next | None, Callable[[], None]] = {
            Next.REPAIR: self.show_repair,
            Next.SEND: self.show_send,
            Next.STEPS: self.show_instructions,
            Next.EXPORT: self.show_export,
            Next.CHOOSE: self.show_result,
            None: self.show_check,
        }
        shows[where]()

    def show_repair(self) -> None:
        """What the phone shows beside the check: one cause and its fix."""
        from wizard.core.repair.answer import diagnose_repair
        from wizard.screens.repair import RepairScreen

        choice, report = self.state.repair, self.state.report
        assert choice is not None and report is not None
        answer = diagnose_repair(
            choice.symptom,
            choice.phone,
            report,
            choice.layout,
            provider=self.provider,
            mark=self.target.mark,
        )
        self.push_screen(RepairScreen(answer, home=self.home), self._after_repair)

    def _after_repair(self, action: RepairAction | None) -> None:
        from wizard.screens.repair import RepairAction

        if action is RepairAction.CHECK_AGAIN:
            self.check_again(otherwise=self.show_repair)
        elif action is RepairAction.FRESH_PROFILE:
            self.show_send()
        else:
            self.show_symptom()

    @property
    def settings(self) -> MailSettings:
        """The settings the check ended with (set before any step after it)."""
        assert self.state.settings is not None
        return self.state.settings

    def back_to_choice(self) -> None:
        """Back from the steps, the profile or the QR code: where the user chose them."""
        settings = self.state.settings
        if settings is not None and settings.verified and self.state.report is not None:
            self.show_check()
        else:
            self.show_result()

    def show_result(self) -> None:
        """Without a verified login: the choice of QR code, typing steps or profile."""
        from wizard.screens.result import ResultScreen

        self.push_screen(ResultScreen(self.settings), self._go)

    def show_instructions(self) -> None:
        from wizard.screens.instructions import InstructionsScreen

        screen = InstructionsScreen(self.settings, home=self.home)
        self.push_screen(screen, lambda _: self.back_to_choice())

    def show_export(self) -> None:
        from wizard.screens.export import ExportScreen

        form = self.state.form
        assert form is not None
        self.push_screen(
            ExportScreen(self.settings, form.account.password, home=self.home),
            lambda exported: self.show_send(exported) if exported else self.back_to_choice(),
        )

    def show_send(self, exported: ExportedProfile | None = None) -> None:
        """The QR code for the iPhone (writing the profile first when none is)."""
        from wizard.screens.send import SendScreen

        self.push_screen(
            SendScreen(exported, settings=self.settings, home=self.home, host=self.serve_host),
            self._after_send,
        )

    def _after_send(self, finished: bool | None) -> None:
        if finished:
            self.show_home()
            self.notify(
                "Done: the profile is on the iPhone. Install it there under Settings; the "
                "account then appears in the Mail app.",
                timeout=10,
            )
        else:
            self.back_to_choice()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Help, the theme, the keys, quit (no Maximize: it hides the way on; no Screenshot:
        a file nobody asked for)."""
        yield SystemCommand(
            "Help", "What each key does, and what the wizard is for", self.action_help
        )
        kept = ("Theme", "Keys", "Quit")
        yield from (cmd for cmd in super().get_system_commands(screen) if cmd.title in kept)

    def action_help(self) -> None:
        from wizard.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def show_home(self) -> None:
        """Back to the first screen, closing whatever is above it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    # -- unexpected errors: one dialog, then quit or start over, nothing typed lost -------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One of the app's own workers failed (a step's arrive as ``UnexpectedError``)."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            self.show_error(error)

    def on_unexpected_error(self, message: UnexpectedError) -> None:
        self.show_error(message.error)

    def show_error(self, error: Exception) -> None:
        """One dialog (a second error while it is open adds none); the details never quote a
        password typed so far, or the run's own."""
        from wizard.screens.error import ErrorScreen

        if any(isinstance(screen, ErrorScreen) for screen in self.screen_stack):
            return
        passwords = [self.state.form.account.password] if self.state.form else []
        passwords += [self.target.password] if self.target.password else []
        summary, details = error_report(error, passwords)
        self.push_screen(ErrorScreen(summary, details), self._after_error)

    def _after_error(self, start_over: bool | None) -> None:
        # Not back to the screen where it happened: that may be in any state.
        if not start_over:
            self.exit(return_code=1)
            return
        self.show_home()
        if self.state.form is not None:
            self.show_account()
