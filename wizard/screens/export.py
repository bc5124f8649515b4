"""Step 3 of 3, as a file: write a configuration profile, then offer to send it to the iPhone."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static

from wizard.core.errors import ProfileWriteError, SigningError, WizardError, WriteProblem
from wizard.core.export import (
    ExportedProfile,
    default_profile_path,
    export_profile,
    load_signer,
)
from wizard.core.facts import profiles
from wizard.core.files import check_output_path
from wizard.core.instructions import install_password_hint
from wizard.core.instructions.ios import profile_place
from wizard.core.models import MailSettings
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.step import Step


def password_warning(settings: MailSettings) -> Content:
    """Shown when the password is to go into the profile."""
    return Content.from_markup(
        "[b]Careful:[/b] anyone who gets this file can read the password in it. The file is "
        "made readable by you only; delete it once the iPhone is set up. Without the password "
        "in it, $prompt: type $password.",
        prompt=profiles.PASSWORD_PROMPT.text,
        password=install_password_hint(settings),
    )


def next_steps() -> Content:
    return Content.from_markup(
        "[b]What next:[/b] choose [b]Send to iPhone[/b] for a QR code the iPhone's camera can "
        "open, or get the file to the phone another way (AirDrop, or mail it to an account the "
        "phone already has) and open it there; then open Settings and $place, and tap Install.",
        place=profile_place()[0],
    )


class ExportScreen(Step[ExportedProfile | None]):
    """Writes the profile in a worker; dismisses with it for "Send to iPhone", None for Back."""

    SUB_TITLE = "Step 3 of 3: save a configuration profile"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+w", "write", "Write profile"),
        Binding("ctrl+s", "send", "Send to iPhone"),
    ]

    AUTO_FOCUS = "#write"

    def __init__(self, settings: MailSettings, password: str, *, home: Path | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._password = password
        self.home = home or Path.home()
        self.exported: ExportedProfile | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="export-form", classes="step-body"):
            if self.settings.caveat:
                yield Static(self.settings.caveat.export_screen, classes="unverified")
            elif not self.settings.verified:
                yield Static(
                    "! These settings are [b]unverified[/b]; the profile says so in its "
                    "description.",
                    classes="unverified",
                )
            yield Label("Save the profile as", classes="field-label")
            yield Input(str(default_profile_path(self.home, self.settings)), id="output-path")
            yield Checkbox(
                "Put the password in the profile (not recommended)", id="include-password"
            )
            yield Static(password_warning(self.settings), id="password-warning", classes="warning")
            yield Checkbox("Sign the profile with my certificate (optional)", id="sign")
            with Vertical(id="signing-fields"):
                yield Label("Certificate (PEM)", classes="field-label")
                yield Input(placeholder="/path/to/certificate.pem", id="sign-cert")
                yield Label("Private key (PEM)", classes="field-label")
                yield Input(placeholder="/path/to/key.pem", id="sign-key")
                yield Static("", id="sign-status", classes="field-status -error", markup=False)
            yield Static("", id="export-status", classes="field-status", markup=False)
            yield Static(next_steps(), id="export-next")
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
            yield Button("Write profile", id="write", variant="primary")
            yield Button("Send to iPhone", id="send", variant="success")
        yield Footer()

    def on_mount(self) -> None:
        """Only the path and the switches show at first."""
        hidden = "#password-warning, #signing-fields, #export-next, #sign-status, #send"
        self.query(hidden).set(display=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Send to iPhone is offered (and shown in the footer) once a profile is written."""
        return self.exported is not None if action == "send" else True

    @on(Checkbox.Changed, "#include-password")
    def _password_switched(self, event: Checkbox.Changed) -> None:
        self.query_one("#password-warning").display = event.value

    @on(Checkbox.Changed, "#sign")
    def _sign_switched(self, event: Checkbox.Changed) -> None:
        self.query_one("#signing-fields").display = event.value

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_write()

    @on(Button.Pressed, "#write")
    def action_write(self) -> None:
        """Check the fields, then the path (asking before replacing a file), then write."""
        self.query_one("#export-next").display = False  # said again once written
        self.query_one("#sign-status").display = False
        self._status("")
        signing = self.query_one("#sign", Checkbox).value
        empty = [field for field in self._signing_files() if signing and not field.value.strip()]
        if empty:
            self._sign_error("To sign, give both the certificate and its private key.")
            empty[0].focus(scroll_visible=False)
            return
        path = Path(self.query_one("#output-path", Input).value.strip()).expanduser()
        if not str(path) or str(path) == ".":
            self._status("Type where to save the profile.", "-error")
            return
        try:
            check_output_path(path, force=False)
        except ProfileWriteError as exc:
            if exc.problem is not WriteProblem.EXISTS:
                self._status(str(exc), "-error")
                return
            question = ConfirmScreen(
                "Replace the file?",
                Content(f"{path} already exists."),
                yes="Replace it",
                no="Keep it",
            )
            self.app.push_screen(
                question, lambda yes: self._start_writing(path, force=True) if yes else None
            )
            return
        self._start_writing(path, force=False)

    def _start_writing(self, path: Path, *, force: bool) -> None:
        include_password = self.query_one("#include-password", Checkbox).value
        signing = self.query_one("#sign", Checkbox).value
        cert, key = (field.value.strip() if signing else "" for field in self._signing_files())
        self._status("Writing…")
        self.query_one("#write", Button).disabled = True
        self.write_worker(path, force, include_password, cert, key)

    @work(thread=True, exclusive=True, group="export")
    def write_worker(
        self, path: Path, force: bool, include_password: bool, cert: str, key: str
    ) -> None:
        """Build, sign if asked, and write the profile (the core path the CLI takes)."""
        try:
            exported = export_profile(
                self.settings,
                path,
                password=self._password if include_password else None,
                signer=load_signer(cert, key) if cert else None,
                force=force,
            )
        except WizardError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._written, exported)

    def _failed(self, error: WizardError) -> None:
        self.query_one("#write", Button).disabled = False
        if isinstance(error, SigningError):
            self._status("")
            self._sign_error(str(error))
        else:
            self._status(str(error), "-error")
            self._show_at_top(self.query_one("#export-status"))

    def _sign_error(self, message: str) -> None:
        """Under the signing files, with them at the top of the view."""
        status = self.query_one("#sign-status", Static)
        status.update(message)
        status.display = True
        self._show_at_top(self.query_one("#sign"))

    def _show_at_top(self, widget: Widget) -> None:
        """Scroll ``widget`` to the top of the form (once laid out: a new height)."""
        form = self.query_one("#export-form", VerticalScroll)
        self.call_after_refresh(form.scroll_to_widget, widget, top=True, animate=False)

    def _written(self, exported: ExportedProfile) -> None:
        self.exported = exported
        self.query_one("#write", Button).disabled = False
        extra = ""
        if exported.contains_password and exported.owner_only:
            extra = " It contains the password and is readable by you only."
        elif exported.contains_password:
            extra = (
                " It contains the password, and this computer could not make it readable "
                "by you only: anyone who can open this folder can read it. Delete it as soon "
                "as the iPhone has it."
            )
        signed = " Signed." if exported.signed else ""
        self._status(f"✓ Written: {exported.path}.{signed}{extra}", "-ok")
        self.query_one("#export-next").display = True
        send = self.query_one("#send", Button)
        send.display = True
        send.focus()
        self.refresh_bindings()
        self.query_one("#export-form", VerticalScroll).scroll_end(animate=False)

    def _signing_files(self) -> tuple[Input, Input]:
        return self.query_one("#sign-cert", Input), self.query_one("#sign-key", Input)

    def _status(self, message: str, state: str = "") -> None:
        """``state``: ``-error``, ``-ok`` or nothing."""
        status = self.query_one("#export-status", Static)
        status.set_classes(f"field-status {state}")
        status.update(message)

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        if self.exported is not None:
            self.dismiss(self.exported)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
