"""Every screen state a user can reach, pinned as an SVG at 80x24 and at 120x40.

The states (and their prepared data: a frozen clock, fixed dates, no network) live in
``screenshots/make_screenshots.py``, so the README pictures and these snapshots cannot
drift apart. Update with ``pytest tests/test_snapshots.py --snapshot-update`` and look at
the changed SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from screenshots import make_screenshots as pictures

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"
SCREENSHOTS = ROOT / "screenshots"


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def _keep_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("state", pictures.STATES, ids=lambda state: state.name)
def test_screen_state(snap_compare, state, size: str) -> None:  # type: ignore[no-untyped-def]
    """The screen looks as approved."""
    assert snap_compare(
        pictures.build_app(state), terminal_size=SIZES[size], run_before=state.setup
    )


def test_every_screen_has_a_state() -> None:
    """Each screen module is pictured at least once (a new screen needs a snapshot)."""
    screens = {
        path.stem for path in (ROOT / "wizard" / "screens").glob("*.py") if path.stem != "__init__"
    }
    source = (SCREENSHOTS / "make_screenshots.py").read_text()
    pictured = {name for name in screens if f"wizard.screens.{name} import" in source}
    # welcome, help and confirm are reached through the app and key presses, not imported;
    # step (the steps' shared base) and refusal (the refused-password question) are not
    # screens of their own.
    assert screens - pictured <= {"welcome", "help", "confirm", "step", "refusal"}, (
        screens - pictured
    )
    names = {state.name for state in pictures.STATES}
    assert {"welcome", "help", "check-confirm-unverified"} <= names


def test_no_picture_contains_the_password() -> None:
    """Neither a snapshot nor a screenshot may show the password that was typed."""
    files = [*SNAPSHOTS.rglob("*.svg"), *SCREENSHOTS.glob("*.svg")]
    assert files, "no snapshots yet: run pytest tests/test_snapshots.py --snapshot-update"
    leaking = [f.name for f in files if pictures.PICTURE_PASSWORD in f.read_text()]
    assert not leaking
