"""One half of the account on the check screen: "Receiving mail" or "Sending mail".

While the check runs it says what it is doing and for how long (connecting, securing,
logging in, or which port it waits for and until when); when it is done, whether that half
works, in plain words with the ports as detail.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from wizard.core.models import Attempt, CheckReport, Endpoint, Phase, Role, Status
from wizard.core.verdict import RoleLine, role_lines
from wizard.widgets.endpoint_row import SPINNER, seconds

ROLE_NAMES = {Role.INCOMING: "Receiving mail", Role.OUTGOING: "Sending mail"}

# The phase that tells most about where a half is, first.
_ORDER = (
    Phase.LOGGING_IN,
    Phase.SECURING,
    Phase.GREETING,
    Phase.CONNECTING,
    Phase.SECURED,
    Phase.WAITING,
)


class RoleRow(Horizontal):
    """A row for one role: its name (with the protocol), what it does or did, the time."""

    DEFAULT_CSS = """
    RoleRow {
        /* A status too long for the line wraps onto the next one, never cut off. */
        height: auto;
        padding: 0 1;
        & > .role-name { width: 23; text-style: bold; }
        & > .role-status { width: 1fr; }
        & > .role-time { width: 7; text-align: right; color: $text-muted; }
        &.-running > .role-status { color: $text-accent; }
        &.-ok > .role-status { color: $text-success; }
        &.-failed > .role-status { color: $text-error; }
        &.-cancelled > .role-status { color: $text-warning; }
        &.-waiting > .role-status { color: $text-muted; }
    }
    """

    def __init__(self, role: Role, endpoints: dict[int, Endpoint], *, timeout: float) -> None:
        """A waiting row for ``role``'s ``endpoints`` (by position in the check, in
        preference order)."""
        super().__init__(id=f"role-{role.value}", classes="-waiting")
        self.role = role
        self.endpoints = endpoints
        self.timeout = timeout
        self.phases: dict[int, Phase] = {}
        self.attempts: dict[int, Attempt] = {}
        self.started: float | None = None
        self.finished = False
        self.cancelled = False

    def compose(self) -> ComposeResult:
        """Name, status, time."""
        first = next(iter(self.endpoints.values()), None)
        protocol = first.protocol.label if first is not None else ""
        yield Label(f"{ROLE_NAMES[self.role]} ({protocol})", classes="role-name", markup=False)
        yield Label("waiting", classes="role-status", markup=False)
        yield Label("", classes="role-time")

    def reset(self) -> None:
        """Back to waiting, for a retry."""
        self.phases.clear()
        self.attempts.clear()
        self.started = None
        self.finished = False
        self.cancelled = False
        self._show("waiting", "", "-waiting")

    def advance(self, position: int, phase: Phase, attempt: Attempt | None, now: float) -> None:
        """The endpoint at ``position`` moved on (``attempt`` is its result when DONE)."""
        if self.finished or self.cancelled:
            return
        if self.started is None and phase is not Phase.WAITING:
            self.started = now
        self.phases[position] = phase
        if phase is Phase.DONE and attempt is not None:
            self.attempts[position] = attempt
            if attempt.login_tested and (attempt.ok or attempt.status is Status.AUTH_FAILED):
                # The role's one login has its answer: that is the role's result, shown
                # now with its own time, whatever other ports are still waiting for.
                port = attempt.endpoint.port
                words = (
                    f"✓ logged in on port {port}"
                    if attempt.ok
                    else f"✗ login refused (port {port})"
                )
                self.finished = True
                self._show(
                    words, seconds(attempt.elapsed_ms / 1000), "-ok" if attempt.ok else "-failed"
                )
                return
        self.tick(now)

    def tick(self, now: float) -> None:
        """Say what the role is waiting for, and for how long so far."""
        if self.finished or self.cancelled:
            return
        if self.started is None:
            self._show("waiting", "", "-waiting")
            return
        spinner = SPINNER[int(now * 10) % len(SPINNER)]
        elapsed = max(0.0, now - self.started)
        self._show(f"{spinner} {self._doing()}", seconds(elapsed), "-running")

    def _doing(self) -> str:
        """What the role is doing now, in words: the most telling endpoint's phase."""
        active = {n: p for n, p in self.phases.items() if p is not Phase.DONE}
        for phase in _ORDER:
            ports = [e.port for n, e in self.endpoints.items() if active.get(n) is phase]
            if not ports:
                continue
            port = ports[0]
            limit = f"up to {self.timeout:g} s"
            if phase is Phase.LOGGING_IN:
                return f"logging in on port {port}…"
            if phase is Phase.SECURING:
                return f"setting up encryption on port {port}… ({limit})"
            if phase is Phase.GREETING:
                return f"waiting for the server on port {port}… ({limit})"
            if phase is Phase.CONNECTING:
                host = next(iter(self.endpoints.values())).host
                listed = ", ".join(str(p) for p in ports)
                return f"connecting to {host} ({listed})… ({limit})"
            if phase is Phase.SECURED:
                first = next(
                    (e.port for n, e in self.endpoints.items() if n in active and e.port != port),
                    None,
                )
                if first is not None:
                    return f"port {port} is ready; waiting for port {first} first ({limit})"
                return f"port {port} is ready, logging in next…"
            return "waiting to start…"
        return "finishing…"

    def finish(self, line: RoleLine, elapsed_ms: int) -> None:
        """The role's result, in the core's words."""
        self.finished = True
        mark = "✓" if line.works else "✗"
        self._show(
            f"{mark} {line.words}", seconds(elapsed_ms / 1000), "-ok" if line.works else "-failed"
        )

    def cancel(self, now: float) -> None:
        """The check was cancelled before this role finished."""
        if self.finished:
            return
        elapsed = "" if self.started is None else seconds(max(0.0, now - self.started))
        self.cancelled = True
        self._show("cancelled", elapsed, "-cancelled")

    @property
    def status_text(self) -> str:
        """What the row says now (for tests and screen readers)."""
        return str(self.query_one(".role-status", Label).content)

    def _show(self, status: str, elapsed: str, state: str) -> None:
        self.query_one(".role-status", Label).update(status)
        self.query_one(".role-time", Label).update(elapsed)
        for name in ("-waiting", "-running", "-ok", "-failed", "-cancelled"):
            self.set_class(name == state, name)


class RoleRows(Vertical):
    """Receiving and sending: a row each."""

    DEFAULT_CSS = "RoleRows { height: auto; }"

    def __init__(
        self, endpoints: Sequence[Endpoint], *, timeout: float, id: str | None = None
    ) -> None:
        """Waiting rows for the roles of ``endpoints`` (positions as in the check)."""
        super().__init__(
            *(
                RoleRow(
                    role, {n: e for n, e in enumerate(endpoints) if e.role is role}, timeout=timeout
                )
                for role in (Role.INCOMING, Role.OUTGOING)
            ),
            id=id,
        )

    def row(self, role: Role) -> RoleRow:
        """The row of ``role``."""
        return self.query_one(f"#role-{role.value}", RoleRow)

    def show(self, report: CheckReport) -> None:
        """Each role's result in ``report``, in the core's words."""
        for line in role_lines(report):
            used = report.incoming if line.role is Role.INCOMING else report.outgoing
            self.row(line.role).finish(line, used.elapsed_ms)
