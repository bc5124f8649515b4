"""Reaching one role's endpoints: all at once (``MAX_CONNECTIONS`` at most), then one login
on the most preferred secured one once each preferred one failed or had ``LOGIN_GRACE`` (a
slow 465 still wins over 587; a silent one does not hold it up). A refused password settles
the role (providers lock accounts after repeated failures); a hang-up lets the next try."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from wizard.core.models import Account, CertificateInfo, CheckOptions, Endpoint, Phase, Status
from wizard.core.probes import MailSession, ProbeFailure, Route, open_mail_session
from wizard.core.probes.connect import out_of_files
from wizard.core.tls import certificate_info, certificate_probe_context

#: Connections open at once, whatever the provider file lists.
MAX_CONNECTIONS = 8
#: How long a secured endpoint waits for a more preferred one still on its way.
LOGIN_GRACE = 0.5
#: The check ends within timeout + this (promised: + 1 s, the rest for goodbyes): time for a
#: login that waited out a preferred endpoint's timeout.
DEADLINE_SLACK = 0.8


@dataclass
class Outcome:
    """What is known about one endpoint while the check runs."""

    position: int
    endpoint: Endpoint
    status: Status | None = None
    detail: str = ""
    reply: str | None = None
    login_tested: bool = False
    certificate: CertificateInfo | None = None
    route: Route | None = None
    session: MailSession | None = field(default=None, repr=False)
    phase: Phase = Phase.WAITING
    started: float | None = None
    secured: float | None = None
    login_started: float | None = None
    finished: float | None = None
    holds_slot: bool = False

    @property
    def reaching(self) -> bool:
        """Still waiting, connecting or securing."""
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


class Role:
    """The endpoints of one role, and whether its one login has its answer."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        self.outcomes = outcomes
        #: Set whenever an endpoint finishes or is secured.
        self.changed = asyncio.Event()
        self.decided: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closing: list[asyncio.Task[None]] = []

    def decide(self) -> None:
        if not self.decided.done():
            self.decided.set_result(None)

    def finished(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status is not None]


#: Told whenever an endpoint enters a phase (its ``phase``), Phase.DONE with its result.
NewsCallback = Callable[[Outcome], None]


