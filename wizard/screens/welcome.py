"""Step 1: what will happen, what the user needs, and the privacy promise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.core.provider import Provider
from wizard.widgets.prose import Bullets, Prose

# The introduction as paragraphs and lists of Content markup ($name is the provider's
# name), drawn by one Prose widget rather than Textual's Markdown widget: Markdown's parser
# and its many block widgets would double the time to the wizard's first frame.
INTRO = "This wizard gets your [b]$name[/b] mailbox working in the iPhone's Mail app:"
STEPS = (
    "You type your address and password.",
    "It [b]logs in[/b] to $name's incoming and outgoing servers to prove the settings work.",
    "You get [b]step-by-step iPhone instructions[/b], or a [b]configuration profile[/b] "
    "to install.",
)
NEEDS_TITLE = "[b]You need[/b]"
NEEDS = (
    "your $name address;",
    "its password, or an [b]app-specific password[/b] when 2-step verification is on;",
    "[b]POP3 & IMAP access[/b] switched on in $name's web settings "
    "([i]E-mail > Settings > POP3 & IMAP[/i]; a Premium feature for new accounts).",
)
PRIVACY = (
    "[b]Privacy:[/b] your password goes only to the mail servers, encrypted with TLS, and is "
    "stored only if you ask, in your system keyring."
)


def introduction(name: str) -> Prose:
    """The welcome text for the provider called ``name``."""

    def text(markup: str) -> Content:
        return Content.from_markup(markup, name=name)

    numbers = tuple(f"{number}. ".rjust(4) for number in range(1, len(STEPS) + 1))
    return Prose(
        text(INTRO),
        Bullets(numbers, tuple(text(step) for step in STEPS)),
        text(NEEDS_TITLE),
        Bullets(("• ",) * len(NEEDS), tuple(text(need) for need in NEEDS)),
        text(PRIVACY),
        id="welcome-text",
    )


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
    # The Start button has focus from the first frame, so Enter starts. (Focusing it in
    # on_mount instead would first focus the scrolling text and restyle it all twice.)
    AUTO_FOCUS = "#start"
    SUB_TITLE = "Welcome"

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
            yield introduction(self.provider.display_name)
        with Horizontal(classes="button-row"):
            yield Button("Start", id="start", variant="primary")
            yield Button("Quit", id="quit")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Start or quit."""
        self.dismiss(event.button.id == "start")

    def action_start(self) -> None:
        """Enter: start the wizard."""
        self.dismiss(True)

    def action_leave(self) -> None:
        """Escape on the first screen quits."""
        self.dismiss(False)
