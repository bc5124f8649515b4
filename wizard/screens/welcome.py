"""Step 1: what will happen, what the user needs, and the privacy promise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Markdown, Static

from wizard.core.provider import Provider

INTRO = """\
This wizard gets your **{name}** mailbox working in the iPhone's Mail app:

1. You type your address and password.
2. It **logs in** to {name}'s incoming and outgoing servers to prove the settings work.
3. You get **step-by-step iPhone instructions**, or a **configuration profile** to install.

**You need**

- your {name} address;
- its password, or an **app-specific password** when 2-step verification is on;
- **POP3 & IMAP access** switched on in {name}'s web settings
  (*E-mail > Settings > POP3 & IMAP*; a Premium feature for new accounts).

**Privacy:** your password goes only to the mail servers, encrypted with TLS, and is
stored only if you ask, in your system keyring.
"""


@dataclass(frozen=True)
class DemoInfo:
    """What the wizard shows about a running demo: the address and password to type."""

    email: str
    password: str = field(repr=False)
    banner: str


class WelcomeScreen(Screen[bool]):
    """Explains the wizard; dismisses with True to start (False quits)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Start", show=True),
        Binding("escape", "leave", "Quit"),
    ]

    def __init__(self, provider: Provider, *, demo: DemoInfo | None = None) -> None:
        """``demo`` is set when the wizard runs against the practice server."""
        super().__init__()
        self.provider = provider
        self.demo = demo

    def compose(self) -> ComposeResult:
        """Banner (demo only), the explanation, and the Start button."""
        yield Header()
        with VerticalScroll(id="welcome-body", classes="step-body"):
            if self.demo is not None:
                yield Static(
                    Content.from_markup(
                        "[b]$banner[/b]\nType this address: [b]$email[/b]   "
                        "and this password: [b]$password[/b]",
                        banner=self.demo.banner,
                        email=self.demo.email,
                        password=self.demo.password,
                    ),
                    id="demo-banner",
                )
            yield Markdown(INTRO.format(name=self.provider.display_name), id="welcome-text")
        with Horizontal(classes="button-row"):
            yield Button("Start", id="start", variant="primary")
            yield Button("Quit", id="quit")
        yield Footer()

    def on_mount(self) -> None:
        """The Start button has focus, so Enter starts."""
        self.sub_title = "Welcome"
        self.query_one("#start", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Start or quit."""
        self.dismiss(event.button.id == "start")

    def action_start(self) -> None:
        """Enter: start the wizard."""
        self.dismiss(True)

    def action_leave(self) -> None:
        """Escape on the first screen quits."""
        self.dismiss(False)
