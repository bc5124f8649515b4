"""Every screen state a user can reach, pinned as an SVG at 80x24 and at 120x40.

The states (and their prepared data: a frozen clock, fixed dates, no network) live in
``screenshots/states.py``, so the README pictures and these snapshots cannot
drift apart. Update with ``pytest tests/test_snapshots.py --snapshot-update`` and look at
the changed SVGs before committing them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from screenshots import states as pictures

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"
SCREENSHOTS = ROOT / "screenshots"


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def _keep_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def shown_screen(state: str) -> str:
    """The screen module a state shows, from its name: ``light-check-running`` shows
    ``check``; a question over a screen is named ``<screen>-confirm-...``."""
    words = state.removeprefix("light-").split("-")
    return "confirm" if words[1:2] == ["confirm"] else words[0]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("state", pictures.STATES, ids=lambda state: state.name)
def test_screen_state(snap_compare, state, size: str) -> None:  # type: ignore[no-untyped-def]
    """The screen looks as approved, and it is the screen the state's name says."""

    async def setup(pilot: Pilot[None]) -> None:
        if state.setup is not None:
            await state.setup(pilot)
        module = type(pilot.app.screen).__module__
        assert module == f"wizard.screens.{shown_screen(state.name)}", (state.name, module)

    assert snap_compare(pictures.build_app(state), terminal_size=SIZES[size], run_before=setup)


def test_every_screen_has_a_state() -> None:
    """Each module that defines a screen is pictured at least once (a new screen needs a
    snapshot); which screen a state shows is checked as it is pictured."""
    import wizard.screens

    screens = set()
    for info in pkgutil.iter_modules(wizard.screens.__path__, "wizard.screens."):
        module = importlib.import_module(info.name)
        if any(
            issubclass(kind, Screen) and kind.__module__ == info.name
            for _, kind in inspect.getmembers(module, inspect.isclass)
        ):
            screens.add(info.name.rsplit(".", 1)[1])
    pictured = {shown_screen(state.name) for state in pictures.STATES}
    assert screens - {"step"} <= pictured, screens - pictured  # step: the steps' shared base


def test_no_picture_contains_the_password() -> None:
    """Neither a snapshot nor a screenshot may show the password that was typed."""
    files = [*SNAPSHOTS.rglob("*.svg"), *SCREENSHOTS.glob("*.svg")]
    assert files, "no snapshots yet: run pytest tests/test_snapshots.py --snapshot-update"
    leaking = [f.name for f in files if pictures.PICTURE_PASSWORD in f.read_text()]
    assert not leaking
