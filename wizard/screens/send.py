"""After Export: offer the profile once at a secret link on this network, as a QR code."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.core.errors import ServeError
from wizard.core.export import ExportedProfile
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
from wizard.core.handoff.steps import PLAIN_HTTP_WARNING, phone_steps
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


class SendScreen(Screen[None]):
    """Shows the QR code while a worker waits; leaving the screen stops the server."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back (stop sending)")]

    def __init__(
        self,
        exported: ExportedProfile,
        *,
        host: str | None = None,
        minutes: float = DEFAULT_MINUTES,
        autostart: bool = True,
    ) -> None:
        """``host`` overrides the detected local-network address (tests use loopback)."""
        super().__init__()
        self.exported = exported
        self.host = host
        self.minutes = minutes
        self.autostart = autostart
        self.server: ProfileServer | None = None
        self.url: str | None = None

    def compose(self) -> ComposeResult:
        """QR code on the left, link and phone steps on the right."""
        yield Header()
        with Horizontal(id="send-body"):
            yield Static("", id="qr-code")
            with VerticalScroll(id="send-text"):
                yield Static("Preparing the link…", id="send-status", markup=False)
                yield Static("", id="send-url", markup=False)
                yield Static("", id="send-steps", markup=False)
        with Horizontal(classes="button-row"):
            yield Button("Back", id="back")
        yield Footer()

    def on_mount(self) -> None:
        """Ask first when the profile holds a password; then start serving."""
        self.sub_title = "Send the profile to the iPhone"
        self.query_one("#qr-code").display = False
        if not self.autostart:
            return
        if self.exported.practice:
            self.rehearse()
            return
        if self.exported.contains_password:
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
            self.serve()

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.serve(password_allowed=True)
        else:
            self._status(NOT_SENT)

    @work(exclusive=True, group="serve")
    async def serve(self, *, password_allowed: bool = False) -> None:
        """Start the one-time server, show its QR code, wait until it stops and say why.

        Reading the file, looking up this computer's address and binding run in a thread;
        the event loop only awaits them and the end of the offer.
        """
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
        try:
            profile = load_profile_file(self.exported.path)
        except ServeError as exc:
            self.app.call_from_thread(self._status, f"Cannot read the profile: {exc}")
            return
        self.app.call_from_thread(self.show_rehearsal, profile)

    def show_rehearsal(self, profile: ProfileFile) -> None:
        """What the demo shows instead of an offer."""
        qr = self.query_one("#qr-code", Static)
        qr.update(qr_text(REHEARSAL_QR))
        qr.display = True
        self.query_one("#send-url", Static).update("Link: none in a practice run.")
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(phone_steps(profile), 1))
        self.query_one("#send-steps", Static).update(steps)
        self._status(REHEARSAL_STATUS)
        self.add_class("-rehearsal")

    def show_offer(self, url: str, profile: ProfileFile, host: str) -> None:
        """The QR code, the link and the phone steps, while the server waits."""
        qr = self.query_one("#qr-code", Static)
        qr.update(qr_text(url))
        qr.display = True
        self.query_one("#send-url", Static).update(f"Link: {url}")
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(phone_steps(profile), 1))
        self.query_one("#send-steps", Static).update(steps)
        note = (
            " (This is a loopback address: only this computer can open it.)"
            if is_loopback(host)
            else ""
        )
        self._status(
            f"Waiting for the iPhone (up to {self.minutes:g} minutes). "
            f"Scan the code with the Camera app.{note}"
        )

    def show_stopped(self, reason: StopReason) -> None:
        """Why the offer ended: downloaded, unconfirmed or timed out (leaving says nothing)."""
        if reason is StopReason.DOWNLOADED:
            self._status(
                "✓ The iPhone downloaded the profile. Now open Settings > Profile Downloaded "
                "and tap Install. The link no longer works."
            )
        elif reason is StopReason.UNCONFIRMED:
            self._status(
                "The whole profile left this computer, but the phone did not confirm "
                "receiving all of it (the connection broke off or went silent at the end). "
                "The link no longer works, so no second copy can leave. If the iPhone shows "
                "no Profile Downloaded in Settings, go Back and choose Send to iPhone again "
                "for a new link."
            )
        elif reason is StopReason.TIMED_OUT:
            self._status(
                "The link expired before the iPhone downloaded the profile. "
                "Go Back and choose Send to iPhone again for a new link."
            )
        if reason is not StopReason.CANCELLED:
            self.query_one("#qr-code").display = False
            self.query_one("#send-url", Static).update("")
        self.set_class(reason is StopReason.DOWNLOADED, "-downloaded")
        self.set_class(reason is StopReason.TIMED_OUT, "-timed-out")
        self.set_class(reason is StopReason.UNCONFIRMED, "-unconfirmed")

    def _event_from_server(self, event: ServeEvent) -> None:
        """Called from a server thread."""
        text = EVENT_TEXT.get(event.kind)
        if text:
            self.app.call_from_thread(self.notify, text)

    def _status(self, text: str) -> None:
        self.query_one("#send-status", Static).update(text)

    def on_unmount(self) -> None:
        """Leaving the screen ends the offer."""
        if self.server is not None:
            self.server.stop()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Stop sending and go back."""
        if self.server is not None:
            self.server.stop()
        self.dismiss(None)
