"""Step 3: the QR code of a one-time link to the profile on this network. While waiting,
Enter does nothing (the next step is on the phone); after the download, the Install steps
and Finish; when the link expired or broke off, a new link in one key."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.widgets import Button, Footer, Header, Static

from wizard.core.errors import WizardError
from wizard.core.export import ExportedProfile, default_profile_path, make_profile, quick_export
from wizard.core.facts import profiles
from wizard.core.handoff import steps
from wizard.core.handoff.profile_file import NotOffered, refuse_practice
from wizard.core.handoff.qr import qr_text
from wizard.core.handoff.server import (
    DEFAULT_MINUTES,
    EventKind,
    Link,
    ServeEvent,
    StopReason,
    offer_notes,
    serve_once,
)
from wizard.core.models import MailSettings
from wizard.screens.confirm import ConfirmScreen
from wizard.screens.step import Step, home_path


class Stage(StrEnum):
    """Where the hand-off is; the screen's CSS class ``-<value>`` shows what fits it."""

    PREPARING = "preparing"
    WAITING = "waiting"
    DOWNLOADED = "downloaded"
    UNCONFIRMED = "unconfirmed"
    TIMED_OUT = "timed-out"
    NOT_OFFERED = "not-offered"  # a practice profile: the steps and a QR code of words
    NOT_SENT = "not-sent"


NEW_LINK = (Stage.TIMED_OUT, Stage.UNCONFIRMED)
#: What Enter does in a stage (elsewhere nothing: the scrollable text has focus).
FOCUS = {Stage.DOWNLOADED: "#finish", Stage.NOT_SENT: "#back"} | dict.fromkeys(
    NEW_LINK, "#new-link"
)
STOPPED = {
    StopReason.DOWNLOADED: (
        "✓ The iPhone downloaded the profile. Now install it on the iPhone; the link no "
        "longer works."
    ),
    StopReason.UNCONFIRMED: (
        "The whole profile left this computer, but the phone did not confirm receiving all "
        "of it, and the link no longer works. If the iPhone shows "
        f"{profiles.PROFILE_DOWNLOADED.text} in Settings, install it; if not, press N for a "
        "new link."
    ),
    StopReason.TIMED_OUT: (
        "The link expired before the iPhone downloaded the profile. Press N (New link) for a "
        "new one."
    ),
}


