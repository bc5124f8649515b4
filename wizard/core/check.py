"""The live check: reach every endpoint of a role at once, log in once per role, diagnose.

Public entry point: ``run_check``. The CLI and the TUI both call it; the TUI passes a
``progress`` callback to update its rows live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wizard.core.models import (
    Account,
    Attempt,
    CheckReport,
    Endpoint,
    MailSettings,
    Phase,
)
from wizard.core.provider import Provider

#: Called from the event loop running the check: (endpoint, phase, finished attempt or None).
ProgressCallback = Callable[[Endpoint, Phase, Attempt | None], None]


@dataclass(frozen=True)
class CheckOptions:
    """How to check: per-endpoint timeout in seconds, extra CA file, optional round trip."""

    timeout: float = 10.0
    cafile: str | None = None
    round_trip: bool = False
    round_trip_timeout: float = 60.0


async def run_check(
    account: Account,
    provider: Provider,
    options: CheckOptions | None = None,
    progress: ProgressCallback | None = None,
) -> CheckReport:
    """Check ``account`` against ``provider``'s servers for its incoming choice and SMTP."""
    raise NotImplementedError


def settings_from_report(report: CheckReport, account: Account, provider: Provider) -> MailSettings:
    """The settings the phone should use, from a check (verified only if the check was)."""
    raise NotImplementedError


def preferred_settings(account: Account, provider: Provider) -> MailSettings:
    """Unverified settings: the provider's most preferred servers (for ``--no-verify``)."""
    raise NotImplementedError
