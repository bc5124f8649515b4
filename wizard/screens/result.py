"""Step 3 after continuing unverified: the settings that will be used, and the ways to the
phone (after a verified check the check screen offers these itself)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.core.models import MailSettings
from wizard.screens.next import Next


def settings_summary(settings: MailSettings) -> str:
    """The servers as markup lines, in the phone's words (every port used is encrypted)."""
    incoming, outgoing = settings.incoming, settings.outgoing
    return (
        f"Incoming ({settings.incoming_choice.value.upper()}): "
        f"[b]{incoming.host}[/b] port [b]{incoming.port}[/b], Use SSL on\n"
        f"Outgoing (SMTP): [b]{outgoing.host}[/b] port [b]{outgoing.port}[/b], Use SSL on\n"
        f"User name: [b]{settings.incoming_username}[/b]"
    )


class ResultScreen(Screen[Next | None]):
    """Shows the settings; dismisses with the way on chosen, or None to go back."""

    SUB_TITLE = "Step 3 of 3: set up the iPhone"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("s", "choose('steps')", "Typing steps"),
        Binding("e", "choose('export')", "Save profile"),
    ]
    AUTO_FOCUS = "#send"

    def __init__(self, settings: MailSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        settings = self.settings
        verdict: str | Content
        if caveat := settings.caveat:
            proven = caveat.proven if settings.verified else caveat.unproven
            verdict, state = f"{proven} {caveat.values}", "-warning"
        elif settings.verified:
            verdict = "[b]✓ These settings are verified:[/b] the servers accepted your login."
            state = "-ok"
        else:
            verdict = Content.from_markup(
                "[b]! Unverified settings.[/b] The login was not proven; these are $name's "
                "usual servers.",
                name=settings.provider_name,
            )
            state = "-warning"
        yield Header()
        with VerticalScroll(id="result-body", classes="step-body"):
            yield Static(verdict, id="result-verdict", classes=state)
            yield Static(settings_summary(settings), id="result-settings")
            yield Static("How do you want to set up the iPhone?", classes="question")
            with Horizontal(id="result-choices"):
                yield Button("Send to iPhone (QR code)", id="send", variant="primary")
                yield Button("Typing steps", id="steps")
                yield Button("Save profile…", id="export")
            yield Static(
                "[b]QR code[/b]: the iPhone's camera opens a profile that sets up the account. "
                "[b]Typing steps[/b]: you type the values into the iPhone's Settings. "
                "[b]Save profile[/b]: a file to install later (or sign, or with the password).",
                classes="hint",
            )
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
        yield Footer()

    @on(Button.Pressed, "#result-choices Button")
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(Next(str(event.button.id)))

    def action_choose(self, choice: str) -> None:
        self.dismiss(Next(choice))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