class SendScreen(Step[bool]):
    """Shows the QR code while a worker serves it; leaving the screen ends the offer.
    Dismisses True after Finish (the phone has the profile), False for Back."""

    SUB_TITLE = "Step 3 of 3: send the profile to the iPhone"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Back (stop sending)"),  # the footer says which one
        Binding("escape", "back", "Back"),
        Binding("n", "new_link", "New link"),
    ]

    # Not run at start (init=False): the widgets they update may not be mounted yet then.
    stage = var(Stage.PREPARING, init=False)
    #: Requests turned away (a wrong or used link): counted, not announced one by one.
    turned_away = var(0, init=False)

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
        """Offer ``exported``, or a profile of ``settings`` written into ``home`` first;
        ``host`` overrides the detected local-network address (tests use loopback)."""
        super().__init__()
        if exported is None and settings is None:
            raise ValueError("SendScreen needs a written profile or the settings for one")
        self.exported, self.settings, self.home = exported, settings, home or Path.home()
        self.host, self.minutes, self.autostart = host, minutes, autostart
        self.url: str | None = None
        self.notes: list[str] = []
        self.password_allowed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="send-url", markup=False)
        yield Static("", id="send-file", markup=False)
        with Horizontal(id="send-body"):
            yield Static("", id="qr-code")
            with VerticalScroll(id="send-text", classes="step-body"):
                yield Static("Preparing the link…", id="send-status", markup=False)
                yield Static("", id="send-notes", markup=False)
                yield Static("", id="send-steps", markup=False)
                yield Static(steps.OTHER_WAYS, id="send-other-ways", classes="hint", markup=False)
        with Horizontal(classes="button-row"):
            yield Button("New link", id="new-link", variant="primary")
            yield Button("Finish", id="finish", variant="success")
            yield Button("Back", id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.watch_stage(self.stage, self.stage)
        if self.autostart:  # the screenshots set the stages themselves
            self.offer()

    def watch_stage(self, old: Stage, stage: Stage) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{stage}")
        self.set_focus(self.query_one(FOCUS.get(stage, "#send-text")))
        self.refresh_bindings()

    @work(exclusive=True, group="send")
    async def offer(self) -> None:
        """Write the profile if need be, ask about a password, serve it, and say how it ended."""
        self.stage, self.turned_away = Stage.PREPARING, 0
        settings, profile = self.settings, self.exported
        if profile is None:
            assert settings is not None
            profile = make_profile(settings, default_profile_path(self.home, settings))
        try:
            refuse_practice(profile)  # before anything is written
            if self.exported is None:
                assert settings is not None
                profile = await asyncio.to_thread(quick_export, settings, self.home)
                self.exported = profile
            self.show("send-file", f"File: {home_path(profile.path)}")  # ~: on one line
            if profile.contains_password and not self.password_allowed:
                dialog = ConfirmScreen(
                    "Send a profile that contains a password?",
                    steps.PLAIN_HTTP_WARNING + " Go on only on a network you trust.",
                    yes="Send it anyway",
                    no="Don't send",
                )
                self.password_allowed = await self.app.push_screen_wait(dialog) is True
                if not self.password_allowed:
                    text = "Not sent. Go back and export the profile without the password."
                    return self.status(text, Stage.NOT_SENT)
            reason = await serve_once(
                profile,
                host=self.host,
                minutes=self.minutes,
                allow_password=self.password_allowed,
                on_event=self.on_serve_event,
            )
        except NotOffered:
            self.show_not_offered(profile)
        except WizardError as exc:
            self.status(f"Not sent: {exc}", Stage.NOT_SENT)
        else:
            self.show_stopped(reason)

    def on_serve_event(self, event: ServeEvent) -> None:
        if event.link is not None:
            assert self.exported is not None
            self.show_offer(event.link, self.exported)
        elif event.kind is EventKind.DOWNLOAD_STARTED:
            self.status("The phone is downloading the profile…")
        elif event.kind is EventKind.DOWNLOAD_FAILED:
            self.status(
                "A download broke off before the whole profile was sent; the link still "
                "works: scan the code again."
            )
        elif event.kind is EventKind.NOT_FOUND:
            self.turned_away = event.count

    def show_offer(self, link: Link, profile: ExportedProfile) -> None:
        """While waiting: the link, the QR code, the steps up to Allow, the notes."""
        self.url, self.notes = link.url, offer_notes(profile, link)
        self.show("send-url", f"Link: {link.url}")
        self.show("qr-code", qr_text(link.url))
        self.show("send-steps", *steps.numbered(steps.download_steps()))
        self.show("send-file", f"File: {home_path(profile.path)}")
        self.watch_turned_away()
        minutes = f"up to {self.minutes:g} minutes"
        self.status(
            f"Waiting for the iPhone ({minutes}). Scan the code with the Camera app.", Stage.WAITING
        )

    def show_stopped(self, reason: StopReason) -> None:
        """Why the offer ended; after a download the Install steps and Finish."""
        if reason is StopReason.CANCELLED:
            return
        if reason is not StopReason.TIMED_OUT and self.exported is not None:
            first = len(steps.download_steps()) + 1
            self.show("send-steps", *steps.numbered(steps.install_steps(self.exported), first))
        self.status(STOPPED[reason], Stage(reason.value.replace("_", "-")))

    def show_not_offered(self, profile: ExportedProfile) -> None:
        """A practice profile: every step, and a QR code of words with nothing to install."""
        self.show("qr-code", qr_text(NotOffered.qr_words))
        every = steps.download_steps() + steps.install_steps(profile)
        self.show("send-steps", *steps.numbered(every))
        self.status(NotOffered.instead, Stage.NOT_OFFERED)

    def watch_turned_away(self) -> None:
        count = self.turned_away
        turned = [f"Turned away {count} request(s) for a wrong or used link."] if count else []
        self.show("send-notes", *self.notes, *turned)
        self.query_one("#send-notes").display = bool(self.notes or turned)

    def show(self, widget_id: str, *lines: str) -> None:
        self.query_one(f"#{widget_id}", Static).update("\n".join(lines))

    def status(self, text: str, stage: Stage | None = None) -> None:
        self.show("send-status", text)
        self.stage = stage or self.stage

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """N only once the link expired or ended unconfirmed; Escape stops sending, or not."""
        sending = self.stage in (Stage.PREPARING, Stage.WAITING)
        allowed = {"new_link": self.stage in NEW_LINK, "stop": sending, "back": not sending}
        return allowed.get(action, True)

    @on(Button.Pressed, "#new-link")
    def action_new_link(self) -> None:
        """A new one-time link for the same profile (the old one no longer works)."""
        if self.stage in NEW_LINK:
            self.status("Preparing a new link…")
            self.offer()

    @on(Button.Pressed, "#finish")
    def action_finish(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Stop sending (leaving cancels the worker, which ends the offer) and go back."""
        self.dismiss(False)

    def action_stop(self) -> None:
        self.action_back()
