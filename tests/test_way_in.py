"""The way in, app-wide: help that scrolls, leaving without losing what was typed, the
command palette, a refused password never sent again without a question.

The check is a fake (``tests/fakes.py``) unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.fakes import FakeCheck, checked, until, wizard_with
from wizard.screens.help import HelpScreen

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _working() -> FakeCheck:
    return FakeCheck(lambda account, provider: checked(provider, account))


@pytest.mark.parametrize("key", ["down", "pagedown", "end"])
async def test_help_scrolls_with_the_keys_while_close_has_focus(tmp_path: Path, key: str) -> None:
    app = wizard_with(_working(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0  # the text is longer than the dialog at 80x24
        assert app.focused is app.screen.query_one("#close")
        await pilot.press(key)
        await until(pilot, lambda: body.scroll_y > 0, 2)
        await pilot.press("enter")  # Close still has focus: Enter closes
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), 2)
