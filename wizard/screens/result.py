"""Step 3 after continuing unverified: the settings that will be used, and how to get them on
the phone (the QR code first; after a verified check the check screen offers these itself)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.core.models import MailSettings
from wizard.screens.next import Next


def settings_summary(settings: MailSettings) -> str:
    """The incoming and outgoing servers, as markup lines, in the phone's words (every
    port the wizard uses is encrypted: Use SSL on)."""
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

    def __init__(self, settings: MailSettings) -> None:
        """``settings`` are what the steps or the profile will contain."""
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        """Verdict, settings, two big choices."""
        yield Header()
        with VerticalScroll(id="result-body", classes="step-body"):
            if caveat := self.settings.caveat:
                proven = caveat.proven if self.settings.verified else caveat.unproven
                yield Static(
                    f"{proven} {caveat.values}",
                    id="result-verdict",
                    classes="-warning",
                    markup=True,
                )
            elif self.settings.verified:
                yield Static(
                    "[b]✓ These settings are verified:[/b] the servers accepted your login.",
                    id="result-verdict",
                    classes="-ok",
                    markup=True,
                )
            else:
                yield Static(
                    "[b]! Unverified settings.[/b] The login was not proven; these are "
                    f"{self.settings.provider_name}'s usual servers.",
                    id="result-verdict",
                    classes="-warning",
                    markup=True,
                )
            yield Static(settings_summary(self.settings), id="result-settings", markup=True)
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
                markup=True,
            )
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the first choice."""
        self.query_one("#send", Button).focus()

    @on(Button.Pressed, "#result-choices Button")
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(Next(str(event.button.id)))

    def action_choose(self, choice: str) -> None:
        """S or E."""
        self.dismiss(Next(choice))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the check."""
        self.dismiss(None)
