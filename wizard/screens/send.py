"""Step 3: the QR code: the profile offered once at a secret link on this network.

By phase: before the download, the phone's steps up to Allow; after it, the Install steps
and Finish; when the link expired or broke off, a new link in one key. When no profile was
written yet ("Send to iPhone" right after the check), the screen writes one first: no
password, unsigned, readable by the user only, at the usual path.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.core.errors import ServeError, WizardError
from wizard.core.export import ExportedProfile, quick_export
from wizard.core.facts import profiles
from wizard.core.handoff.addresses import is_loopback
from wizard.core.handoff.offer import start_offer_async
from wizard.core.handoff.profile_file import ProfileFile, load_profile_file
from wizard.core.handoff.qr import qr_text
from wizard.core.handoff.server import (
    DEFAULT_MINUTES,
    EventKind,
    ProfileServer,
    ServeEvent,
    StopReason,
)
from wizard.core.handoff.steps import (
    OTHER_WAYS,
    PLAIN_HTTP_WARNING,
    download_steps,
    install_steps,
)
from wizard.core.models import MailSettings
from wizard.screens.confirm import ConfirmScreen

EVENT_TEXT = {
    EventKind.DOWNLOAD_STARTED: "The phone is downloading the profile…",
    EventKind.DOWNLOAD_FAILED: (
        "A download broke off before the whole profile was sent; the link still works, try again."
    ),
    EventKind.NOT_FOUND: "Something asked for a wrong link (ignored).",
}

NOT_SENT = "Not sent. Go back and export the profile without the password."

#: What the demo's QR code holds: words, not a link, so a phone that scans it gets nothing
#: to install (a practice profile would set up the demo's address on the phone).
REHEARSAL_QR = "mailcom-wizard practice run: nothing to install"
REHEARSAL_STATUS = (
    "Practice run: nothing is offered to a phone. In a real run this QR code holds a "
    "one-time link to the profile on this network; here it only holds the words "
    f'"{REHEARSAL_QR}". The steps below are what the iPhone does with a real profile.'
)


def numbered(steps: tuple[str, ...], start: int = 1) -> str:
    """Steps as numbered lines."""
    return "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start))


class SendScreen(Screen[bool]):
    """Shows the QR code while a worker waits; leaving the screen stops the server.

    Dismisses True after Finish (the phone has the profile), False for Back.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back (stop sending)"),
        Binding("n", "new_link", "New link"),
    ]

    def __init__(
        self,
        exported: ExportedProfile | None = None,
        *,
        settings: MailSettings | None = None,
        home: Path | None = None,
        host: str | None = None,
        minutes: float = DEFAULT_MINUTES,
        autostart: bool = True,
    ) -> None:
        """Offer ``exported``, or write a profile of ``settings`` into ``home`` first.

        ``host`` overrides the detected local-network address (tests use loopback).
        """
        super().__init__()
        if exported is None and settings is None:
            raise ValueError("SendScreen needs a written profile or the settings for one")
        self.exported = exported
        self.settings = settings
        self.home = home
        self.host = host
        self.minutes = minutes
        self.autostart = autostart
        self.server: ProfileServer | None = None
        self.url: str | None = None
        self.stopped: StopReason | None = None
        #: The profile being offered, once read (its Install steps follow the download).
        self.profile: ProfileFile | None = None
        self._password_allowed = False

    def compose(self) -> ComposeResult:
        """QR code on the left; what is happening, the link and the phone steps beside it."""
        yield Header()
        with Horizontal(id="send-body"):
            yield Static("", id="qr-code")
            with VerticalScroll(id="send-text"):
                yield Static("Preparing the link…", id="send-status", markup=False)
                yield Static("", id="send-url", markup=False)
                yield Static("", id="send-steps", markup=False)
                yield Static("", id="send-other-ways", classes="hint", markup=False)
        with Horizontal(classes="button-row"):
            yield Button("New link", id="new-link", variant="primary")
            yield Button("Finish", id="finish", variant="success")
            yield Button("Back", id="back")
        yield Footer()

    def on_mount(self) -> None:
        """Write the profile if there is none yet, then offer it (asking about a password)."""
        self.sub_title = "Step 3 of 3: send the profile to the iPhone"
        self.query_one("#qr-code").display = False
        self.query_one("#new-link").display = False
        self.query_one("#finish").display = False
        if not self.autostart:
            return
        if self.exported is None:
            self.write_profile()
        else:
            self._offer_written()

    @work(thread=True, exclusive=True, group="serve")
    def write_profile(self) -> None:
        """The profile for the QR code (a practice run writes it in a temporary folder)."""
        assert self.settings is not None
        folder = self.home or Path.home()
        if self.settings.practice:
            folder = Path(tempfile.mkdtemp(prefix="mailcom-wizard-practice-"))
        try:
            exported = quick_export(self.settings, folder)
        except WizardError as exc:
            self.app.call_from_thread(self._status, f"Cannot write the profile: {exc}")
            return
        self.app.call_from_thread(self._written, exported)

    def _written(self, exported: ExportedProfile) -> None:
        self.exported = exported
        self._offer_written()

    def _offer_written(self) -> None:
        exported = self.exported
        assert exported is not None
        if exported.practice:
            self.rehearse()
        elif exported.contains_password and not self._password_allowed:
            self.app.push_screen(
                ConfirmScreen(
                    "Send a profile that contains a password?",
                    PLAIN_HTTP_WARNING + " Go on only on a network you trust.",
                    yes="Send it anyway",
                    no="Don't send",
                ),
                self._confirmed,
            )
        else:
            self.serve(password_allowed=self._password_allowed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self._password_allowed = True
            self.serve(password_allowed=True)
        else:
            self._status(NOT_SENT)

    @work(exclusive=True, group="serve")
    async def serve(self, *, password_allowed: bool = False) -> None:
        """Start the one-time server, show its QR code, wait until it stops and say why.

        Reading the file, looking up this computer's address and binding run in a thread;
        the event loop only awaits them and the end of the offer.
        """
        assert self.exported is not None
        try:
            offer = await start_offer_async(
                self.exported.path,
                allow_password=lambda: password_allowed,
                host=self.host,
                minutes=self.minutes,
                on_event=self._event_from_server,
            )
        except ServeError as exc:
            self._status(f"Cannot offer the profile: {exc}")
            self._show_other_ways()
            return
        if offer is None:  # the file holds a password the user was not asked about
            self._status(NOT_SENT)
            return
        self.server = offer.server
        self.url = offer.url
        self.show_offer(offer.url, offer.profile, offer.host.address)
        self.show_stopped(await offer.server.wait_async())

    @work(thread=True, exclusive=True, group="serve")
    def rehearse(self) -> None:
        """The demo: the steps and a QR code of words, with no server and no link."""
        assert self.exported is not None
        try:
            profile = load_profile_file(self.exported.path)
        except ServeError as exc:
            self.app.call_from_thread(self._status, f"Cannot read the profile: {exc}")
            return
        self.app.call_from_thread(self.show_rehearsal, profile)

    def show_rehearsal(self, profile: ProfileFile) -> None:
        """What the demo shows instead of an offer."""
        self._show_qr(REHEARSAL_QR)
        self.query_one("#send-url", Static).update("Link: none in a practice run.")
        self._steps(download_steps() + install_steps(profile))
        self._status(REHEARSAL_STATUS)
        self.add_class("-rehearsal")

    def show_offer(self, url: str, profile: ProfileFile, host: str) -> None:
        """Before the download: the QR code, the link and the steps up to Allow."""
        self.stopped = None
        self.profile = profile
        self._show_qr(url)
        self.query_one("#send-url", Static).update(f"Link: {url}")
        self._steps(download_steps())
        self._show_other_ways()
        note = (
            " (This is a loopback address: only this computer can open it.)"
            if is_loopback(host)
            else ""
        )
        self._status(
            f"Waiting for the iPhone (up to {self.minutes:g} minutes). "
            f"Scan the code with the Camera app.{note}"
        )
        self._buttons("back")
        self.set_class(False, "-downloaded", "-timed-out", "-unconfirmed")

    def show_stopped(self, reason: StopReason) -> None:
        """Why the offer ended; after a download the Install steps and Finish."""
        self.stopped = reason
        if reason is StopReason.CANCELLED:
            return
        self.query_one("#qr-code").display = False
        self.query_one("#send-url", Static).update("")
        if reason is StopReason.DOWNLOADED:
            self._status(
                "✓ The iPhone downloaded the profile. Now install it on the iPhone; the link "
                "no longer works."
            )
            self._install_steps()
            self._buttons("finish", "back")
        elif reason is StopReason.UNCONFIRMED:
            self._status(
                "The whole profile left this computer, but the phone did not confirm "
                "receiving all of it, and the link no longer works. If the iPhone shows "
                f"{profiles.PROFILE_DOWNLOADED.text} in Settings, install it; if not, press N "
                "for a new link."
            )
            self._install_steps()
            self._buttons("new-link", "finish", "back")
        else:
            self._status(
                "The link expired before the iPhone downloaded the profile. Press N (New "
                "link) for a new one."
            )
            self._buttons("new-link", "back")
        self.set_class(reason is StopReason.DOWNLOADED, "-downloaded")
        self.set_class(reason is StopReason.TIMED_OUT, "-timed-out")
        self.set_class(reason is StopReason.UNCONFIRMED, "-unconfirmed")

    def _install_steps(self) -> None:
        """The steps after the download, for the profile that was offered."""
        if self.profile is not None:
            self._steps(install_steps(self.profile), len(download_steps()) + 1)

    def _show_qr(self, text: str) -> None:
        qr = self.query_one("#qr-code", Static)
        qr.update(qr_text(text))
        qr.display = True

    def _steps(self, steps: tuple[str, ...], start: int = 1) -> None:
        self.query_one("#send-steps", Static).update(numbered(steps, start))

    def _show_other_ways(self) -> None:
        where = f" The file: {self.exported.path}" if self.exported is not None else ""
        self.query_one("#send-other-ways", Static).update(OTHER_WAYS + where)

    def _buttons(self, *shown: str) -> None:
        for button in self.query(".button-row Button").results(Button):
            button.display = button.id in shown
        self.query_one(f"#{shown[0]}", Button).focus()
        self.refresh_bindings()

    def _event_from_server(self, event: ServeEvent) -> None:
        """Called from a server thread."""
        text = EVENT_TEXT.get(event.kind)
        if text:
            self.app.call_from_thread(self.notify, text)

    def _status(self, text: str) -> None:
        self.query_one("#send-status", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """N only once the link has expired or ended unconfirmed."""
        if action == "new_link":
            return self.stopped in (StopReason.TIMED_OUT, StopReason.UNCONFIRMED)
        return True

    def on_unmount(self) -> None:
        """Leaving the screen ends the offer."""
        if self.server is not None:
            self.server.stop()

    @on(Button.Pressed, "#new-link")
    def action_new_link(self) -> None:
        """A new one-time link for the same profile (the old one no longer works)."""
        if self.stopped in (StopReason.TIMED_OUT, StopReason.UNCONFIRMED):
            self._status("Preparing a new link…")
            self.serve(password_allowed=self._password_allowed)

    @on(Button.Pressed, "#finish")
    def action_finish(self) -> None:
        """The phone has the profile: the wizard is done."""
        self.dismiss(True)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Stop sending and go back."""
        if self.server is not None:
            self.server.stop()
        self.dismiss(False)
