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
import datetime as dt
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot
from wizard.core.actions import action_for

from wizard.app import WizardApp
from wizard.core.check import ProgressCallback
from wizard.core.diagnosis import Context, describe, failed_alike
from wizard.core.models import (
    Account,
    Attempt,
    CertificateInfo,
    CheckOptions,
    CheckReport,
    Endpoint,
    Phase,
    Protocol,
    Role,
    RoundTrip,
    Status,
)
from wizard.core.provider import Provider, builtin_provider

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
    issuer="CN=Mail Shield Root, O=Antivirus Web/Mail Shield",
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


def diagnosed(
    endpoint: Endpoint,
    status: Status,
    context: Context,
    *,
    login_tested: bool = False,
    reply: str | None = None,
    detail: str = "",
    certificate: CertificateInfo | None = None,
    elapsed_ms: int = 200,
) -> Attempt:
    """An attempt with the title, advice and action the engine's diagnosis gives it."""
    title, advice = describe(
        endpoint,
        status,
        detail=detail,
        reply=reply,
        login_tested=login_tested,
        certificate=certificate,
        context=context,
    )
    return Attempt(
        endpoint=endpoint,
        status=status,
        title=title,
        advice=advice,
        server_reply=reply,
        elapsed_ms=elapsed_ms,
        login_tested=login_tested,
        certificate=certificate,
        action=action_for(endpoint, status, reply=reply, context=context),
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
    in once, on its most preferred reached endpoint; its other endpoints are only reached,
    and their words say where the login was tried.
    """
    failures = failures or {}
    times = elapsed_ms or {}
    provider = provider.for_address(account.email)
    roles = {
        Role.INCOMING: provider.incoming(account.incoming),
        Role.OUTGOING: provider.smtp,
    }
    everything_alike = failed_alike(
        failures.get(e.port, Status.OK) for endpoints in roles.values() for e in endpoints
    )
    chosen: dict[Role, Attempt] = {}
    attempts: list[Attempt] = []
    for role, endpoints in roles.items():
        reached = [e for e in endpoints if failures.get(e.port, Status.OK) not in _UNREACHED]
        login = next((e for e in reached if e.port not in failures), None)
        login_status = Status.AUTH_FAILED if role in refused else Status.OK
        verified_on = login if login_status is Status.OK else None
        mine: list[Attempt] = []
        for endpoint in endpoints:
            tested = endpoint == login
            status = login_status if tested else failures.get(endpoint.port, Status.OK)
            context = Context(
                email=account.email,
                provider_name=provider.display_name,
                mailcom=provider.is_mailcom,
                fallback=verified_on if not tested and status is not Status.OK else None,
                login_tried_on=None if tested else login,
                login_refused_elsewhere=login_status is Status.AUTH_FAILED and not tested,
                everything_failed_alike=everything_alike,
            )
            refusal = REFUSAL_REPLIES[endpoint.protocol] if status is Status.AUTH_FAILED else None
            mine.append(
                diagnosed(
                    endpoint,
                    status,
                    context,
                    login_tested=tested,
                    reply=refusal,
                    certificate=SOME_CERTIFICATE if status.is_certificate_problem else None,
                    elapsed_ms=times.get(endpoint.port, 200),
                )
            )
        # The engine's choice: the verified attempt, else the most telling failure (a
        # refused login or a failure after connecting says more than no connection).
        failing = [a for a in mine if not a.ok] or mine
        chosen[role] = next((a for a in mine if a.verified), None) or min(
            failing, key=lambda a: (not a.login_tested, a.status in _UNREACHED)
        )
        attempts += mine
    return CheckReport(
        email=account.email,
        incoming_choice=account.incoming,
        attempts=tuple(attempts),
        incoming=chosen[Role.INCOMING],
        outgoing=chosen[Role.OUTGOING],
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
        tell = progress or (lambda *_: None)
        for attempt in report.attempts:
            tell(attempt.endpoint, Phase.WAITING, None)
        for attempt in report.attempts:
            tell(attempt.endpoint, Phase.CONNECTING, None)
        if self.hold:
            await self._released.wait()
        for attempt in report.attempts:
            if attempt.status not in _UNREACHED:
                tell(attempt.endpoint, Phase.SECURING, None)
            if attempt.login_tested:
                tell(attempt.endpoint, Phase.LOGGING_IN, None)
            await asyncio.sleep(0)
            tell(attempt.endpoint, Phase.DONE, attempt)
        return report


def wizard_with(check: FakeCheck, home: Path, provider: Provider | None = None) -> WizardApp:
    """The wizard for mail.com (or ``provider``), checking with ``check``, files in ``home``."""
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
