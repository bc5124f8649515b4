"""F1: the keys, and what the wizard does, in a dialog."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

HELP_TEXT = """\
## Keys

| Key | What it does |
|---|---|
| Tab / Shift+Tab | move between fields and buttons |
| Enter / Space | press the focused button, tick a box |
| Escape | go back (on the check: cancel it first) |
| F1 | this help |
| Ctrl+P | the command palette (theme, quit, keys) |
| Ctrl+Q or Ctrl+C | quit at once, even during a check (Ctrl+C copies selected text) |

Enter always takes the highlighted (focused) action, which is the next right step. On the
account screen **Ctrl+Y** takes a suggested address. On the check: **D** shows the details
(ports, server words, codes), **R** retries, **S** shows the typing steps and **E** saves a
profile. On the QR code: **N** makes a new link when the old one expired. On the iPhone
steps: **C** copies the focused value, **S** saves the steps, **1**/**2**/**3** switch iOS
version (iOS 18, 26, 27 / 14-17 / 11-13). The mouse works too.

## What the wizard does

"Fix an account that stopped working" (on the welcome screen) asks what the iPhone shows,
checks the servers with the current password, and names the most likely cause and its fix.

It logs in to your mail servers with the address and password you type, to prove the
settings work, then sends the iPhone a configuration profile by QR code, or gives you the
steps to type. The password
only goes to the mail servers, encrypted; it is stored only if you ask, in the system
keyring. Nothing else leaves this computer.
"""


class HelpScreen(ModalScreen[None]):
    """The keys and a short explanation; any of Escape, F1 or Close closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        """The text and a Close button."""
        with Vertical(classes="dialog", id="help-dialog"):
            with VerticalScroll():
                yield Markdown(HELP_TEXT)
            yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        """Close has focus, so Enter closes."""
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Back to where the user was."""
        self.dismiss(None)
