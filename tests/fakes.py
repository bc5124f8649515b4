"""A fake live check for screen tests, and the helpers that drive the wizard with it.

Most Pilot tests need a check that ends the way the test says, at once, with no server:
``FakeCheck`` is given to ``WizardApp(..., check=FakeCheck(...))``. It answers with
prepared ``CheckReport``s whose words come from the real diagnosis (``checked``), and it
calls the progress callback as the engine does, so the screens draw exactly what a real
check would make them draw. Told to ``hold``, it waits after connecting until ``release``
(or until the screen cancels it), for the running and cancelled states.

A handful of tests still run end to end against the practice server and the real test bed;
this module is for all the others. It is importable (``from tests.fakes import ...``) and
holds no tests itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

from wizard.app import WizardApp
from wizard.core.check import Progress, ProgressCallback
from wizard.core.diagnosis import Context, explain
from wizard.core.models import (
    Account,
    Attempt,
    CertificateInfo,
    CheckOptions,
    CheckReport,
    Phase,
    Protocol,
    Role,
    RoundTrip,
    Status,
)
from wizard.core.provider import Provider, builtin_provider
from wizard.core.target import Target
from wizard.demo.practice import DEMO_EMAIL, DEMO_PASSWORD, RunningDemo

CHECKED_AT = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)

#: What each kind of server says when it refuses a password (as Dovecot and Postfix do).
REFUSAL_REPLIES = {
    Protocol.IMAP: "[AUTHENTICATIONFAILED] Authentication failed.",
    Protocol.POP3: "-ERR [AUTH] Authentication failed.",
    Protocol.SMTP: "535 5.7.8 Error: authentication failed",
}

#: A certificate for the certificate problems (who issued it is what the advice is about).
SOME_CERTIFICATE = CertificateInfo(
    subject="CN=imap.mail.com",
    issuer="CN=Mail Shield Root,O=Antivirus Web/Mail Shield",
    not_before=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    sha256="5E:" * 31 + "5E",
)

#: Failures that happen before a connection is secured: no login can follow them.
_UNREACHED = frozenset(
    {
        Status.DNS_FAILED,
        Status.NO_ROUTE,
        Status.CONNECTION_REFUSED,
        Status.TIMEOUT,
        Status.TLS_STALLED,
    }
)


def checked(
    provider: Provider,
    account: Account,
    failures: Mapping[int, Status] | None = None,
    *,
    refused: Collection[Role] = (),
    round_trip: RoundTrip | None = None,
    elapsed_ms: Mapping[int, int] | None = None,
) -> CheckReport:
    """The report the engine would give for ``account`` when things go as described.

    ``failures`` maps a port to how its connection fails (every other port is reached);
    ``refused`` are the roles whose one login is refused. As in the engine, each role logs
    in once, on its most preferred reached endpoint; its other endpoints are only reached.
    The words come from the engine's own diagnosis (``explain``), from all the evidence.
    """
    failures = failures or {}
    times = elapsed_ms or {}
    provider = provider.for_address(account.email)
    attempts: list[Attempt] = []
    for endpoints, role in (
        (provider.incoming(account.incoming), Role.INCOMING),
        (provider.smtp, Role.OUTGOING),
    ):
        reached = [e for e in endpoints if failures.get(e.port, Status.OK) not in _UNREACHED]
        login = next((e for e in reached if e.port not in failures), None)
        for endpoint in endpoints:
            tested = endpoint == login
            if tested:
                status = Status.AUTH_FAILED if role in refused else Status.OK
            else:
                status = failures.get(endpoint.port, Status.OK)
            attempts.append(
                Attempt(
                    endpoint=endpoint,
                    status=status,
                    server_reply=(
                        REFUSAL_REPLIES[endpoint.protocol] if status is Status.AUTH_FAILED else None
                    ),
                    elapsed_ms=times.get(endpoint.port, 200),
                    login_tested=tested,
                    certificate=SOME_CERTIFICATE if status.is_certificate_problem else None,
                )
            )
    explained = explain(attempts, Context.of(account, provider))
    return CheckReport(
        email=account.email,
        incoming_choice=account.incoming,
        attempts=explained.attempts,
        incoming=explained.incoming,
        outgoing=explained.outgoing,
        checked_at=CHECKED_AT,
        round_trip=round_trip,
    )


Answer = CheckReport | Callable[[Account, Provider], CheckReport]


@dataclass
class FakeCheck:
    """A check function for ``WizardApp(check=...)``: the prepared answer, with progress.

    ``answer`` is a report, or a function of the account and provider that makes one (a
    report per password, say). With ``hold`` the check waits after connecting until
    ``release()`` is called or the screen cancels it.
    """

    answer: Answer
    hold: bool = False
    #: The accounts checked, in order (a test can count logins and see what was sent).
    accounts: list[Account] = field(default_factory=list)
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Let a held check finish."""
        self._released.set()

    async def __call__(
        self,
        account: Account,
        provider: Provider,
        options: CheckOptions,
        progress: ProgressCallback | None = None,
    ) -> CheckReport:
        """Report progress as the engine does, then return the prepared report."""
        self.accounts.append(account)
        answer = self.answer
        report = answer if isinstance(answer, CheckReport) else answer(account, provider)
        tell = progress or (lambda _event: None)
        attempts = list(enumerate(report.attempts))
        for position, attempt in attempts:
            tell(Progress(position, attempt.endpoint, Phase.WAITING))
        for position, attempt in attempts:
            tell(Progress(position, attempt.endpoint, Phase.CONNECTING))
        if self.hold:
            await self._released.wait()
        for position, attempt in attempts:
            if attempt.status not in _UNREACHED:
                tell(Progress(position, attempt.endpoint, Phase.SECURING))
            if attempt.login_tested:
                tell(Progress(position, attempt.endpoint, Phase.LOGGING_IN))
            await asyncio.sleep(0)
            tell(Progress(position, attempt.endpoint, Phase.DONE, attempt))
        return report


def accepting(
    password: str, failures: Mapping[int, Status] | None = None
) -> Callable[[Account, Provider], CheckReport]:
    """A fake server's answer: both logins refused unless the password is ``password``."""

    def answer(account: Account, provider: Provider) -> CheckReport:
        wrong = account.password != password
        refused = {Role.INCOMING, Role.OUTGOING} if wrong else set()
        return checked(provider, account, failures, refused=refused)

    return answer


def practice_target(fault: str | None = None) -> Target:
    """The demo's run (address filled in, the practice password, its banner, no keyring,
    practice settings) with no practice server: for a wizard whose check is a fake."""
    unserved = RunningDemo(
        builtin_provider(), {}, "", DEMO_EMAIL, DEMO_PASSWORD, fault, Path(), contextlib.ExitStack()
    )
    return unserved.target(5)


def wizard_with(
    check: FakeCheck, home: Path, provider: Provider | Target | None = None
) -> WizardApp:
    """The wizard for mail.com (or ``provider``, or a whole run such as ``practice_target()``),
    checking with ``check``, files in ``home``."""
    return WizardApp(
        provider or builtin_provider(),
        CheckOptions(timeout=5),
        home=home,
        serve_host="127.0.0.1",
        check=check,
    )


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 20.0) -> float:
    """Pause until ``condition`` holds (bounded); return how long it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"condition not met within {seconds} s")
        await pilot.pause(0.02)
    return time.monotonic() - start


def focused(app: App[Any]) -> Widget | None:
    """The focused widget, read afresh: after one ``assert app.focused is X`` a type checker
    would take every later ``app.focused`` for X's type."""
    return app.focused
