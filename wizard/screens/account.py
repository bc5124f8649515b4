"""Step 1: the account: name, address, two-factor question, password, IMAP or POP.

Enter moves from field to field and from the password goes on to the check. The
two-factor question comes before the password, so a two-factor user types the
app-specific password the first time; IMAP is preselected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Header,
    Input,
    Label,
    RadioSet,
    Static,
)
from textual.worker import get_current_worker

from wizard.core import access, facts, secrets
from wizard.core.accounts import check_address, name_problem, password_problem
from wizard.core.models import Account, IncomingChoice
from wizard.core.provider import Provider
from wizard.widgets.form_input import FormInput, plan_fields
from wizard.widgets.protocol_choice import protocol_choice, protocol_hint

TWO_FACTOR_LABEL = f"{facts.mailcom.TWO_FACTOR.capitalized} is on for this account"
DEMO_KEYRING_NOTE = "The demo never writes to the keyring."
BURST_DID_NOT_FIT = (
    "The pasted text holds several fields that do not fit these boxes, so nothing was "
    "filled in. Paste or type one field at a time."
)
#: The fields a paste of several fields fills, in order (their ids).
_BURST_FIELDS = ("name", "email", "password")


def app_password_help(provider: Provider) -> Content:
    """Where the app-specific password comes from, in the provider's own words."""
    return Content(access.app_password_help(provider.display_name, provider.is_mailcom))


@dataclass(frozen=True)
class AccountForm:
    """What the account screen collected; ``back`` is True when the user went back.

    The app keeps the last form and hands it back to the screen, so nothing typed is lost.
    """

    account: Account
    remember: bool = False
    back: bool = False
    #: Also send a test message to oneself and wait until it arrives.
    round_trip: bool = False


