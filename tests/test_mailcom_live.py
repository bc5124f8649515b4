"""Against the real mail.com: skipped by default (no machine here reaches the internet).

Run by hand with a real account:
    MAILCOM_LIVE=1 MAILCOM_EMAIL=you@mail.com MAILCOM_PASSWORD=... pytest -m mailcom
"""

from __future__ import annotations

import os

import pytest

from wizard.core.check import run_check
from wizard.core.models import Account, CheckOptions, IncomingChoice
from wizard.core.provider import builtin_provider

pytestmark = [
    pytest.mark.mailcom,
    pytest.mark.skipif(
        os.environ.get("MAILCOM_LIVE") != "1", reason="needs the real mail.com: set MAILCOM_LIVE=1"
    ),
]


@pytest.mark.parametrize("choice", [IncomingChoice.IMAP, IncomingChoice.POP])
async def test_real_mailcom_account_verifies(choice: IncomingChoice) -> None:
    account = Account(
        email=os.environ["MAILCOM_EMAIL"], password=os.environ["MAILCOM_PASSWORD"], incoming=choice
    )
    report = await run_check(account, builtin_provider(), CheckOptions(timeout=15))
    assert report.verified, [a.to_json() for a in report.attempts]
    assert report.incoming.endpoint.host.endswith(".mail.com")
