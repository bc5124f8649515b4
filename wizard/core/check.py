"""The live check: reach every endpoint of a role at once, log in once per role, diagnose.

Public entry point: ``run_check``. The CLI and the TUI both call it; a ``progress`` callback
hears each endpoint's phases and results as they happen, and when both roles are decided.

How it spends the user's time and the account's patience is ``reach.py``'s: every endpoint
of both roles at once, one login per role, each bounded by the time limit (the whole check
ends within timeout + 1 s). This module words what it found: a ``Progress`` event as each
endpoint moves on, ``Decided`` as soon as both roles have their login's answer (a screen can
go on while a silent port runs out its time), and the report when everything has finished.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from wizard.core.actions import action_for
from wizard.core.diagnosis import Context, address_families_sentence, describe, failed_alike
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

#: Failures to connect at all: the advice then says which address families were tried.
_UNREACHED = (Status.TIMEOUT, Status.CONNECTION_REFUSED, Status.NO_ROUTE)

# Which failure says most about a role when nothing worked (first = most telling).
_TELLING_ORDER = (
    Status.AUTH_FAILED,
    Status.CERTIFICATE_UNTRUSTED,
    Status.CERTIFICATE_EXPIRED,
    Status.CERTIFICATE_HOSTNAME_MISMATCH,
    Status.PLAINTEXT_INJECTED,
    Status.STARTTLS_UNAVAILABLE,
    Status.TLS_FAILED,
    Status.PROTOCOL_ERROR,
    Status.SERVER_SILENT,
    Status.TLS_STALLED,
    Status.TIMEOUT,
    Status.CONNECTION_REFUSED,
    Status.NO_ROUTE,
    Status.DNS_FAILED,
    Status.OK,
)


@dataclass(frozen=True)
class Progress:
    """One endpoint moved on. ``position`` is its place in the check (the order of
    ``provider.endpoints(choice)`` and of the report's attempts): endpoints may repeat, so
    displays key their rows by it. ``attempt`` comes with Phase.DONE (preliminary words;
    the report holds the final ones)."""

    position: int
    endpoint: Endpoint
    phase: Phase
    attempt: Attempt | None = None


@dataclass(frozen=True)
class Decided:
    """Both roles are decided (each login has its answer; the test message, if asked for,
    too) while some endpoints still wait for theirs. ``report`` is the check so far: its
    attempts are the finished ones, and its chosen attempts are final."""

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
        self.provider = provider
        self.options = options
        self.context = context
        self.progress = progress
        self.reacher = Reacher(account, options, context, started, self.report, self.done)

    def emit(self, event: Progress | Decided) -> None:
        if self.progress is None:
            return
        try:
            self.progress(event)
        except Exception:  # a display problem must never break the check
            log.exception("progress callback failed")

    def report(self, outcome: Outcome, phase: Phase, attempt: Attempt | None = None) -> None:
        outcome.phase = phase
        self.emit(Progress(outcome.position, outcome.endpoint, phase, attempt))

    def done(self, outcome: Outcome) -> None:
        """The endpoint has its result: say so, with preliminary words."""
        self.report(outcome, Phase.DONE, _attempt(outcome, Context(self.account.email)))

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
        report = self.report_of(incoming.outcomes, outgoing.outcomes, round_trip)
        for outcome, attempt in zip(
            incoming.outcomes + outgoing.outcomes, report.attempts, strict=True
        ):
            self.report(outcome, Phase.DONE, attempt)
        return report

    def report_of(
        self, incoming: list[Outcome], outgoing: list[Outcome], round_trip: RoundTrip | None
    ) -> CheckReport:
        """The report for these outcomes, in the check's words."""
        everything_alike = failed_alike(o.status for o in incoming + outgoing)
        incoming_attempts = _diagnose_role(incoming, self.account, self.provider, everything_alike)
        outgoing_attempts = _diagnose_role(outgoing, self.account, self.provider, everything_alike)
        chosen_in, chosen_out = _choose(incoming_attempts), _choose(outgoing_attempts)
        if self.options.round_trip and round_trip is None:
            round_trip = _not_tried(chosen_in, chosen_out)
        return CheckReport(
            email=self.account.email,
            incoming_choice=self.account.incoming,
            attempts=tuple(incoming_attempts + outgoing_attempts),
            incoming=chosen_in,
            outgoing=chosen_out,
            checked_at=dt.datetime.now(dt.UTC),
            round_trip=round_trip,
            timeout=self.options.timeout,
        )

    async def round_trip(
        self, incoming: list[Outcome], outgoing: list[Outcome]
    ) -> RoundTrip | None:
        """The test message, when asked for and both logins worked; None otherwise."""
        if not self.options.round_trip:
            return None
        used_in = next((o for o in incoming if o.login_tested and o.status is Status.OK), None)
        used_out = next((o for o in outgoing if o.login_tested and o.status is Status.OK), None)
        if used_in is None or used_out is None:
            return None
        return await run_round_trip(
            self.account, used_out.endpoint, used_in.endpoint, self.context, self.options
        )


def _not_tried(chosen_in: Attempt, chosen_out: Attempt) -> RoundTrip:
    """The test message's result when the logins did not both work."""
    return RoundTrip(
        Status.AUTH_FAILED
        if Status.AUTH_FAILED in (chosen_in.status, chosen_out.status)
        else chosen_out.status
        if not chosen_out.verified
        else chosen_in.status,
        0,
        "not tried: the logins did not both work",
    )


def _attempt(outcome: Outcome, context: Context) -> Attempt:
    status = outcome.status or Status.TIMEOUT
    title, advice = describe(
        outcome.endpoint,
        status,
        detail=outcome.detail,
        reply=outcome.reply,
        login_tested=outcome.login_tested,
        certificate=outcome.certificate,
        context=context,
    )
    route = outcome.route
    address = route.address if route else None
    if route and address is None and context.fallback is None and status in _UNREACHED:
        # No address of the name answered: say which kinds (IPv6, IPv4) were tried.
        advice += address_families_sentence(outcome.endpoint.host, route.families)
    return Attempt(
        endpoint=outcome.endpoint,
        status=status,
        title=title,
        advice=advice,
        server_reply=outcome.reply,
        elapsed_ms=outcome.elapsed_ms,
        login_tested=outcome.login_tested,
        certificate=outcome.certificate,
        address=address,
        action=action_for(outcome.endpoint, status, reply=outcome.reply, context=context),
    )


def _diagnose_role(
    outcomes: list[Outcome], account: Account, provider: Provider, everything_alike: bool
) -> list[Attempt]:
    verified = next((o for o in outcomes if o.status is Status.OK and o.login_tested), None)
    tried = next((o for o in outcomes if o.login_tested), None)
    refused = tried is not None and tried.status is Status.AUTH_FAILED
    attempts = []
    for outcome in outcomes:
        context = Context(
            email=account.email,
            provider_name=provider.display_name,
            mailcom=provider.is_mailcom,
            fallback=(
                verified.endpoint
                if verified is not None
                and verified is not outcome
                and outcome.status is not Status.OK
                else None
            ),
            login_tried_on=tried.endpoint if tried is not None and tried is not outcome else None,
            login_refused_elsewhere=refused and tried is not outcome,
            everything_failed_alike=everything_alike,
        )
        attempts.append(_attempt(outcome, context))
    return attempts


def _choose(attempts: list[Attempt]) -> Attempt:
    """The attempt the account should use, or the most telling failure."""
    for attempt in attempts:
        if attempt.verified:
            return attempt
    return min(
        enumerate(attempts),
        key=lambda pair: (_TELLING_ORDER.index(pair[1].status), pair[0]),
    )[1]


async def run_check(
    account: Account,
    provider: Provider,
    options: CheckOptions | None = None,
    progress: ProgressCallback | None = None,
) -> CheckReport:
    """Check ``account`` against ``provider``'s servers for its incoming choice and SMTP.

    Expected failures end up in the report. Raises TLSConfigError for an unusable CA file,
    UsageError when the provider has no server for the account's incoming choice, and
    ResourceLimitError when this computer cannot open another connection.
    """
    options = options or CheckOptions()
    started = asyncio.get_running_loop().time()
    # Reading the system's and the user's CA files is disk work: off the event loop, which
    # in the wizard also draws the screen.
    context = await asyncio.to_thread(make_tls_context, options.cafile)
    run = _Run(account, provider, options, context, progress, started)
    incoming_endpoints = provider.incoming(account.incoming)
    if not incoming_endpoints:
        raise UsageError(
            f"{provider.display_name} has no {account.incoming.value.upper()} server; "
            "choose the other protocol.",
            field="protocol",
        )
    outcomes = [
        Outcome(position, endpoint)
        for position, endpoint in enumerate(incoming_endpoints + provider.smtp)
    ]
    split = len(incoming_endpoints)
    with dialling(options.dial):
        return await run.check(Role(outcomes[:split]), Role(outcomes[split:]))


async def check_endpoint(
    account: Account,
    endpoint: Endpoint,
    options: CheckOptions | None = None,
    provider_name: str = "mail.com",
) -> Attempt:
    """Check one endpoint alone (connect, secure, log in, close): for benchmarks and tools."""
    options = options or CheckOptions()
    started = asyncio.get_running_loop().time()
    run = _Run(
        account,
        _single_provider(endpoint, provider_name),
        options,
        await asyncio.to_thread(make_tls_context, options.cafile),
        None,
        started,
    )
    outcome = Outcome(0, endpoint)
    with dialling(options.dial):
        await run.reacher.check_role(Role([outcome]))
    return _attempt(
        outcome, Context(account.email, provider_name, mailcom=provider_name == "mail.com")
    )


def _single_provider(endpoint: Endpoint, name: str) -> Provider:
    return Provider(
        id=name,
        display_name=name,
        domains=(),
        imap=(endpoint,) if endpoint.protocol.value == "imap" else (),
        pop3=(endpoint,) if endpoint.protocol.value == "pop3" else (),
        smtp=(endpoint,) if endpoint.protocol.value == "smtp" else (),
        source="single endpoint",
    )