class AccountScreen(Screen[AccountForm]):
    """Collects the account; dismisses with an AccountForm (``back`` set for Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+t", "toggle_password", "Show/hide password"),
        Binding("ctrl+y", "use_suggestion", "Use the suggested address"),
        Binding("ctrl+n", "next", "Check"),
    ]

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
        """``previous`` refills the fields; ``password_note`` says why to look at the password.

        ``keyring_allowed`` is False in the demo; ``repair`` titles it for the repair path.
        """
        super().__init__()
        self.provider = provider
        self.previous = previous
        self.filled_email = filled_email
        self.keyring_allowed = keyring_allowed
        self.password_note = password_note
        self.repair = repair
        self.suggestion: str | None = None
        self._filled_from_keyring = False

    def compose(self) -> ComposeResult:
        """The form, one labelled field per line, then Back / Check."""
        previous = self.previous
        account = previous.account if previous else None
        app_password = account.app_password if account else False
        yield Header()
        with VerticalScroll(id="account-form", classes="step-body"):
            with Horizontal(classes="field-row"):
                yield Label("Your name", classes="field-label")
                yield FormInput(
                    value=account.name if account else "",
                    placeholder="shown to people you write to, e.g. Alex Example",
                    id="name",
                )
            with Horizontal(classes="field-row"):
                yield Label("Email address", classes="field-label")
                yield FormInput(
                    value=account.email if account else self.filled_email,
                    placeholder="name@mail.com",
                    id="email",
                )
            yield Static("", id="email-status", classes="field-status")
            yield Checkbox(TWO_FACTOR_LABEL, value=app_password, id="app-password")
            yield Static(app_password_help(self.provider), id="app-password-help", classes="hint")
            if note := self.provider.app_password_note:  # the provider file offers OAuth2 too
                yield Static(note, id="provider-password-note", classes="hint", markup=False)
            with Horizontal(classes="field-row", id="password-row"):
                yield Label("Password", classes="field-label", id="password-label")
                yield FormInput(
                    value=account.password if account else "", password=True, id="password"
                )
                yield Button("Show", id="toggle-password", compact=True)
            yield Static("", id="password-status", classes="field-status")
            with Horizontal(classes="field-row", id="protocol-row"):
                yield Label("Incoming mail", classes="field-label")
                yield protocol_choice(self.provider, account.incoming if account else None)
            yield Static(protocol_hint(self.provider), id="protocol-hint", classes="hint")
            yield Checkbox(
                "Remember the password in the system keyring",
                value=previous.remember if previous else False,
                id="remember",
            )
            yield Static("", id="remember-note", classes="hint")
            yield Checkbox(
                "Also send myself a test message and wait until it arrives",
                value=previous.round_trip if previous else False,
                id="round-trip",
            )
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Check", id="next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Show the state of the address and the keyring; focus where typing is needed."""
        self.sub_title = (
            "Repair: the account and its current password"
            if self.repair
            else "Step 1 of 3: your account"
        )
        self._show_two_factor(self.query_one("#app-password", Checkbox).value)
        self._show_address_check(self.query_one("#email", Input).value, quiet_when_empty=True)
        remember = self.query_one("#remember", Checkbox)
        remember.disabled = True  # until the keyring answers
        self.query_one("#remember-note").display = False
        if self.keyring_allowed:
            self.probe_keyring()
        else:
            remember.value = False
            self._note("#remember-note", DEMO_KEYRING_NOTE)
        password = self.query_one("#password", Input)
        if self.password_note:
            self._note("#password-status", self.password_note, "-warning")
            password.focus()  # selects what is there: typing replaces it at once
            return
        self._focus_first_needed()

    def _focus_first_needed(self) -> None:
        """The first field that needs typing: with the address known, the password."""
        email = self.query_one("#email", Input)
        password = self.query_one("#password", Input)
        if email.value and not password.value:
            password.focus()
            return
        for field_id in ("#name", "#email", "#password"):
            field = self.query_one(field_id, Input)
            if not field.value:
                field.focus()
                return
        self.query_one("#next", Button).focus()

    def _note(self, selector: str, text: str, state: str = "") -> None:
        """Show ``text`` under a field (hidden again when empty: no empty lines)."""
        status = self.query_one(selector, Static)
        status.update(text)
        status.display = bool(text)
        classes = status.classes - {"-ok", "-error", "-warning"}
        status.set_classes(" ".join([*classes, state]) if state else " ".join(classes))

    # -- keyring ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="keyring-probe")
    def probe_keyring(self) -> None:
        """Ask whether a keyring exists (a D-Bus round trip on Linux, so off the UI)."""
        available = secrets.keyring_available()
        reason = "" if available else secrets.keyring_unavailable_reason()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._keyring_state, available, reason)
            if available:
                email = self.query_one("#email", Input).value
                self.app.call_from_thread(self.lookup_password, email)

    def _keyring_state(self, available: bool, reason: str) -> None:
        remember = self.query_one("#remember", Checkbox)
        remember.disabled = not available
        if not available:
            remember.value = False
        self._note("#remember-note", reason)

    @work(thread=True, exclusive=True, group="keyring-lookup")
    def lookup_password(self, email: str) -> None:
        """Prefill a remembered password for ``email`` (only into an empty field)."""
        verdict = check_address(email, self.provider)
        if not verdict.ok:
            return
        password = secrets.recall_password(verdict.address, self.provider)
        if password and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._prefill_password, password)

    def _prefill_password(self, password: str) -> None:
        field = self.query_one("#password", Input)
        if field.value:
            return
        field.value = password
        self._filled_from_keyring = True
        self.query_one("#remember", Checkbox).value = True
        self._note("#password-status", "Filled in from your system keyring.", "-ok")

    # -- the fields --------------------------------------------------------------------

    @on(Input.Changed, "#email")
    def _email_changed(self, event: Input.Changed) -> None:
        self._show_address_check(event.value, quiet_when_empty=True)
        remember = self.query_one("#remember", Checkbox)
        if self.keyring_allowed and not remember.disabled:
            self.lookup_password(event.value)

    @on(Input.Changed, "#password")
    def _password_changed(self, event: Input.Changed) -> None:
        # The first change after a keyring prefill is the prefill itself: keep its note.
        if self._filled_from_keyring:
            self._filled_from_keyring = False
        elif event.value and not self.password_note:
            self._note("#password-status", "")

    def _show_address_check(self, text: str, *, quiet_when_empty: bool = False) -> bool:
        """Show what is wrong with the address (nothing when it is fine); True if usable."""
        self.suggestion = None
        if quiet_when_empty and not text.strip():
            self._note("#email-status", "")
            self.refresh_bindings()
            return False
        verdict = check_address(text, self.provider)
        if verdict.error:
            self._note("#email-status", verdict.error, "-error")
        elif verdict.suggestion:
            self.suggestion = verdict.suggestion
            self._note("#email-status", f"{verdict.warning} Press Ctrl+Y to use it.", "-warning")
        elif verdict.warning:
            self._note("#email-status", verdict.warning, "-warning")
        else:
            self._note("#email-status", "")
        self.refresh_bindings()
        return verdict.ok

    def action_use_suggestion(self) -> None:
        """Ctrl+Y: take the suggested address (``name@mail.com`` for ``name@mail.co``)."""
        if self.suggestion:
            self.query_one("#email", Input).value = self.suggestion

    @on(Checkbox.Changed, "#app-password")
    def _app_password_changed(self, event: Checkbox.Changed) -> None:
        self._show_two_factor(event.value)

    def _show_two_factor(self, on: bool) -> None:
        """The help and the password's label and hint follow the two-factor answer."""
        self.query_one("#app-password-help").display = on
        self.query_one("#password-label", Label).update("App password" if on else "Password")
        name = "mail.com" if self.provider.is_mailcom else self.provider.display_name
        self.query_one("#password", Input).placeholder = (
            "the app-specific password (not your usual one)" if on else f"your {name} password"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Ctrl+Y only while an address is suggested."""
        if action == "use_suggestion":
            return self.suggestion is not None
        return True

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field, and from the password goes on to the check."""
        if event.input.id == "password":
            self.action_next()
        elif event.input.id == "email":
            self.query_one("#password", Input).focus()
        else:
            self.focus_next()

    @on(Button.Pressed, "#toggle-password")
    def action_toggle_password(self) -> None:
        """Show or hide the password."""
        field = self.query_one("#password", Input)
        field.password = not field.password
        self.query_one("#toggle-password", Button).label = "Show" if field.password else "Hide"

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the welcome screen, keeping what was typed."""
        self.dismiss(self._form(back=True))

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Validate and go on; a problem is shown next to its field, which gets focus."""
        email = self.query_one("#email", Input)
        if not self._show_address_check(email.value):
            email.focus()
            return
        password = self.query_one("#password", Input)
        problem = (
            "Enter the password (or the app-specific password)."
            if not password.value
            else password_problem(password.value)
        )
        if problem:
            self._note("#password-status", problem, "-error")
            password.focus()
            return
        name = self.query_one("#name", Input)
        problem = name_problem(name.value)
        if problem:
            self.notify(problem, title="Your name", severity="error")
            name.focus()
            return
        self.dismiss(self._form(back=False))

    # -- several fields at once (a paste, a password manager's auto-type) --------------

    @on(FormInput.FieldsPasted)
    def _fields_pasted(self, event: FormInput.FieldsPasted) -> None:
        """Spread a paste holding tabs over the fields; a final newline means Next."""
        fields = [self.query_one(f"#{name}", Input) for name in _BURST_FIELDS]
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
        """Can ``text`` be meant for field ``field`` of name, address, password?"""
        is_address = check_address(text, self.provider).ok
        if _BURST_FIELDS[field] == "name":
            return not is_address  # an address here is the login, typed one field early
        if _BURST_FIELDS[field] == "email":
            return is_address
        return True

    def focus_next(self, selector: str | type[Widget] = "*") -> Widget | None:
        """Tab (or Enter) from the name field holding an address: it is the login.

        Password managers type ``{USERNAME}{TAB}{PASSWORD}``; started in the name field,
        that would put the password, readable, in the address field. So the address moves
        to its field and the password field is next.
        """
        name = self.query_one("#name", Input)
        if self.focused is name and check_address(name.value, self.provider).ok:
            self.query_one("#email", Input).value = name.value.strip()
            name.value = ""
            password = self.query_one("#password", Input)
            self.set_focus(password)
            return password
        return super().focus_next(selector)

    def _form(self, *, back: bool) -> AccountForm:
        verdict = check_address(self.query_one("#email", Input).value, self.provider)
        email = verdict.address if verdict.ok else self.query_one("#email", Input).value
        pressed = self.query_one("#protocol", RadioSet).pressed_button
        incoming = IncomingChoice.POP if pressed is not None and pressed.id == "pop" else None
        if incoming is None:
            supported = [c for c in IncomingChoice if self.provider.supports(c)]
            incoming = IncomingChoice.IMAP if pressed is not None or not supported else supported[0]
        account = Account(
            email=email,
            password=self.query_one("#password", Input).value,
            name=self.query_one("#name", Input).value.strip(),
            app_password=self.query_one("#app-password", Checkbox).value,
            incoming=incoming,
        )
        remember = self.query_one("#remember", Checkbox)
        return AccountForm(
            account=account,
            remember=remember.value and not remember.disabled,
            back=back,
            round_trip=self.query_one("#round-trip", Checkbox).value,
        )
