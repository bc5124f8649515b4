"""The live check: reach every endpoint of a role at once, log in once per role, diagnose.

Public entry point: ``run_check``. The CLI and the TUI both call it; a ``progress`` callback
hears each endpoint's phases and results as they happen, and when both roles are decided.

How it spends the user's time and the account's patience:

* All endpoints of both roles are connected and secured concurrently (at most
  ``MAX_CONNECTIONS`` open at once), each bounded by the timeout; the whole check ends within
  timeout + 1 s. Happy Eyeballs (probes/connect.py) makes a dead IPv6 path cost 250 ms.
* Exactly one login per role, on the most preferred endpoint that is secured once every
  more preferred one has failed, or has had ``LOGIN_GRACE`` more to catch up (so a merely
  slow 465 still wins over 587, and a silent 465 does not hold up 587 for its whole
  timeout). A wrong password therefore costs one failed login per server, never one per
  port: providers lock accounts after repeated failures. A login that fails for another
  reason (the server hung up) moves on to the next endpoint, since that cannot count
  against the password.
* A role is decided once its login has an answer; the progress callback then hears
  ``Decided`` (when both are), so a screen can go on while a silent port still runs out
  its time for the details. Each attempt's time is its own: connecting, securing and its
  login, not the wait for its turn.
* A timeout names the stage that got no answer: the connection (``timeout``), the TLS
  handshake (``tls_stalled``) or the server after that (``server_silent``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from wizard.core.actions import action_for
from wizard.core.diagnosis import Context, address_families_sentence, describe, failed_alike
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
from wizard.core.probes.connect import dialling, out_of_files
from wizard.core.provider import Provider
from wizard.core.roundtrip import run_round_trip
from wizard.core.tls import certificate_info, certificate_probe_context, make_tls_context

log = logging.getLogger(__name__)

#: At most this many connections are open at once, whatever the provider file lists; the
#: rest wait for a free one (within the same time limit).
MAX_CONNECTIONS = 8
#: How long a secured endpoint waits for a more preferred one still on its way (seconds).
LOGIN_GRACE = 0.5
#: The whole check ends within timeout + this, counted from its start (the promise is
#: timeout + 1 s; the rest is for saying goodbye). A login that had to wait for a preferred
#: endpoint's timeout gets this long.
_DEADLINE_SLACK = 0.8
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


@dataclass
class _Outcome:
    """What is known about one endpoint while the check runs."""

    position: int
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
    #: Loop times: connecting began, secured, login began, finished (None: not yet).
    started: float | None = None
    secured: float | None = None
    login_started: float | None = None
    finished: float | None = None
    holds_slot: bool = False

    @property
    def reaching(self) -> bool:
        """Still connecting or securing (or waiting to start)."""
        return self.status is None and self.session is None and self.secured is None

    @property
    def elapsed_ms(self) -> int:
        """Its own time: connecting, securing and its login, not its wait for a turn."""
        if self.started is None:
            return 0
        end = next((t for t in (self.finished, self.secured) if t is not None), self.started)
        waited = 0.0
        if self.login_started is not None and self.secured is not None:
            waited = self.login_started - self.secured
        return max(0, round((end - self.started - waited) * 1000))

    def set_route(self, route: Route) -> None:
        """Keep what connecting learned (told by the probe as it goes)."""
        self.route = route


class _Role:
    """The endpoints of one role, and whether its one login has its answer."""

    def __init__(self, outcomes: list[_Outcome]) -> None:
        self.outcomes = outcomes
        #: Set whenever an endpoint of the role finishes or is secured.
        self.changed = asyncio.Event()
        self.decided: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closing: list[asyncio.Task[None]] = []

    def decide(self) -> None:
        if not self.decided.done():
            self.decided.set_result(None)

    def finished(self) -> list[_Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status is not None]


class _Run:
    """One check in progress: shared settings, the clock, the connection slots, reporting."""

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
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)

    def emit(self, event: Progress | Decided) -> None:
        if self.progress is None:
            return
        try:
            self.progress(event)
        except Exception:  # a display problem must never break the check
            log.exception("progress callback failed")

    def report(self, outcome: _Outcome, phase: Phase, attempt: Attempt | None = None) -> None:
        outcome.phase = phase
        self.emit(Progress(outcome.position, outcome.endpoint, phase, attempt))

    def done(self, outcome: _Outcome) -> None:
        """The endpoint has its result: say so, with preliminary words."""
        if outcome.finished is None:
            outcome.finished = self.loop.time()
        self.report(outcome, Phase.DONE, _attempt(outcome, Context(self.account.email)))

    def release(self, outcome: _Outcome) -> None:
        if outcome.holds_slot:
            outcome.holds_slot = False
            self.slots.release()

    async def reach(self, outcome: _Outcome, role: _Role) -> None:
        """Connect and secure one endpoint; never raises except on cancellation."""
        limit = min(self.start + self.options.timeout, self.deadline)
        try:
            async with asyncio.timeout_at(limit):
                await self.slots.acquire()
                outcome.holds_slot = True
                outcome.started = self.loop.time()
                self.report(outcome, Phase.CONNECTING)
                outcome.session = await open_mail_session(
                    outcome.endpoint, self.context, partial(self.report, outcome), outcome.set_route
                )
        except (ProbeFailure, TimeoutError, OSError, EOFError) as exc:
            stop = out_of_files(exc) if isinstance(exc, OSError) else None
            if stop is not None:  # wherever it surfaced (TLS, a thread): not the server
                self.release(outcome)
                raise stop from None
            _record_failure(outcome, exc, self.options.timeout)
        except BaseException:
            self.release(outcome)
            raise
        if outcome.status is None:
            outcome.secured = self.loop.time()
            if role.decided.done():  # too late for the login: reachable, and closed now
                outcome.status = Status.OK
                self.done(outcome)
                self.close_later(outcome, role)
            else:
                self.report(outcome, Phase.SECURED)
        else:
            try:
                if outcome.status.is_certificate_problem:
                    outcome.certificate = await self.read_certificate(outcome.endpoint)
            finally:
                self.release(outcome)
            self.done(outcome)
        role.changed.set()

    async def read_certificate(self, endpoint: Endpoint) -> CertificateInfo | None:
        """Fetch the certificate that failed verification, to show who issued it.

        A fresh connection with a non-verifying context (in the failed one's slot); it is
        closed right after the handshake and never carries a login.
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
        outcome.login_started = self.loop.time()
        self.report(outcome, Phase.LOGGING_IN)
        outcome.login_tested = True
        username = outcome.endpoint.username(self.account.email)
        try:
            async with asyncio.timeout_at(self.deadline):
                outcome.reply = await session.login(username, self.account.password)
            outcome.status = Status.OK
        except (ProbeFailure, TimeoutError, OSError, EOFError) as exc:
            _record_failure(outcome, exc, self.options.timeout)
        outcome.finished = self.loop.time()

    def next_login(self, role: _Role) -> tuple[_Outcome | None, float | None]:
        """The endpoint to log in on now, or None and when to look again (None: on news)."""
        for index, outcome in enumerate(role.outcomes):
            if outcome.session is None or outcome.status is not None or outcome.login_tested:
                continue
            # The most preferred secured endpoint: it goes first unless a more preferred
            # one is still on its way and may catch up within the grace.
            if not any(each.reaching for each in role.outcomes[:index]):
                return outcome, None
            assert outcome.secured is not None
            ready = outcome.secured + LOGIN_GRACE
            return (outcome, None) if self.loop.time() >= ready else (None, ready)
        return None, None

    async def log_in_once(self, role: _Role, tasks: list[asyncio.Task[None]]) -> None:
        """Log in on the best secured endpoint until one login is answered for good."""
        while True:
            role.changed.clear()
            candidate, wake = self.next_login(role)
            if candidate is not None:
                await self.login(candidate)
                self.done(candidate)
                self.close_later(candidate, role)
                # Success, or a refused password, settles the role; other failures
                # (a hang-up, a stall) let the next endpoint try.
                if candidate.status in (Status.OK, Status.AUTH_FAILED):
                    return
                continue
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    task.result()  # an endpoint's error (no file descriptor left) ends it all
            if all(task.done() for task in tasks):
                return
            delay = None if wake is None else max(0.0, wake - self.loop.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await role.changed.wait()

    def close_later(self, outcome: _Outcome, role: _Role) -> None:
        """Say goodbye on ``outcome``'s session in the background; its slot is then free."""
        session, outcome.session = outcome.session, None
        if session is None:
            self.release(outcome)
            return
        role.closing.append(asyncio.create_task(self.close(outcome, session)))

    async def close(self, outcome: _Outcome, session: MailSession) -> None:
        # Goodbyes are polite but must not stretch the check past its deadline.
        grace = min(1.0, max(0.05, self.deadline - self.loop.time()))
        try:
            await session.close(grace)
        except BaseException:
            session.abort()
            raise
        finally:
            self.release(outcome)

    async def check_role(self, role: _Role) -> None:
        """Reach every endpoint of a role at once, log in once, then let the rest finish."""
        for outcome in role.outcomes:
            self.report(outcome, Phase.WAITING)
        tasks = [asyncio.create_task(self.reach(outcome, role)) for outcome in role.outcomes]
        for task in tasks:  # an error ends a task without news from it: wake the login
            task.add_done_callback(lambda _task: role.changed.set())
        try:
            await self.log_in_once(role, tasks)
            role.decide()
            for outcome in role.outcomes:
                if outcome.session is not None and outcome.status is None:
                    # Reached securely, and the login was settled elsewhere.
                    outcome.status = Status.OK
                    self.done(outcome)
                    self.close_later(outcome, role)
            await asyncio.gather(*tasks)
            await asyncio.gather(*role.closing)
        finally:
            role.decide()  # whoever waits for it wakes, even after an error
            for task in tasks + role.closing:
                task.cancel()
            for outcome in role.outcomes:
                if outcome.session is not None:  # cancelled: drop at once, no goodbye
                    outcome.session.abort()
                    outcome.session = None
                self.release(outcome)

    async def check(self, incoming: _Role, outgoing: _Role) -> CheckReport:
        """Both roles at once; ``Decided`` as soon as both are; the report when all is done."""
        tasks = [asyncio.create_task(self.check_role(role)) for role in (incoming, outgoing)]
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
        self, incoming: list[_Outcome], outgoing: list[_Outcome], round_trip: RoundTrip | None
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
        self, incoming: list[_Outcome], outgoing: list[_Outcome]
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


def _record_failure(outcome: _Outcome, exc: BaseException, timeout: float) -> None:
    """Put an expected failure into the outcome as a status code and a detail."""
    if isinstance(exc, ProbeFailure):
        outcome.status, outcome.detail, outcome.reply = exc.status, exc.detail, exc.reply
        if exc.status is Status.TIMEOUT:  # a probe's own timeout: name its stage too
            outcome.status = _stalled(outcome)
    elif isinstance(exc, TimeoutError):  # before OSError: TimeoutError is one
        outcome.status = _stalled(outcome)
        outcome.detail = _timeout_detail(outcome, timeout)
    else:  # anything the probes did not classify
        outcome.status = Status.PROTOCOL_ERROR
        outcome.detail = f"the connection failed: {type(exc).__name__}"


def _stalled(outcome: _Outcome) -> Status:
    """What a timeout means at the stage it hit: nothing answered the connection, the TLS
    handshake stalled, or the server said nothing more once connected (and secured)."""
    connected = outcome.route is not None and outcome.route.address is not None
    if not connected and outcome.phase in (Phase.WAITING, Phase.CONNECTING):
        return Status.TIMEOUT
    if outcome.phase is Phase.SECURING:
        return Status.TLS_STALLED
    return Status.SERVER_SILENT


def _timeout_detail(outcome: _Outcome, timeout: float) -> str:
    limit = f"{timeout:g} s"
    status = _stalled(outcome)
    if outcome.started is None:
        return f"not tried: the time limit ({limit}) ran out while other servers were checked"
    if status is Status.TIMEOUT:
        return f"nothing answered the connection within the time limit ({limit})"
    if status is Status.TLS_STALLED:
        return f"the connection was accepted, but the TLS handshake got no answer ({limit})"
    if outcome.phase is Phase.LOGGING_IN:
        return f"connected and secured, but the login got no answer in time ({limit})"
    return f"connected, but the server said nothing within the time limit ({limit})"


def _attempt(outcome: _Outcome, context: Context) -> Attempt:
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
    outcomes: list[_Outcome], account: Account, provider: Provider, everything_alike: bool
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
        _Outcome(position, endpoint)
        for position, endpoint in enumerate(incoming_endpoints + provider.smtp)
    ]
    split = len(incoming_endpoints)
    with dialling(options.dial):
        return await run.check(_Role(outcomes[:split]), _Role(outcomes[split:]))


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
    outcome = _Outcome(0, endpoint)
    with dialling(options.dial):
        await run.check_role(_Role([outcome]))
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
