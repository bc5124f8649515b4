"""Under CI a real-server test can fail but never skip, whoever runs it (root or not)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.testbed import Testbed, server_unavailable, under_ci


def _without_postfix() -> Testbed:
    """A test bed as a normal user gets it: Dovecot only (the rest is not used here)."""
    none: Any = None
    return Testbed(
        root=Path("."),
        certificates=none,
        faults=none,
        dovecot=none,
        postfix=None,
        postfix_missing_reason="Postfix must be started as root; these tests run as a normal user",
    )


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE", " true "])
def test_under_ci_a_missing_server_fails_the_test(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    assert under_ci()
    with pytest.raises(pytest.fail.Exception, match="may not be skipped"):
        server_unavailable("the mail test bed needs dovecot")
    with pytest.raises(pytest.fail.Exception, match="needs Postfix"):
        _without_postfix().require_postfix()


@pytest.mark.parametrize("value", [None, "", "0", "false", "no"])
def test_outside_ci_a_missing_server_skips_the_test(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not under_ci()
    with pytest.raises(pytest.skip.Exception):
        server_unavailable("the mail test bed needs dovecot")
    with pytest.raises(pytest.skip.Exception, match="needs Postfix"):
        _without_postfix().require_postfix()
