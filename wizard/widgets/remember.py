"""The "Remember the password" box, and the keyring work behind it, each call in a thread
worker: a keyring can be slow (D-Bus; a locked wallet asks for its own password). A password
is offered only if it was remembered for this provider's servers."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.message import Message
from textual.widgets import Checkbox
from textual.worker import get_current_worker

from wizard.core import secrets
from wizard.core.models import Account
from wizard.core.provider import Provider

NO_KEYRING_NOTE = "This run does not use the system keyring."


class RememberBox(Checkbox):
    """Ticked: the password is remembered in the system keyring after a verified check."""

    class Answered(Message):
        """The keyring answered: ``note`` says why the box is off ("" when it can be used)."""

        def __init__(self, note: str) -> None:
            super().__init__()
            self.note = note

    class Found(Message):
        """A password remembered for the address looked up, with a note to show under the
        field (``password`` "": remembered for other servers, so not offered)."""

        def __init__(self, password: str, note: str) -> None:
            super().__init__()
            self.password = password
            self.note = note

    def __init__(self, value: bool, *, allowed: bool, id: str | None = None) -> None:
        """``allowed`` is False when this run may not use the keyring (the box stays off)."""
        super().__init__("Remember the password (keyring)", value, id=id, disabled=True)
        self.allowed = allowed
        self.looked_up: str | None = None

    def on_mount(self) -> None:
        if self.allowed:
            self._in_thread(self._probe, "keyring-probe")
        else:
            self.value = False
            self.post_message(self.Answered(NO_KEYRING_NOTE))

    def look_up(self, email: str, provider: Provider) -> None:
        """Offer (``Found``) the password remembered for ``email``, if the keyring is there
        (once per address: the field and the keyring's answer may both ask)."""
        if not self.disabled and email != self.looked_up:
            self.looked_up = email
            self._in_thread(lambda: self._look_up(email, provider), "keyring-lookup")

    def _in_thread(self, work: Callable[[], None], group: str) -> None:
        # A worker of the screen, whose step base sends a failure to the error dialog.
        self.screen.run_worker(work, thread=True, exclusive=True, group=group, exit_on_error=False)

    def _probe(self) -> None:
        available = secrets.keyring_available()
        reason = "" if available else secrets.keyring_unavailable_reason()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._answered, available, reason)

    def _answered(self, available: bool, reason: str) -> None:
        self.disabled = not available
        if not available:
            self.value = False
        self.post_message(self.Answered(reason))

    def _look_up(self, email: str, provider: Provider) -> None:
        found = secrets.remembered(email)
        if found is None or get_current_worker().is_cancelled:
            return
        if found.fits(provider):
            answer = self.Found(found.password, "Filled in from your system keyring.")
        else:
            answer = self.Found(
                "",
                f"A password is remembered for this address, but for other servers "
                f"({found.saved_for}), so it is not filled in here: type it.",
            )
        self.app.call_from_thread(self.post_message, answer)


def update_keyring(app: App[None], account: Account, remember: bool, provider: Provider) -> None:
    """After a verified check: remember the password for ``provider``'s servers, or forget
    one remembered earlier ("Remember" left off); the user is told how it went."""

    def work() -> None:
        if remember:
            changed = secrets.remember_password(account.email, account.password, provider)
            done = "Your password is remembered in the system keyring."
        else:
            changed = secrets.delete_password(account.email)
            done = "The remembered password was removed from the system keyring."
        if get_current_worker().is_cancelled:
            return
        if changed:
            app.call_from_thread(app.notify, done)
        elif remember:
            failed = (
                "The password could not be stored in the keyring; you will be asked for it "
                "next time."
            )
            app.call_from_thread(app.notify, failed, severity="warning")

    app.run_worker(work, thread=True, group="keyring", exit_on_error=False)