class Reacher:
    """One check's connections: the clock and its deadline, the connection slots, logins."""

    def __init__(
        self,
        account: Account,
        options: CheckOptions,
        context: ssl.SSLContext,
        started: float,
        on_news: NewsCallback,
    ) -> None:
        self.account = account
        self.options = options
        self.context = context
        self.on_news = on_news
        self.loop = asyncio.get_running_loop()
        self.start = self.loop.time()
        # From ``started``: loading the CA files first cannot stretch the check.
        self.deadline = started + options.timeout + DEADLINE_SLACK
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)

    def report(self, outcome: Outcome, phase: Phase) -> None:
        outcome.phase = phase
        self.on_news(outcome)

    def done(self, outcome: Outcome) -> None:
        if outcome.finished is None:
            outcome.finished = self.loop.time()
        self.report(outcome, Phase.DONE)

    def release(self, outcome: Outcome) -> None:
        if outcome.holds_slot:
            outcome.holds_slot = False
            self.slots.release()

    async def reach(self, outcome: Outcome, role: Role) -> None:
        """Connect and secure one endpoint; never raises except on cancellation."""
        limit = min(self.start + self.options.timeout, self.deadline)
        try:
            async with asyncio.timeout_at(limit):
                await self.slots.acquire()
                outcome.holds_slot = True
                outcome.started = self.loop.time()
                self.report(outcome, Phase.CONNECTING)
                outcome.session = await open_mail_session(
                    outcome.endpoint,
                    self.context,
                    partial(self.report, outcome),
                    partial(setattr, outcome, "route"),
                )
        except (ProbeFailure, TimeoutError, OSError, EOFError) as exc:
            stop = out_of_files(exc) if isinstance(exc, OSError) else None
            if stop is not None:  # wherever it surfaced: not the server
                self.release(outcome)
                raise stop from None
            record_failure(outcome, exc, self.options.timeout)
        except BaseException:
            self.release(outcome)
            raise
        if outcome.status is None:
            outcome.secured = self.loop.time()
            if role.decided.done():  # too late for the login
                self.reachable(outcome, role)
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
        """The certificate that failed verification, to show who issued it: read on a fresh,
        non-verifying connection (in the failed one's slot) that never carries a login."""
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

    async def login(self, outcome: Outcome) -> None:
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
            record_failure(outcome, exc, self.options.timeout)
        outcome.finished = self.loop.time()

    def next_login(self, role: Role) -> tuple[Outcome | None, float | None]:
        """The endpoint to log in on now, or None and when to look again (None: on news)."""
        for index, outcome in enumerate(role.outcomes):
            if outcome.session is None or outcome.status is not None or outcome.login_tested:
                continue
            if not any(each.reaching for each in role.outcomes[:index]):
                return outcome, None
            assert outcome.secured is not None
            ready = outcome.secured + LOGIN_GRACE
            return (outcome, None) if self.loop.time() >= ready else (None, ready)
        return None, None

    async def log_in_once(self, role: Role, tasks: list[asyncio.Task[None]]) -> None:
        """Log in on the best secured endpoint until one login is answered for good."""
        while True:
            role.changed.clear()
            candidate, wake = self.next_login(role)
            if candidate is not None:
                await self.login(candidate)
                self.done(candidate)
                self.close_later(candidate, role)
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

    def reachable(self, outcome: Outcome, role: Role) -> None:
        """Reached securely while the login was settled elsewhere: OK, and closed now."""
        outcome.status = Status.OK
        self.done(outcome)
        self.close_later(outcome, role)

    def close_later(self, outcome: Outcome, role: Role) -> None:
        """Say goodbye in the background; the slot is then free."""
        session, outcome.session = outcome.session, None
        if session is None:
            self.release(outcome)
            return
        role.closing.append(asyncio.create_task(self.close(outcome, session)))

    async def close(self, outcome: Outcome, session: MailSession) -> None:
        grace = min(1.0, max(0.05, self.deadline - self.loop.time()))
        try:
            await session.close(grace)
        except BaseException:
            session.abort()
            raise
        finally:
            self.release(outcome)

    async def check_role(self, role: Role) -> None:
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
                    self.reachable(outcome, role)
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


def record_failure(outcome: Outcome, exc: BaseException, timeout: float) -> None:
    if isinstance(exc, ProbeFailure):
        outcome.status, outcome.detail, outcome.reply = exc.status, exc.detail, exc.reply
        if exc.status is Status.TIMEOUT:  # a probe's own timeout: name its stage
            outcome.status = stalled(outcome)
    elif isinstance(exc, TimeoutError):  # before OSError: TimeoutError is one
        outcome.status = stalled(outcome)
        outcome.detail = _timeout_detail(outcome, timeout)
    else:  # anything the probes did not classify
        outcome.status = Status.PROTOCOL_ERROR
        outcome.detail = f"the connection failed: {type(exc).__name__}"


def stalled(outcome: Outcome) -> Status:
    """What a timeout means at the stage it hit."""
    connected = outcome.route is not None and outcome.route.address is not None
    if not connected and outcome.phase in (Phase.WAITING, Phase.CONNECTING):
        return Status.TIMEOUT
    if outcome.phase is Phase.SECURING:
        return Status.TLS_STALLED
    return Status.SERVER_SILENT


def _timeout_detail(outcome: Outcome, timeout: float) -> str:
    limit = f"{timeout:g} s"
    status = stalled(outcome)
    if outcome.started is None:
        return f"not tried: the time limit ({limit}) ran out while other servers were checked"
    if status is Status.TIMEOUT:
        return f"nothing answered the connection within the time limit ({limit})"
    if status is Status.TLS_STALLED:
        return f"the connection was accepted, but the TLS handshake got no answer ({limit})"
    if outcome.phase is Phase.LOGGING_IN:
        return f"connected and secured, but the login got no answer in time ({limit})"
    return f"connected, but the server said nothing within the time limit ({limit})"
