"""One half of the account on the check screen: "Receiving mail" or "Sending mail": what
it is doing and for how long while the check runs, then whether it works, in plain words."""

from __future__ import annotations

from wizard.core.models import Attempt, Endpoint, Phase, Role, Status
from wizard.core.verdict import RoleLine
from wizard.widgets.endpoint_row import StatusRow

ROLE_NAMES = {Role.INCOMING: "Receiving mail", Role.OUTGOING: "Sending mail"}

#: What a half is doing, by its endpoints' phases: the one that tells most first.
DOING = {
    Phase.LOGGING_IN: "logging in on port {port}…",
    Phase.SECURING: "setting up encryption on port {port}… ({limit})",
    Phase.GREETING: "waiting for the server on port {port}… ({limit})",
    Phase.CONNECTING: "connecting to {host} ({ports})… ({limit})",
    Phase.SECURED: "port {port} is ready; waiting for port {other} first ({limit})",
    Phase.WAITING: "waiting to start…",
}


class RoleRow(StatusRow):
    """A row for one role: its name (with the protocol), what it does or did, the time."""

    DEFAULT_CSS = """
    RoleRow {
        /* A status too long for the line wraps onto the next one, never cut off. */
        height: auto;
        & > .row-name { width: 23; text-style: bold; }
        & > .row-time { width: 7; color: $text-muted; }
    }
    """

    def __init__(self, role: Role, endpoints: dict[int, Endpoint], *, timeout: float) -> None:
        """A waiting row for ``role``'s ``endpoints`` (by position in the check, in
        preference order)."""
        first = next(iter(endpoints.values()), None)
        protocol = first.protocol.label if first is not None else ""
        super().__init__(f"{ROLE_NAMES[role]} ({protocol})", id=f"role-{role.value}")
        self.role = role
        self.endpoints = endpoints
        self.timeout = timeout
        self.phases: dict[int, Phase] = {}

    def reset(self) -> None:
        self.phases.clear()
        self.restart()

    def advance(self, position: int, phase: Phase, attempt: Attempt | None, now: float) -> None:
        """The endpoint at ``position`` moved on (``attempt`` is its result when DONE)."""
        if self.done or not self.start(phase, now):
            return
        self.phases[position] = phase
        # The role's one login has its answer: that is the role's result, shown now with
        # its own time, whatever other ports are still waiting for.
        if (
            phase is Phase.DONE
            and attempt is not None
            and attempt.login_tested
            and (attempt.ok or attempt.status is Status.AUTH_FAILED)
        ):
            port = attempt.endpoint.port
            words = f"logged in on port {port}" if attempt.ok else f"login refused (port {port})"
            self.finish(RoleLine(self.role, attempt.ok, words), attempt.elapsed_ms)
            return
        self.tick(now)

    def tick(self, now: float) -> None:
        if self.done or self.cancelled:
            return
        if self.started is None:
            self.show("waiting", "", "-waiting")
        else:
            self.spin(self.doing(), now)

    def doing(self) -> str:
        """What the role is doing now, in words: the most telling endpoint's phase."""
        active = {n: p for n, p in self.phases.items() if p is not Phase.DONE}
        for phase, words in DOING.items():
            ports = [e.port for n, e in self.endpoints.items() if active.get(n) is phase]
            if not ports:
                continue
            other = next(
                (e.port for n, e in self.endpoints.items() if n in active and e.port != ports[0]),
                None,
            )
            if phase is Phase.SECURED and other is None:
                return f"port {ports[0]} is ready, logging in next…"
            return words.format(
                port=ports[0],
                ports=", ".join(str(port) for port in ports),
                other=other,
                host=next(iter(self.endpoints.values())).host,
                limit=f"up to {self.timeout:g} s",
            )
        return "finishing…"

    def finish(self, line: RoleLine, elapsed_ms: int) -> None:
        self.show_result(f"{'✓' if line.works else '✗'} {line.words}", line.works, elapsed_ms)
