"""The first screen: what will happen, what the user needs, the privacy promise, the choice."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from wizard import __version__
from wizard.core import facts
from wizard.core.provider import Provider
from wizard.screens.step import Step
from wizard.widgets.prose import Prose

# Content markup ($name: the provider's) drawn by one Prose widget: Textual's Markdown
# widget would double the time to the wizard's first frame.
INTRO = (
    "This wizard sets up your [b]$name[/b] mailbox in the iPhone's Mail app: it logs in to "
    "the mail servers to prove your settings, then hands the iPhone a profile by QR code."
)
NEEDS = (
    "[b]You need[/b] your address and its password (or an [b]app-specific password[/b] when "
    "$two_factor is on)"
)
# Only for mail.com's own record: another provider's settings have other names.
NEEDS_MAILCOM = "$switch_needed (in webmail, $switch_path; $premium)."
NEEDS_OTHER = "mail apps (IMAP or POP access) allowed in the provider's web settings, if it asks."
PRIVACY = (
    "[b]Privacy:[/b] your password goes only to the mail servers, encrypted, and is stored "
    "only if you ask, in your system keyring."
)


def _text(markup: str, name: str) -> Content:
    return Content.from_markup(
        markup,
        name=name,
        two_factor=facts.mailcom.TWO_FACTOR.text,
        switch_needed=facts.mailcom.ACCESS_SWITCH_NEEDED.text,
        switch_path=facts.mailcom.ACCESS_SWITCH_PATH.text,
        premium=facts.mailcom.PREMIUM.text,
    )


def needs(name: str, *, mailcom: bool = True) -> tuple[Content, ...]:
    """What the user needs before starting (mail.com's switch only for mail.com's record)."""
    return tuple(_text(need, name) for need in (NEEDS, NEEDS_MAILCOM if mailcom else NEEDS_OTHER))


class Start(Enum):
    """The first screen's choices (the option ids are their names)."""

    SETUP = "Set up mail on an iPhone"
    REPAIR = "Fix an account that stopped working"
    QUIT = "Quit"


class WelcomeScreen(Step[None]):
    """The app's first (default) screen, so no blank screen is drawn before it: it posts
    ``Chosen`` instead of closing."""

    class Chosen(Message):
        """The user chose where to start (or to quit: Escape too)."""

        def __init__(self, choice: Start) -> None:
            super().__init__()
            self.choice = choice

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown in the footer; the focused choices take Enter themselves (OptionList).
        Binding("enter", "choose", "Choose"),
        Binding("escape", "leave", "Quit"),
        # The focused choices would take the Page keys to jump to their last one (Quit);
        # with three choices the arrows do that job, so the Page keys scroll the text.
        Binding("pagedown", "scroll_body('page_down')", show=False, priority=True),
        Binding("pageup", "scroll_body('page_up')", show=False, priority=True),
    ]
    # Focused from the first frame (in on_mount it would restyle everything twice).
    AUTO_FOCUS = "#welcome-choices"
    SUB_TITLE = "Welcome"

    def __init__(self, provider: Provider, *, banner: str = "") -> None:
        """``banner``: what the run says first about itself (its address and password)."""
        super().__init__()
        self.provider = provider
        self.banner = banner

    def compose(self) -> ComposeResult:
        name = self.provider.display_name
        # A title line rather than Textual's Header: no step name, a tenth of the first frame.
        yield Static(
            Content.from_markup(
                "[b]mailcom-wizard[/b] · mail on your iPhone, right the first time · $version",
                version=__version__,
            ),
            id="welcome-title",
        )
        with VerticalScroll(id="welcome-body", classes="step-body"):
            if self.banner:
                yield Static(self.banner, id="run-banner", markup=False)
            needed = needs(name, mailcom=self.provider.is_mailcom)
            # A banner of its own says what leaves: no privacy note then.
            privacy = [] if self.banner else [_text(PRIVACY, name)]
            yield Prose(
                _text(INTRO, name), Content("; and ").join(needed), *privacy, id="welcome-text"
            )
        yield OptionList(
            *(Option(start.value, id=start.name) for start in Start), id="welcome-choices"
        )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.post_message(self.Chosen(Start[event.option.id or Start.QUIT.name]))

    def action_choose(self) -> None:
        """Enter when the choices are not focused: take the highlighted one."""
        choices = self.query_one("#welcome-choices", OptionList)
        if choices.highlighted is not None:
            choices.action_select()

    def action_leave(self) -> None:
        """Escape: quit (the app asks first if something was typed)."""
        self.post_message(self.Chosen(Start.QUIT))
