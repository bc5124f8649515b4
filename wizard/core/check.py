"""The live check: reach every endpoint of a role at once, log in once per role, diagnose.

Public entry point: ``run_check``. The CLI and the TUI both call it; the TUI passes a
``progress`` callback to update its rows live.

How it spends the user's time and the account's patience:

* All endpoints of both roles are connected and secured concurrently, each bounded by the
  timeout; the whole check ends within timeout + 1 s. Happy Eyeballs (probes/connect.py)
  makes a dead IPv6 path cost 250 ms, not the timeout.
* Then exactly one login per role, on the most preferred endpoint that got that far. A wrong
  password therefore costs one failed login per server, not four: providers lock accounts
  after repeated failures. A login that fails for another reason (the server hung up) moves
  on to the next endpoint, since that cannot count against the password.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from wizard.core.diagnosis import Context, explain, explain_attempt
from wizard.core.errors import UsageError
from wizard.core.models import (
    Account,
    Attempt,
    CertificateInfo,
    CheckOptions,
    CheckReport,
    Endpoint,
    Phase,
    RoundTrip,
    Status,
)
from wizard.core.probes import MailSession, ProbeFailure, Route, open_mail_session
from wizard.core.provider import Provider
from wizard.core.roundtrip import run_round_trip
from wizard.core.tls import certificate_info, certificate_probe_context, make_tls_context

log = logging.getLogger(__name__)

#: Called from the event loop running the check: (endpoint, phase, finished attempt or None).
#: The attempt given with Phase.DONE is preliminary; the report holds the final words.
ProgressCallback = Callable[[Endpoint, Phase, Attempt | None], None]

#: The whole check ends within timeout + this, counted from its start (the promise is
#: timeout + 1 s; the rest is for saying goodbye). A login that had to wait for a preferred
#: endpoint's timeout gets this long.
_DEADLINE_SLACK = 0.8


@dataclass
class _Outcome:
    """What is known about one endpoint while the check runs."""

    endpoint: Endpoint
    status: Status | None = None
    detail: str = ""
    reply: str | None = None
    login_tested: bool = False
    certificate: CertificateInfo | None = None
    #: The name's address families, and the address that accepted the connection.
    route: Route | None = None
    session: MailSession | None = field(default=None, repr=False)
    phase: Phase = Phase.WAITING
    started: float = 0.0
    finished: float = 0.0

    @property
    def elapsed_ms(self) -> int:
        return max(0, round((self.finished - self.started) * 1000))

    def set_route(self, route: Route) -> None:
        """Keep what connecting learned (told by the probe as it goes)."""
        self.route = route


class _Run:
    """One check in progress: shared settings, the clock and the progress reporting."""

    def __init__(
        self,
        account: Account,
        provider: Provider,
        options: CheckOptions,
        context: ssl.SSLContext,
        progress: ProgressCallback | None,
        started: float | None = None,
    ) -> None:
        self.account = account
        self.provider = provider
        self.options = options
        self.context = context
        self.progress = progress
        loop = asyncio.get_running_loop()
        self.loop = loop
        self.start = loop.time()
        # The deadline counts from when the check began (``started``), so loading the CA
        # files beforehand cannot stretch the whole check past its bound.
        self.deadline = (started or self.start) + options.timeout + _DEADLINE_SLACK

    def report(self, outcome: _Outcome, phase: Phase, attempt: Attempt | None = None) -> None:
        outcome.phase = phase
        if self.progress is None:
            return
        try:
            self.progress(outcome.endpoint, phase, attempt)
        except Exception:  # a display problem must never break the check
            log.exception("progress callback failed")

    def finish(self, outcome: _Outcome) -> None:
        outcome.finished = self.loop.time()
        if outcome.session is not None and outcome.status is None:
            return  # reached; waits for its login or for the end of the role
        words = Context.of(self.account, self.provider, self.options.timeout)
        self.report(outcome, Phase.DONE, explain_attempt(_evidence(outcome), words))

    async def reach(self, outcome: _Outcome) -> None:
        """Connect and secure one endpoint; never raises except on cancellation."""
        outcome.started = self.loop.time()
        self.report(outcome, Phase.CONNECTING)
        limit = min(self.start + self.options.timeout, self.deadline)
        try:
            async with asyncio.timeout_at(limit):
                outcome.session = await open_mail_session(
                    outcome.endpoint, self.context, partial(self.report, outcome), outcome.set_route
                )
        except (ProbeFailure, TimeoutError, OSError, EOFError) as exc:
            _record_failure(outcome, exc, _timeout_detail(outcome.phase, self.options.timeout))
        if outcome.status is not None and outcome.status.is_certificate_problem:
            outcome.certificate = await self.read_certificate(outcome.endpoint)
        if outcome.status is not None:
            self.finish(outcome)
        else:
            self.report(outcome, Phase.SECURED)

    async def read_certificate(self, endpoint: Endpoint) -> CertificateInfo | None:
        """Fetch the certificate that failed verification, to show who issued it.

        A fresh connection with a non-verifying context; it is closed right after the
        handshake and never carries a login.
        """
        remaining = self.deadline - self.loop.time() - 0.1
        if remaining <= 0.05:
            return None
        session: MailSession | None = None
        try:
            async with asyncio.timeout(remaining):
                session = await open_mail_session(endpoint, certificate_probe_context())
                der = session.peer_certificate()
        except (ProbeFailure, TimeoutError, OSError, EOFError):
            return None
        finally:
            if session is not None:
                session.abort()
        return None if der is None else certificate_info(der)

    async def login(self, outcome: _Outcome) -> None:
        """The one login of a role, on a reached endpoint."""
        session = outcome.session
        assert session is not None
        self.report(outcome, Phase.LOGGING_IN)
        outcome.login_tested = True
        username = outcome.endpoint.username(self.account.email)
        try:
            async with asyncio.timeout_at(self.deadline):
                outcome.reply = await session.login(username, self.account.password)
            outcome.status = Status.OK
        except (ProbeFailure, TimeoutError, OSError, EOFError) as exc:
            _record_failure(outcome, exc, "the server did not answer the login in time")
        outcome.finished = self.loop.time()

    async def check_role(self, endpoints: tuple[Endpoint, ...]) -> list[_Outcome]:
        """Reach all endpoints of a role at once, then log in on the best one."""
        outcomes = [_Outcome(endpoint) for endpoint in endpoints]
        for outcome in outcomes:
            self.report(outcome, Phase.WAITING)
        tasks = [asyncio.create_task(self.reach(outcome)) for outcome in outcomes]
        cancelled = False
        try:
            decided = False
            for outcome, task in zip(outcomes, tasks, strict=True):
                await task
                if outcome.session is None or decided:
                    continue
                await self.login(outcome)
                # Success, or a refused password, settles the role; other failures
                # (a hang-up, a timeout) let the next endpoint try.
                decided = outcome.status in (Status.OK, Status.AUTH_FAILED)
                self.finish(outcome)
            for outcome in outcomes:
                if outcome.status is None:  # reached securely, login not needed here
                    outcome.status = Status.OK
                    self.finish(outcome)
        except BaseException:
            cancelled = True
            raise
        finally:
            for task in tasks:
                task.cancel()
            sessions = [o.session for o in outcomes if o.session is not None]
            if cancelled:
                for session in sessions:
                    session.abort()
            else:
                # Goodbyes are polite but must not stretch the check past its deadline.
                grace = min(1.0, max(0.05, self.deadline - self.loop.time()))
                await asyncio.gather(*(session.close(grace) for session in sessions))
            for outcome in outcomes:
                outcome.session = None
        return outcomes


def _record_failure(outcome: _Outcome, exc: BaseException, timeout_detail: str) -> None:
    """Put an expected failure into the outcome as a status code and a detail."""
    if isinstance(exc, ProbeFailure):
        outcome.status, outcome.detail, outcome.reply = exc.status, exc.detail, exc.reply
    elif isinstance(exc, TimeoutError):  # before OSError: TimeoutError is one
        outcome.status, outcome.detail = Status.TIMEOUT, timeout_detail
    else:  # anything the probes did not classify
        outcome.status = Status.PROTOCOL_ERROR
        outcome.detail = f"the connection failed: {type(exc).__name__}"


def _timeout_detail(phase: Phase, timeout: float) -> str:
    what = {
        Phase.CONNECTING: "to the connection",
        Phase.SECURING: "during the secure (TLS) handshake",
        Phase.WAITING: "to the connection",
    }.get(phase, "with a greeting")
    return f"no answer {what} within {timeout:g} s"


def _evidence(outcome: _Outcome) -> Attempt:
    """What the check saw of one endpoint, without words (``diagnosis.explain`` adds them)."""
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
    """Check ``account`` against ``provider``'s servers for its incoming choice and SMTP.

    Expected failures end up in the report. Raises TLSConfigError for an unusable CA file and
    UsageError when the provider has no server for the account's incoming choice.
    """
    options = options or CheckOptions()
    provider = provider.for_address(account.email)
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
    incoming, outgoing = await asyncio.gather(
        run.check_role(incoming_endpoints), run.check_role(provider.smtp)
    )
    # The words come once, from all the evidence of the check (diagnosis.explain).
    outcomes = incoming + outgoing
    explained = explain(
        [_evidence(outcome) for outcome in outcomes],
        Context.of(account, provider, options.timeout),
    )
    for outcome, attempt in zip(outcomes, explained.attempts, strict=True):
        run.report(outcome, Phase.DONE, attempt)
    chosen_in, chosen_out = explained.incoming, explained.outgoing
    round_trip = None
    if options.round_trip:
        if chosen_in.verified and chosen_out.verified:
            round_trip = await run_round_trip(
                account, chosen_out.endpoint, chosen_in.endpoint, context, options
            )
        else:
            round_trip = RoundTrip(
                Status.AUTH_FAILED
                if Status.AUTH_FAILED in (chosen_in.status, chosen_out.status)
                else chosen_out.status
                if not chosen_out.verified
                else chosen_in.status,
                0,
                "not tried: the logins did not both work",
            )
    return CheckReport(
        email=account.email,
        incoming_choice=account.incoming,
        attempts=explained.attempts,
        incoming=chosen_in,
        outgoing=chosen_out,
        checked_at=dt.datetime.now(dt.UTC),
        round_trip=round_trip,
        timeout=options.timeout,
    )


async def check_endpoint(
    account: Account,
    endpoint: Endpoint,
    options: CheckOptions | None = None,
    provider_name: str = "mail.com",
) -> Attempt:
    """Check one endpoint alone (connect, secure, log in, close): for benchmarks and tools."""
    options = options or CheckOptions()
    run = _Run(
        account,
        _single_provider(endpoint, provider_name),
        options,
        await asyncio.to_thread(make_tls_context, options.cafile),
        None,
    )
    outcomes = await run.check_role((endpoint,))
    words = Context.of(account, run.provider, options.timeout)
    return explain([_evidence(outcomes[0])], words).attempts[0]


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
