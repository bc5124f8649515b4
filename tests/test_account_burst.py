"""Several fields at once on the account screen: a paste, or a password manager's
auto-type (``{USERNAME}{TAB}{PASSWORD}{ENTER}``) arriving as one burst of keys.

Whatever the way in, each part lands in its own field, a final Enter moves on, and the
password is never, not even for a moment, in a field that shows what it holds.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from wizard.app import WizardApp
from wizard.core.models import Endpoint, Protocol, Security
from wizard.core.provider import Provider
from wizard.screens.account import BURST_DID_NOT_FIT, AccountScreen
from wizard.screens.check import CheckScreen
from wizard.widgets.form_input import Burst, plan_fields, split_burst

PASSWORD = "practice-password"
SIZE = (100, 36)


pytestmark = pytest.mark.usefixtures("no_keyring")


class Fields:
    """Every value the name and address fields ever held while the test ran."""

    def __init__(self, screen: AccountScreen) -> None:
        self.screen = screen
        self.seen: list[str] = []
        for field_id in ("#name", "#email"):
            field = screen.query_one(field_id, Input)
            screen.watch(field, "value", self._saw)

    def _saw(self, value: str) -> None:
        self.seen.append(value)

    def value(self, field_id: str) -> str:
        return self.screen.query_one(field_id, Input).value

    def password_never_shown(self) -> bool:
        return all(PASSWORD not in value for value in self.seen)


async def _until(pilot: Pilot[None], condition: object, rounds: int = 200) -> None:
    for _ in range(rounds):
        if callable(condition) and condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met")


async def _account_screen(pilot: Pilot[None]) -> tuple[AccountScreen, Fields]:
    await pilot.press("enter")  # welcome: start
    await _until(pilot, lambda: isinstance(pilot.app.screen, AccountScreen))
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    await pilot.pause()
    return screen, Fields(screen)


def _closed_port() -> int:
    """A loopback port nothing listens on: the check that follows fails at once, locally."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _app(tmp_path: Path) -> WizardApp:
    """The wizard for mail.com's domains, with servers on a closed loopback port."""
    port = _closed_port()
    provider = Provider(
        id="mail.com",
        display_name="mail.com",
        domains=("mail.com",),
        imap=(Endpoint(Protocol.IMAP, "127.0.0.1", port, Security.SSL),),
        pop3=(Endpoint(Protocol.POP3, "127.0.0.1", port, Security.SSL),),
        smtp=(Endpoint(Protocol.SMTP, "127.0.0.1", port, Security.SSL),),
    )
    return WizardApp(provider, home=tmp_path)


def _paste(pilot: Pilot[None], text: str) -> None:
    pilot.app.post_message(events.Paste(text))


def _keys(pilot: Pilot[None], text: str) -> None:
    """``text`` as separate keys that all arrive at once, as a terminal delivers a burst."""
    for character in text:
        if character == "\t":
            key, char = "tab", None
        elif character == "\n":
            key, char = "enter", "\r"
        elif character.isalnum():
            key, char = character, character
        else:
            name = unicodedata.name(character).lower()
            key, char = name.replace("-", "_").replace(" ", "_"), character
        pilot.app.post_message(events.Key(key, char))


