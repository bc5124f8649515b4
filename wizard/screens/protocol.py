"""Step 3: IMAP or POP, explained in plain words, and the optional test message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, RadioButton, RadioSet, Static

from wizard.core.models import IncomingChoice
from wizard.core.provider import Provider

IMAP_TEXT = (
    "[b]IMAP (recommended)[/b]: your mail stays on the server and stays in sync: "
    "read, moved and deleted messages look the same on the phone, the computer and the web."
)
POP_TEXT = (
    "[b]POP[/b]: the phone downloads your mail. Useful when online storage is limited, "
    "but read or deleted messages do [b]not[/b] sync with your other devices."
)


@dataclass(frozen=True)
class ProtocolChoice:
    """How incoming mail is fetched, and whether to send a test message to oneself."""

    incoming: IncomingChoice
    round_trip: bool = False


class ProtocolScreen(Screen[ProtocolChoice | None]):
    """IMAP or POP; dismisses with the choice, or None to go back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "next", "Check now"),
    ]

    def __init__(
        self, provider: Provider, incoming: IncomingChoice, *, round_trip: bool = False
    ) -> None:
        """``incoming`` and ``round_trip`` are the current choices."""
        super().__init__()
        self.provider = provider
        # A provider file may offer only one of the two: then that one is chosen.
        offered = [choice for choice in IncomingChoice if provider.supports(choice)]
        self.incoming = incoming if incoming in offered or not offered else offered[0]
        self.round_trip = round_trip

    def compose(self) -> ComposeResult:
        """Two radio buttons with their explanations, the test-message box, buttons."""
        yield Header()
        with VerticalScroll(id="protocol-body", classes="step-body"):
            yield Static("How should the iPhone fetch your mail?", classes="question")
            with RadioSet(id="protocol"):
                yield RadioButton(
                    "IMAP",
                    value=self.incoming is IncomingChoice.IMAP,
                    id="imap",
                    disabled=not self.provider.supports(IncomingChoice.IMAP),
                )
                yield RadioButton(
                    "POP",
                    value=self.incoming is IncomingChoice.POP,
                    id="pop",
                    disabled=not self.provider.supports(IncomingChoice.POP),
                )
            missing = self._missing_note()
            if missing:
                yield Static(missing, id="protocol-note", classes="hint", markup=False)
            yield Static(IMAP_TEXT, classes="choice-text", markup=True)
            yield Static(POP_TEXT, classes="choice-text", markup=True)
            yield Checkbox(
                "Also send a test message to myself and wait until it arrives",
                value=self.round_trip,
                id="round-trip",
            )
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Check now", id="next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the choice."""
        self.sub_title = "Step 2 of 4: incoming mail"
        self.query_one("#protocol", RadioSet).focus()

    def _missing_note(self) -> str:
        """Why one choice cannot be picked, when the provider lacks its servers."""
        for choice, other in (
            (IncomingChoice.IMAP, IncomingChoice.POP),
            (IncomingChoice.POP, IncomingChoice.IMAP),
        ):
            if not self.provider.supports(choice):
                return (
                    f"{self.provider.display_name} has no {choice.protocol.label} server, "
                    f"so {other.value.upper()} is the only choice."
                )
        return ""

    def _choice(self) -> IncomingChoice:
        pressed = self.query_one("#protocol", RadioSet).pressed_button
        if pressed is None:
            return self.incoming
        return IncomingChoice.POP if pressed.id == "pop" else IncomingChoice.IMAP

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the account."""
        self.dismiss(None)

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Go on to the live check."""
        self.dismiss(
            ProtocolChoice(
                incoming=self._choice(),
                round_trip=self.query_one("#round-trip", Checkbox).value,
            )
        )
