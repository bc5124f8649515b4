"""The live check the CLI and the TUI both call (``run_check``; the time it spends is
``reach.py``'s): ``Progress`` as each endpoint moves on, ``Decided`` once both roles have their
answer (a screen can go on while a silent port runs out its time), then the report."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from wizard.core.diagnosis import Context, explain, explain_attempt
from wizard.core.errors import UsageError
from wizard.core.models import (
    Account,
    Attempt,
    CheckOptions,
    CheckReport,
    Endpoint,
    Phase,
    RoundTrip,
    Status,
)
from wizard.core.probes.connect import dialling
from wizard.core.provider import Provider
from wizard.core.reach import Outcome, Reacher, Role
from wizard.core.roundtrip import run_round_trip
from wizard.core.tls import make_tls_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """One endpoint moved on. ``position`` is its place in the report's attempts (endpoints
    may repeat: rows are keyed by it); ``attempt`` comes with Phase.DONE (preliminary words)."""

    position: int
    endpoint: Endpoint
    phase: Phase
    attempt: Attempt | None = None


@dataclass(frozen=True)
class Decided:
    """Both roles are decided (logins answered, test message done) while some endpoints still
    wait: ``report`` holds the finished attempts, and its chosen attempts are final."""

    report: CheckReport


#: Called from the event loop running the check.
ProgressCallback = Callable[[Progress | Decided], None]


class _Run:
    """One check in progress: its connections (``Reacher``), its words and its progress."""

    def __init__(
        self,
        account: Account,
        provider: Provider,
        options: CheckOptions,
        context: ssl.SSLContext,
        progress: ProgressCallback | None,
        started: float,
    ) -> None:
        self.account = account
        self.options = options
        self.progress = progress
        self.words = Context.of(account, provider, options.timeout)
        self.reacher = Reacher(account, options, context, started, self.told)

    def emit(self, event: Progress | Decided) -> None:
        if self.progress is None:
            return
        try:
            self.progress(event)
        except Exception:  # a display problem must never break the check
            log.exception("progress callback failed")

    def told(self, outcome: Outcome, attempt: Attempt | None = None) -> None:
        if attempt is None and outcome.phase is Phase.DONE:
            attempt = explain_attempt(_evidence(outcome), self.words)
        self.emit(Progress(outcome.position, outcome.endpoint, outcome.phase, attempt))

    async def check(self, incoming: Role, outgoing: Role) -> CheckReport:
        """Both roles at once; ``Decided`` as soon as both are; the report when all is done."""
        tasks = [
            asyncio.create_task(self.reacher.check_role(role)) for role in (incoming, outgoing)
        ]
        try:
            for role, task in zip((incoming, outgoing), tasks, strict=True):
                await asyncio.wait((role.decided, task), return_when=asyncio.FIRST_COMPLETED)
                if task.done():
                    task.result()  # its error, if it failed
            round_trip = await self.round_trip(incoming.finished(), outgoing.finished())
            if not all(task.done() for task in tasks):
                early = self.report_of(incoming.finished(), outgoing.finished(), round_trip)
                self.emit(Decided(early))
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        outcomes = incoming.outcomes + outgoing.outcomes
        report = self.report_of(incoming.outcomes, outgoing.outcomes, round_trip)
        for outcome, attempt in zip(outcomes, report.attempts, strict=True):
            outcome.phase = Phase.DONE
            self.told(outcome, attempt)
        return report

    def report_of(
        self, incoming: list[Outcome], outgoing: list[Outcome], round_trip: RoundTrip | None
    ) -> CheckReport:
        explained = explain([_evidence(o) for o in incoming + outgoing], self.words)
        if self.options.round_trip and round_trip is None:
            round_trip = _not_tried(explained.incoming, explained.outgoing)
        return CheckReport(
            email=self.account.email,
            incoming_choice=self.account.incoming,
            attempts=explained.attempts,
            incoming=explained.incoming,
            outgoing=explained.outgoing,
            checked_at=dt.datetime.now(dt.UTC),
            round_trip=round_trip,
            timeout=self.options.timeout,
        )

    async def round_trip(
        self, incoming: list[Outcome], outgoing: list[Outcome]
    ) -> RoundTrip | None:
        """The test message, when asked for and both logins worked."""
        if not self.options.round_trip:
            return None
        used_in = next((o for o in incoming if o.login_tested and o.status is Status.OK), None)
        used_out = next((o for o in outgoing if o.login_tested and o.status is Status.OK), None)
        if used_in is None or used_out is None:
            return None
        return await run_round_trip(
            self.account, used_out.endpoint, used_in.endpoint, self.reacher.context, self.options
        )


def _not_tried(chosen_in: Attempt, chosen_out: Attempt) -> RoundTrip:
    if Status.AUTH_FAILED in (chosen_in.status, chosen_out.status):
        status = Status.AUTH_FAILED
    else:
        status = chosen_in.status if chosen_out.verified else chosen_out.status
    return RoundTrip(status, 0, "not tried: the logins did not both work")


def _evidence(outcome: Outcome) -> Attempt:
    """What the check saw of one endpoint, without words (``explain`` adds them)."""
    route = outcome.route
    return Attempt(
        endpoint=outcome.endpoint,
        status=outcome.status or Status.TIMEOUT,
        server_reply=outcome.reply,
        elapsed_ms=outcome.elapsed_ms,
        login_tested=outcome.login_tested,
        certificate=outcome.certificate,
        address=route.address if route else None,
        detail=outcome.detail,
        families=tuple(route.families) if route else (),
    )


async def run_check(
    account: Account,
    provider: Provider,
    options: CheckOptions | None = None,
    progress: ProgressCallback | None = None,
) -> CheckReport:
    """Check ``account`` against ``provider``'s servers; expected failures are in the report.
    Raises TLSConfigError, UsageError (no incoming server) or ResourceLimitError."""
    options = options or CheckOptions()
    provider = provider.for_address(account.email)
    started = asyncio.get_running_loop().time()
    # Disk work: off the event loop, which in the wizard also draws the screen.
    context = await asyncio.to_thread(make_tls_context, options.cafile)
    incoming_endpoints = provider.incoming(account.incoming)
    if not incoming_endpoints:
        raise UsageError(
            f"{provider.display_name} has no {account.incoming.value.upper()} server; "
            "choose the other protocol.",
            field="protocol",
        )
    run = _Run(account, provider, options, context, progress, started)
    outcomes = [
        Outcome(position, endpoint)
        for position, endpoint in enumerate(incoming_endpoints + provider.smtp)
    ]
    split = len(incoming_endpoints)
    with dialling(options.dial):
        return await run.check(Role(outcomes[:split]), Role(outcomes[split:]))


async def check_endpoint(
    account: Account, endpoint: Endpoint, options: CheckOptions | None = None
) -> Attempt:
    """Check one endpoint alone (connect, secure, log in, close): for benchmarks and tools."""
    options = options or CheckOptions()
    started = asyncio.get_running_loop().time()
    context = await asyncio.to_thread(make_tls_context, options.cafile)
    outcome = Outcome(0, endpoint)
    with dialling(options.dial):
        reacher = Reacher(account, options, context, started, lambda _outcome: None)
        await reacher.check_role(Role([outcome]))
    words = Context(  # as for mail.com, like a check of its own record
        account.email, plan=account.plan, app_password=account.app_password, timeout=options.timeout
    )
    return explain_attempt(_evidence(outcome), words)