@pytest.mark.parametrize("way", ["paste", "keys"])
async def test_name_address_password_enter_fills_the_fields_and_moves_on(
    tmp_path: Path, way: str
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, fields = await _account_screen(pilot)
        assert app.focused is screen.query_one("#name")
        burst = f"Jane Doe\tdemo@mail.com\t{PASSWORD}\n"
        _paste(pilot, burst) if way == "paste" else _keys(pilot, burst)
        await _until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await pilot.pause()  # let the new screen finish composing
        form = app.state.form
        assert form is not None
        assert (form.account.name, form.account.email) == ("Jane Doe", "demo@mail.com")
        assert form.account.password == PASSWORD
        assert fields.password_never_shown(), fields.seen


@pytest.mark.parametrize("way", ["paste", "keys"])
async def test_auto_type_of_username_tab_password_from_the_name_field(
    tmp_path: Path, way: str
) -> None:
    """The cursor starts in the name field; the password manager types the login there."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _screen, fields = await _account_screen(pilot)
        burst = f"demo@mail.com\t{PASSWORD}\n"
        _paste(pilot, burst) if way == "paste" else _keys(pilot, burst)
        await _until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await pilot.pause()  # let the new screen finish composing
        form = app.state.form
        assert form is not None
        assert (form.account.name, form.account.email) == ("", "demo@mail.com")
        assert form.account.password == PASSWORD
        assert fields.password_never_shown(), fields.seen


async def test_without_enter_the_fields_fill_and_the_screen_stays(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, fields = await _account_screen(pilot)
        screen.set_focus(screen.query_one("#email"))
        await pilot.pause()
        _paste(pilot, f"demo@mail.com\t{PASSWORD}")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        assert fields.value("#email") == "demo@mail.com"
        assert fields.value("#password") == PASSWORD
        assert app.focused is screen.query_one("#password")
        assert fields.password_never_shown()


async def test_a_paste_that_fits_no_field_fills_nothing_and_says_so(tmp_path: Path) -> None:
    """A user name that is not an address: the password's place cannot be told."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, fields = await _account_screen(pilot)
        _paste(pilot, f"jane\t{PASSWORD}\n")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        assert (fields.value("#name"), fields.value("#email"), fields.value("#password")) == (
            "",
            "",
            "",
        )
        status = str(screen.query_one("#password-status", Static).content)
        assert status == BURST_DID_NOT_FIT
        assert fields.password_never_shown()


async def test_a_plain_paste_into_one_field_works_as_before(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, fields = await _account_screen(pilot)
        screen.set_focus(screen.query_one("#email"))
        await pilot.pause()
        _paste(pilot, "demo@mail.com")
        await pilot.pause()
        assert fields.value("#email") == "demo@mail.com"
        # A copied line with its newline: the first line, and no step forward.
        screen.query_one("#email", Input).value = ""
        _paste(pilot, "demo@mail.com\n")
        await pilot.pause()
        await pilot.pause()
        assert fields.value("#email") == "demo@mail.com"
        assert isinstance(app.screen, AccountScreen)
        assert app.focused is screen.query_one("#email")
        # Typed by hand, a name is a name: Tab goes on to the address as always.
        screen.set_focus(screen.query_one("#name"))
        await pilot.pause()
        await pilot.press(*"Ann", "tab")
        assert fields.value("#name") == "Ann"
        assert app.focused is screen.query_one("#email")


def test_split_burst() -> None:
    assert split_burst("demo@mail.com") is None
    assert split_burst("demo@mail.com\n") is None
    assert split_burst("a\tb\r\n") == Burst(("a", "b"), submit=True)
    assert split_burst("a\t\tc") == Burst(("a", "", "c"), submit=False)
    assert split_burst("a\nx\tb") == Burst(("a", "b"), submit=False)


def test_plan_fields() -> None:
    def anything(_field: int, _text: str) -> bool:
        return True

    def no_address_in_0(field: int, text: str) -> bool:
        return not (field == 0 and "@" in text)

    assert plan_fields(("a", "b", "c"), 0, 3, anything) == (0, 1, 2)
    assert plan_fields(("a", "b"), 1, 3, anything) == (1, 2)
    # From the last field there is no room: the parts go to the last fields instead.
    assert plan_fields(("a", "b"), 2, 3, anything) == (1, 2)
    assert plan_fields(("x@y", "pw"), 0, 3, no_address_in_0) == (1, 2)
    assert plan_fields(("a", "b", "c", "d"), 0, 3, anything) is None
    assert plan_fields(("x@y", "pw"), 0, 3, lambda _f, _t: False) is None


@pytest.mark.parametrize(
    "burst",
    [
        f"Jane Doe\tdemo@mail.com\t\t{PASSWORD}\n",  # Tab onto the two-factor box, Tab on
        "Jane Doe\tdemo@mail.com\t\tPässwörd mit Leerzeichen 9\n",  # spaces: not the box's
    ],
    ids=["tab-over-the-checkbox", "password-with-spaces"],
)
async def test_a_burst_that_tabs_over_the_two_factor_box_lands_in_the_password(
    tmp_path: Path, burst: str
) -> None:
    """Typed fast as a person types it: a Tab onto the two-factor box and one more onto the
    password. The second Tab moves on from the box; it is not a key for the password."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _screen, fields = await _account_screen(pilot)
        _keys(pilot, burst)
        await _until(pilot, lambda: isinstance(app.screen, CheckScreen))
        await pilot.pause()
        form = app.state.form
        assert form is not None
        assert (form.account.name, form.account.email) == ("Jane Doe", "demo@mail.com")
        assert form.account.password == burst.split("\t")[-1].rstrip("\n")
        assert not form.account.app_password  # no space in the password ticked the box
        assert fields.password_never_shown(), fields.seen
