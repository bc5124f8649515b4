"""F1: the keys, and what the wizard does, in a dialog that scrolls whatever has focus."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

from wizard.screens.step import SCROLL_KEYS

HELP_TEXT = """\
## Keys

| Key | What it does |
|---|---|
| Enter | take the focused choice or button and go on (the next right step) |
| Tab / Shift+Tab | move between fields, choices and buttons |
| Arrows | pick within a choice; elsewhere they scroll, as PageUp / PageDown do |
| Space | tick a box |
| Escape | go back (on the check: cancel it first); on the first screen, quit |
| F1 | this help |
| Ctrl+P | the command palette (theme, quit, keys) |
| Ctrl+Q or Ctrl+C | quit at once, even during a check (Ctrl+C copies selected text) |

Leaving the first screen with Escape asks first when you have typed something. On the
account screen **Ctrl+Y** takes a suggested address and **Ctrl+T** shows the password. On
the check: **D** shows the details (ports, server words, codes), **R** retries, **S** shows
the typing steps and **E** saves a profile. On the QR code: **N** makes a new link when the
old one expired. On the iPhone steps: **C** copies the focused value, **S** saves the steps,
**1**/**2**/**3** switch iOS version. The mouse works too.

## What the wizard does

It logs in to your mail servers with the address and password you type, to prove the
settings work, then sends the iPhone a configuration profile by QR code, or gives you the
steps to type. "Fix an account that stopped working" (on the first screen) asks what the
iPhone shows, checks the servers with the current password, and names the most likely
cause and its fix.

The password goes only to the mail servers, encrypted; it is stored only if you ask, in the
system keyring, and it is in a profile only if you ask. Files are written only where you
say. The profile goes to the iPhone over your own network, from this computer.
"""


class HelpScreen(ModalScreen[None]):
    """The keys and a short explanation; Escape, F1 or Close closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", "Close"),
        *(
            Binding(key, f"scroll_help('{action}')", show=False)
            for key, action in SCROLL_KEYS.items()
        ),
    ]
    AUTO_FOCUS = "#close"  # Enter closes; the arrows and Page keys still scroll the text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            with VerticalScroll(id="help-body"):
                yield Markdown(HELP_TEXT)
            yield Button("Close", id="close", variant="primary")

    async def action_scroll_help(self, action: str) -> None:
        await self.app.run_action(action, self.query_one("#help-body"))

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
