"""Address validation: clear messages for what to fix; unknown domains warn, not block."""

from __future__ import annotations

import pytest

from wizard.core.accounts import check_address
from wizard.core.provider import builtin_provider

PROVIDER = builtin_provider()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter your email address"),
        ("   ", "Enter your email address"),
        ("namemail.com", "needs an @"),
        ("a@b@mail.com", "more than one @"),
        ("@mail.com", "before the @"),
        ("name@", "after the @"),
        ("na me@mail.com", "cannot contain spaces"),
        (".name@mail.com", "not valid"),
        ("na..me@mail.com", "not valid"),
        ("name@mail", "not a valid domain"),
        ("name@-mail.com", "not a valid domain"),
        ("nämé@mail.com", "letters outside a-z"),
        ("x" * 65 + "@mail.com", "too long"),
    ],
)
def test_bad_addresses_say_what_to_fix(text: str, fragment: str) -> None:
    verdict = check_address(text, PROVIDER)
    assert not verdict.ok
    assert verdict.error is not None and fragment in verdict.error


def test_known_domain_is_confirmed_and_normalised() -> None:
    verdict = check_address("  Jane.Doe@USA.com ", PROVIDER)
    assert verdict.ok and verdict.warning is None
    assert verdict.address == "Jane.Doe@usa.com"
    assert verdict.confirmation == "usa.com is a mail.com address."


def test_unknown_domain_warns_but_allows() -> None:
    verdict = check_address("someone@example.org", PROVIDER)
    assert verdict.ok
    assert verdict.warning is not None and "example.org" in verdict.warning
    assert "you can go on" in verdict.warning


@pytest.mark.parametrize("local", ["jane+news", "j!ane", "jane#1", "jane_doe", "jane.doe-x"])
def test_signs_the_checker_accepts_are_not_said_to_be_refused(local: str) -> None:
    assert check_address(f"{local}@mail.com", PROVIDER).ok
    # The message for letters outside ASCII must not claim a narrower set than is accepted.
    error = check_address("nämé@mail.com", PROVIDER).error
    assert error is not None and "only a-z" not in error
