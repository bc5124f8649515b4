"""Step 2: the account: sender name, address (checked as typed), password, keyring."""

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
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static
from textual.worker import get_current_worker

from wizard.core import facts, secrets
from wizard.core.accounts import check_address, name_problem, password_problem
from wizard.core.models import Account, IncomingChoice
from wizard.core.provider import Provider
from wizard.widgets.form_input import FormInput, plan_fields

APP_PASSWORD_HELP = (
    "With $two_factor on, mail apps need an [b]app-specific password[/b] instead of your "
    "usual one. Create it on mail.com: [b]$path[/b]; $once, so type it above right away."
)
# Another provider's menus are not known here: no mail.com path for them.
APP_PASSWORD_HELP_OTHER = (
    "With $two_factor on, $name may require an [b]app-specific password[/b] for mail apps; "
    "look for it in $name's security settings, then type it above."
)
TWO_FACTOR_LABEL = f"{facts.mailcom.TWO_FACTOR.capitalized} is on for this account"


def app_password_help(provider: Provider) -> Content:
    """Where the app-specific password comes from, in the provider's own words."""
    return Content.from_markup(
        APP_PASSWORD_HELP if provider.is_mailcom else APP_PASSWORD_HELP_OTHER,
        two_factor=facts.mailcom.TWO_FACTOR.text,
        path=facts.mailcom.APP_PASSWORD_PATH.text,
        once=facts.mailcom.APP_PASSWORD_ONCE.text,
        name=provider.display_name,
    )


DEMO_KEYRING_NOTE = "The demo never writes to the keyring."


@dataclass(frozen=True)
class AccountForm:
    """What the account screen collected; ``back`` is True when the user went back.

    The app keeps the last form and hands it back to the screen, so nothing typed is lost.
    """

    account: Account
    remember: bool = False
    back: bool = False


BURST_DID_NOT_FIT = (
    "The pasted text holds several fields that do not fit these boxes, so nothing was "
    "filled in. Paste or type one field at a time."
)
#: The fields a paste of several fields fills, in order (their ids).
_BURST_FIELDS = ("name", "email", "password")


class AccountScreen(Screen[AccountForm]):
    """Collects the account; dismisses with an AccountForm (``back`` set for Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+t", "toggle_password", "Show/hide password"),
        Binding("ctrl+n", "next", "Next"),
    ]

    def __init__(
        self,
        provider: Provider,
        *,
        previous: AccountForm | None = None,
        demo_email: str | None = None,
        keyring_allowed: bool = True,
    ) -> None:
        """``previous`` refills the fields; ``keyring_allowed`` is False in the demo."""
        super().__init__()
        self.provider = provider
        self.previous = previous
        self.demo_email = demo_email
        self.keyring_allowed = keyring_allowed
        self._filled_from_keyring = False

    def compose(self) -> ComposeResult:
        """The form, one labelled field per line, then Back / Next."""
        account = self.previous.account if self.previous else None
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
                    value=account.email if account else (self.demo_email or ""),
                    placeholder="name@mail.com",
                    id="email",
                )
            yield Static("", id="email-status", classes="field-status")
            with Horizontal(classes="field-row", id="password-row"):
                yield Label("Password", classes="field-label")
                yield FormInput(
                    value=account.password if account else "",
                    password=True,
                    placeholder=(
                        "your mail.com password"
                        if self.provider.is_mailcom
                        else f"your {self.provider.display_name} password"
                    ),
                    id="password",
                )
                yield Button("Show", id="toggle-password", compact=True)
            yield Static("", id="password-status", classes="field-status")
            yield Checkbox(
                TWO_FACTOR_LABEL,
                value=account.app_password if account else False,
                id="app-password",
            )
            yield Static(app_password_help(self.provider), id="app-password-help", classes="hint")
            yield Checkbox(
                "Remember the password in the system keyring",
                value=self.previous.remember if self.previous else False,
                id="remember",
            )
            yield Static("", id="remember-note", classes="hint")
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Next", id="next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Show the state of the address and the keyring; focus the first empty field."""
        self.sub_title = "Step 1 of 4: your account"
        self.query_one("#app-password-help").display = self.query_one(
            "#app-password", Checkbox
        ).value
        self._show_address_check(self.query_one("#email", Input).value, quiet_when_empty=True)
        remember = self.query_one("#remember", Checkbox)
        remember.disabled = True  # until the keyring answers
        if self.keyring_allowed:
            self.probe_keyring()
        else:
            remember.value = False
            self.query_one("#remember-note", Static).update(DEMO_KEYRING_NOTE)
        for field_id in ("#name", "#email", "#password"):
            field = self.query_one(field_id, Input)
            if not field.value:
                field.focus()
                break
        else:
            self.query_one("#next", Button).focus()

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
        self.query_one("#remember-note", Static).update(reason)

    @work(thread=True, exclusive=True, group="keyring-lookup")
    def lookup_password(self, email: str) -> None:
        """Prefill a remembered password for ``email`` (only into an empty field)."""
        verdict = check_address(email, self.provider)
        if not verdict.ok:
            return
        password = secrets.get_password(verdict.address)
        if password and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._prefill_password, password)

    def _prefill_password(self, password: str) -> None:
        field = self.query_one("#password", Input)
        if field.value:
            return
        field.value = password
        self._filled_from_keyring = True
        self.query_one("#remember", Checkbox).value = True
        status = self.query_one("#password-status", Static)
        status.set_classes("field-status -ok")
        status.update("Filled in from your system keyring.")

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
        elif event.value:
            self.query_one("#password-status", Static).update("")

    def _show_address_check(self, text: str, *, quiet_when_empty: bool = False) -> bool:
        """Show the verdict under the address; True when the address can be used."""
        status = self.query_one("#email-status", Static)
        if quiet_when_empty and not text.strip():
            status.update("")
            return False
        verdict = check_address(text, self.provider)
        if verdict.error:
            status.set_classes("field-status -error")
            status.update(verdict.error)
        elif verdict.warning:
            status.set_classes("field-status -warning")
            status.update(verdict.warning)
        else:
            status.set_classes("field-status -ok")
            status.update(f"✓ {verdict.confirmation or ''}")
        return verdict.ok

    @on(Checkbox.Changed, "#app-password")
    def _app_password_changed(self, event: Checkbox.Changed) -> None:
        help_text = self.query_one("#app-password-help")
        help_text.display = event.value
        if event.value:
            self.query_one("#account-form", VerticalScroll).scroll_to_widget(help_text)

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field, and from the password goes Next."""
        if event.input.id == "password":
            self.action_next()
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
            status = self.query_one("#password-status", Static)
            status.set_classes("field-status -error")
            status.update(problem)
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
            status = self.query_one("#password-status", Static)
            status.set_classes("field-status -error")
            status.update(BURST_DID_NOT_FIT)
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
        incoming = self.previous.account.incoming if self.previous else IncomingChoice.IMAP
        account = Account(
            email=email,
            password=self.query_one("#password", Input).value,
            name=self.query_one("#name", Input).value.strip(),
            app_password=self.query_one("#app-password", Checkbox).value,
            incoming=incoming,
        )
        remember = self.query_one("#remember", Checkbox)
        return AccountForm(
            account=account, remember=remember.value and not remember.disabled, back=back
        )
