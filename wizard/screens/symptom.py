"""Repair, step 1: what the iPhone shows, and (if the user knows) what it uses today."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.errors import UsageError
from wizard.core.facts import ios as ios_facts
from wizard.core.instructions import LAYOUTS, IosLayout
from wizard.core.repair.symptoms import PhoneIncoming, PhoneSettings, Symptom
from wizard.screens.step import Step
from wizard.widgets.choice_row import ChoiceRow

DONT_KNOW = "I don't know"
INCOMING = (PhoneIncoming.IMAP, PhoneIncoming.POP, PhoneIncoming.UNKNOWN)
#: The provider's two ports, "I don't know" (the default), "another" (before its number box).
PORTS = (465, 587)
OUTGOING = (*(str(port) for port in PORTS), DONT_KNOW, "another")
UNKNOWN_PORT, OTHER_PORT = len(PORTS), len(PORTS) + 1


@dataclass(frozen=True)
class SymptomChoice:
    """What the iPhone shows, what it uses today, and its Settings layout (None: unknown)."""

    symptom: Symptom
    phone: PhoneSettings = field(default_factory=PhoneSettings)
    ios: IosLayout | None = None

    @property
    def layout(self) -> IosLayout:
        """The layout the steps are for: the newest when the version is unknown."""
        return self.ios or LAYOUTS[0]


class SymptomScreen(Step[SymptomChoice | None]):
    """The symptoms as the phone words them; Enter goes on, the rest is optional (Tab)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "next", "Check now"),
    ]
    # The list has focus from the first frame: one Enter goes on with the defaults.
    AUTO_FOCUS = "#symptoms"
    SUB_TITLE = "Repair: what the iPhone shows"

    def __init__(self, previous: SymptomChoice | None = None) -> None:
        super().__init__()
        self.previous = previous or SymptomChoice(next(iter(Symptom)))

    def compose(self) -> ComposeResult:
        phone = self.previous.phone
        port = phone.outgoing_port
        yield Header()
        with VerticalScroll(id="symptom-body", classes="step-body"):
            yield Static("What does the iPhone show?", classes="question")
            yield OptionList(
                *(Option(symptom.description, id=symptom.value) for symptom in Symptom),
                id="symptoms",
            )
            yield Static(
                "If you know (optional, Tab): what the iPhone uses today",
                id="phone-question",
                classes="hint",
            )
            with Horizontal(classes="choice-line"):
                yield Label("Incoming mail", classes="choice-label")
                yield ChoiceRow(
                    *(each.value.upper() for each in INCOMING[:-1]),
                    DONT_KNOW,
                    chosen=INCOMING.index(phone.incoming),
                    id="incoming",
                )
            with Horizontal(classes="choice-line"):
                yield Label("Outgoing port", classes="choice-label")
                chosen = PORTS.index(port) if port in PORTS else OTHER_PORT
                chosen = UNKNOWN_PORT if port is None else chosen
                yield ChoiceRow(*OUTGOING, chosen=chosen, id="outgoing")
                other = chosen == OTHER_PORT
                yield Input(
                    str(port) if other else "",
                    placeholder="number",
                    type="integer",
                    max_length=5,
                    compact=True,
                    id="other-port",
                    classes="" if other else "-hidden",
                )
            with Horizontal(classes="choice-line"):
                yield Label("iOS version", classes="choice-label")
                layout = self.previous.ios
                yield ChoiceRow(
                    *(each.label.removeprefix("iOS ") for each in LAYOUTS),
                    DONT_KNOW,
                    chosen=LAYOUTS.index(layout) if layout else len(LAYOUTS),
                    id="ios",
                )
            yield Static(
                f"To see the iOS version: {ios_facts.ABOUT.text}. {DONT_KNOW}: the steps "
                f"are for {LAYOUTS[0].words}.",
                id="ios-hint",
                classes="hint",
                markup=False,
            )
            yield Static("", id="symptom-error", classes="field-status -error", markup=False)
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back", compact=True)
            yield Button("Check now", id="next", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        chosen = list(Symptom).index(self.previous.symptom)
        self.query_one("#symptoms", OptionList).highlighted = chosen

    @on(ChoiceRow.Changed, "#outgoing")
    def _outgoing_changed(self, event: ChoiceRow.Changed) -> None:
        self.query_one("#other-port").set_class(event.index != OTHER_PORT, "-hidden")

    @on(OptionList.OptionSelected, "#symptoms")
    @on(ChoiceRow.Submitted)
    @on(Input.Submitted, "#other-port")
    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Go on with what is chosen (a bad port number is said instead)."""
        symptom = list(Symptom)[self.query_one("#symptoms", OptionList).highlighted or 0]
        incoming = INCOMING[max(self.query_one("#incoming", ChoiceRow).pressed_index, 0)]
        ios_index = self.query_one("#ios", ChoiceRow).pressed_index
        ios = LAYOUTS[ios_index] if 0 <= ios_index < len(LAYOUTS) else None
        try:
            phone = PhoneSettings(incoming=incoming, outgoing_port=self._outgoing_port())
        except UsageError as error:
            self._show_error(str(error))
            self.query_one("#other-port", Input).focus()
            return
        self._show_error("")
        self.dismiss(SymptomChoice(symptom=symptom, phone=phone, ios=ios))

    def _show_error(self, text: str) -> None:
        error = self.query_one("#symptom-error", Static)
        error.update(text)
        error.set_class(bool(text), "-shown")

    def _outgoing_port(self) -> int | None:
        index = self.query_one("#outgoing", ChoiceRow).pressed_index
        if 0 <= index < len(PORTS):
            return PORTS[index]
        if index != OTHER_PORT:
            return None
        typed = self.query_one("#other-port", Input).value.strip()
        if not typed.isdigit():
            raise UsageError(
                "Type the port number the iPhone shows for its outgoing server, or choose "
                f"{DONT_KNOW}.",
                field="outgoing_port",
            )
        return int(typed)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
