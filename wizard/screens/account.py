"""Step 1: name, address, the plan (mail.com), two-factor, password, IMAP or POP. The plan and
two-factor come before the password: a newer free mail.com account cannot use mail apps, and
two-factor needs the app-specific password. A repair asks neither name nor IMAP/POP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static

from wizard.core import access, facts
from wizard.core.accounts import check_address, name_problem, password_problem
from wizard.core.models import Account, Plan
from wizard.core.provider import Provider
from wizard.screens.step import Step
from wizard.widgets.choice_row import ChoiceRow
from wizard.widgets.form_input import FormInput, Problem, plan_fields
from wizard.widgets.protocol_choice import chosen_protocol, protocol_choice, protocol_hint
from wizard.widgets.remember import RememberBox

TWO_FACTOR_LABEL = f"{facts.mailcom.TWO_FACTOR.capitalized} is on for this account"
BURST_DID_NOT_FIT = (
    "The pasted text holds several fields that do not fit these boxes, so nothing was "
    "filled in. Paste or type one field at a time."
)
#: The fields a paste of several fields fills, in order (their ids).
_BURST_FIELDS = ("name", "email", "password")


def _password_problem(password: str) -> str | None:
    if not password:
        return "Enter the password (or the app-specific password)."
    return password_problem(password)


@dataclass(frozen=True)
class AccountForm:
    """What the screen collected (``back``: the user went back); the app hands it back to the
    screen, so nothing typed is lost."""

    account: Account
    remember: bool = False
    back: bool = False
    round_trip: bool = False  # also send oneself a test message and wait for it


class AccountScreen(Step[AccountForm]):
    """Collects the account; dismisses with an AccountForm (``back`` set for Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "next", "Check"),
        Binding("ctrl+y", "use_suggestion", "Use suggestion"),
        Binding("ctrl+t", "toggle_password", "Show"),
    ]
    SUB_TITLE = "Step 1 of 3: your account"
    REPAIR_TITLE = "Repair: the account and its current password"

    #: The address a typo would have been (Ctrl+Y takes it); the footer follows it.
    suggestion: var[str | None] = var[str | None](None, bindings=True)
    #: Two-factor is on: the help shows (by CSS) and the password is the app-specific one.
    two_factor = var(False, toggle_class="-two-factor")

    def __init__(
        self,
        provider: Provider,
        *,
        previous: AccountForm | None = None,
        filled_email: str = "",
        keyring_allowed: bool = True,
        password_note: str | None = None,
        repair: bool = False,
    ) -> None:
        super().__init__(classes="-repair" if repair else None)
        if repair:
            self.sub_title = self.REPAIR_TITLE
        self.provider = provider
        self.previous = previous or AccountForm(Account(filled_email, ""))
        self.keyring_allowed = keyring_allowed
        self.password_note = password_note
        self._filled_from_keyring = False
        self.fields: dict[str, FormInput] = {}
        self.plan_question = access.plan_question(provider.is_mailcom)

    def compose(self) -> ComposeResult:
        previous, provider = self.previous, self.provider
        account = previous.account
        yield Header()
        with VerticalScroll(id="account-form", classes="step-body"):
            yield from self._field(
                "name",
                "Your name",
                account.name,
                "shown to people you write to, e.g. Alex Example",
                Problem(name_problem),
            )
            domain = provider.domains[0] if provider.domains else "example.com"
            yield from self._field("email", "Email address", account.email, f"name@{domain}")
            if question := self.plan_question:
                yield Static(question.text, id="plan-question", classes="hint")
                with Horizontal(classes="choice-line", id="plan-line"):
                    yield Label("Your plan", classes="choice-label")
                    plans = [plan for plan, _ in question.answers]
                    yield ChoiceRow(
                        *(label for _, label in question.answers),
                        chosen=plans.index(account.plan or Plan.NOT_SURE),
                        ids=[plan.value for plan in plans],
                        id="plan",
                    )
            yield Checkbox(TWO_FACTOR_LABEL, value=account.app_password, id="app-password")
            help_text = access.app_password_help(provider.display_name, provider.is_mailcom)
            yield Static(help_text, id="app-password-help", classes="hint", markup=False)
            if note := provider.app_password_note:  # the provider file offers OAuth2 too
                yield Static(note, id="provider-password-note", classes="hint", markup=False)
            yield from self._field(
                "password", "Password", account.password, "", Problem(_password_problem)
            )
            with Horizontal(classes="choice-line setup-only", id="protocol-line"):
                yield Label("Incoming mail", classes="choice-label")
                yield protocol_choice(provider, account.incoming)
            hint = protocol_hint(provider)  # it may name the provider: its words, not markup
            yield Static(hint, id="protocol-hint", classes="hint setup-only", markup=False)
            with Horizontal(id="account-options"):
                yield RememberBox(previous.remember, allowed=self.keyring_allowed, id="remember")
                yield Checkbox(
                    "Also send myself a test message", previous.round_trip, id="round-trip"
                )
            yield Static("", id="remember-note", classes="hint", markup=False)
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back", compact=True)
            yield Button("Check", id="next", variant="primary", compact=True)
        yield Footer()

    def _field(
        self, name: str, label: str, value: str, placeholder: str, problem: Problem | None = None
    ) -> ComposeResult:
        password = name == "password"
        setup_only = " setup-only" if name == "name" else ""
        with Horizontal(classes=f"field-row{setup_only}", id=f"{name}-row"):
            yield Label(label, classes="field-label", id=f"{name}-label")
            field = FormInput(
                value,
                placeholder,
                password=password,
                validators=[problem] if problem else None,
                validate_on=(),
                compact=True,
                id=name,
            )
            self.fields[name] = field
            yield field
            if password:
                yield Button("Show", id="toggle-password", compact=True)
        # Notes quote what was typed (an address, a provider's name): words, never markup.
        yield Static("", id=f"{name}-status", classes=f"field-status{setup_only}", markup=False)

    def on_mount(self) -> None:
        self.query_one("#toggle-password").can_focus = False  # Ctrl+T, or a click
        self.two_factor = self.query_one("#app-password", Checkbox).value
        self._show_address_check(self.fields["email"].value, quiet_when_empty=True)
        if self.password_note:
            self._note("#password-status", self.password_note, "-warning")
            self.fields["password"].focus()  # selects what is there: typing replaces it
            return
        names = _BURST_FIELDS[1:] if self.has_class("-repair") else _BURST_FIELDS
        fields = [self.fields[name] for name in names]
        email, password = fields[-2:]
        empty = [field for field in fields if not field.value]
        first = password if email.value and not password.value else next(iter(empty), None)
        (first or self.query_one("#next")).focus()

    def _note(self, selector: str, text: str, state: str = "") -> None:
        """Show ``text`` under a field (hidden when empty: no empty lines)."""
        status = self.query_one(selector, Static)
        status.update(text)
        status.remove_class("-ok", "-error", "-warning").set_class(bool(text), "-shown")
        if state:
            status.add_class(state)

    @on(RememberBox.Answered)
    def _keyring_answered(self, event: RememberBox.Answered) -> None:
        self._note("#remember-note", event.note)
        self._look_up(self.fields["email"].value)

    def _look_up(self, address: str) -> None:
        verdict = check_address(address, self.provider)
        if verdict.ok:
            self.query_one(RememberBox).look_up(verdict.address, self.provider)

    @on(RememberBox.Found)
    def _prefill_password(self, event: RememberBox.Found) -> None:
        """Fill a remembered password only into an empty field."""
        field = self.fields["password"]
        if field.value:
            return
        if event.password:
            field.value = event.password
            self._filled_from_keyring = True
            self.query_one(RememberBox).value = True
        self._note("#password-status", event.note, "-ok" if event.password else "-warning")

    @on(Input.Changed, "#email")
    def _email_changed(self, event: Input.Changed) -> None:
        self._show_address_check(event.value, quiet_when_empty=True)
        self._look_up(event.value)

    @on(Input.Changed, "#password")
    def _password_changed(self, event: Input.Changed) -> None:
        # The first change after a keyring prefill is the prefill itself: keep its note.
        if self._filled_from_keyring:
            self._filled_from_keyring = False
        elif event.value and not self.password_note:
            self._note("#password-status", "")

    def _show_address_check(self, text: str, *, quiet_when_empty: bool = False) -> bool:
        """Say what is wrong with the address, if anything; True if usable."""
        self.suggestion = None
        verdict = check_address(text, self.provider)
        if quiet_when_empty and not text.strip():
            self._note("#email-status", "")
        elif verdict.error:
            self._note("#email-status", verdict.error, "-error")
        elif verdict.suggestion:
            self.suggestion = verdict.suggestion
            self._note("#email-status", f"{verdict.warning} Press Ctrl+Y to use it.", "-warning")
        else:
            self._note("#email-status", verdict.warning or "", "-warning")
        return verdict.ok and bool(text.strip())

    def action_use_suggestion(self) -> None:
        if self.suggestion:
            self.fields["email"].value = self.suggestion

    @on(Checkbox.Changed, "#app-password")
    def _app_password_changed(self, event: Checkbox.Changed) -> None:
        self.two_factor = event.value

    def watch_two_factor(self, on: bool) -> None:
        self.query_one("#password-label", Label).update("App password" if on else "Password")
        self.fields["password"].placeholder = (
            "the app-specific password (not your usual one)"
            if on
            else f"your {self.provider.display_name} password"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.suggestion is not None if action == "use_suggestion" else True

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "password":
            self.action_next()
        elif event.input.id == "email":
            self.fields["password"].focus()
        else:
            self.focus_next()

    @on(ChoiceRow.Submitted, "#plan")
    def _plan_chosen(self) -> None:
        self.fields["password"].focus()

    @on(ChoiceRow.Submitted, "#protocol")
    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Validate and go on; a problem shows next to its field, which gets focus."""
        email = self.fields["email"]
        if not self._show_address_check(email.value):
            email.focus()
            return
        for name in ("password", "name"):
            field = self.fields[name]
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                self._note(f"#{name}-status", result.failure_descriptions[0], "-error")
                field.focus()
                return
        self.dismiss(self._form(back=False))

    @on(Button.Pressed, "#toggle-password")
    def action_toggle_password(self) -> None:
        field = self.fields["password"]
        field.password = not field.password
        self.query_one("#toggle-password", Button).label = "Show" if field.password else "Hide"

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(self._form(back=True))

    @on(FormInput.FieldsPasted)
    def _fields_pasted(self, event: FormInput.FieldsPasted) -> None:
        """Spread a paste holding tabs over the fields; a final newline means Check."""
        fields = [self.fields[name] for name in _BURST_FIELDS]
        parts = event.burst.parts
        focused = fields.index(event.form_input) if event.form_input in fields else 0
        places = plan_fields(parts, focused, len(fields), self._fits)
        if places is None:
            self._note("#password-status", BURST_DID_NOT_FIT, "-error")
            return
        for place, part in zip(places, parts, strict=True):
            if part:
                fields[place].value = part
        if event.burst.submit:
            self.action_next()
        else:
            self.set_focus(fields[places[-1]])

    def _fits(self, field: int, text: str) -> bool:
        """Can ``text`` be meant for field ``field`` (name, address, password)? An address
        only for the address (in the name field it is the login, typed one field early)."""
        kind = _BURST_FIELDS[field]
        return kind == "password" or (kind == "email") == check_address(text, self.provider).ok

    def focus_next(self, selector: str | type[Widget] = "*") -> Widget | None:
        """Tab (or Enter) from a name field holding an address: it is the login (a password
        manager's ``{USERNAME}{TAB}{PASSWORD}``); it moves to its field, the password is next."""
        name = self.fields["name"]
        if self.focused is name and check_address(name.value, self.provider).ok:
            self.fields["email"].value = name.value.strip()
            name.value = ""
            password = self.fields["password"]
            self.set_focus(password)
            return password
        return super().focus_next(selector)

    def _form(self, *, back: bool) -> AccountForm:
        value = self.fields["email"].value
        verdict = check_address(value, self.provider)
        plan = None
        if question := self.plan_question:
            plan = question.answers[self.query_one("#plan", ChoiceRow).pressed_index][0]
        account = Account(
            email=verdict.address if verdict.ok else value,
            password=self.fields["password"].value,
            name=self.fields["name"].value.strip(),
            app_password=self.query_one("#app-password", Checkbox).value,
            incoming=chosen_protocol(self.query_one("#protocol", ChoiceRow)),
            plan=plan,
        )
        remember = self.query_one("#remember", Checkbox)
        return AccountForm(
            account=account,
            remember=remember.value and not remember.disabled,
            back=back,
            round_trip=self.query_one("#round-trip", Checkbox).value,
        )
