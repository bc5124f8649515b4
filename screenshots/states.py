"""Every screen state of the wizard a user can reach, as data: a name, and how to drive a
fresh app to it with prepared data (fixed clock, fixed dates, no network), through the same
methods the live check and the flow use.

``tests/test_snapshots.py`` pins each state as an SVG at 80x24 and 120x40, and
``make_screenshots.py`` draws them for the README, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail
from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.keyring_backends import MemoryKeyring  # noqa: E402
from wizard.app import WizardApp  # noqa: E402
from wizard.core import secrets  # noqa: E402
from wizard.core.check import Progress  # noqa: E402
from wizard.core.diagnosis import Context, explain  # noqa: E402
from wizard.core.export import ExportedProfile  # noqa: E402
from wizard.core.instructions import IOS_14_17, IOS_18_26_27, IosLayout  # noqa: E402
from wizard.core.models import (  # noqa: E402
    Account,
    Attempt,
    CertificateInfo,
    CheckOptions,
    CheckReport,
    Endpoint,
    IncomingChoice,
    MailSettings,
    Phase,
    RoundTrip,
    Status,
)
from wizard.core.provider import Provider, builtin_provider  # noqa: E402
from wizard.core.repair.answer import RepairAnswer, diagnose_repair  # noqa: E402
from wizard.core.repair.symptoms import PhoneSettings, Symptom  # noqa: E402
from wizard.core.target import Target  # noqa: E402
from wizard.demo.practice import DEMO_BANNER, PRACTICE  # noqa: E402
from wizard.screens.account import AccountForm, AccountScreen  # noqa: E402
from wizard.screens.check import CheckScreen  # noqa: E402
from wizard.screens.error import ErrorScreen  # noqa: E402
from wizard.screens.export import ExportScreen  # noqa: E402
from wizard.screens.instructions import InstructionsScreen  # noqa: E402
from wizard.screens.repair import RepairScreen  # noqa: E402
from wizard.screens.result import ResultScreen  # noqa: E402
from wizard.screens.send import SendScreen  # noqa: E402
from wizard.screens.symptom import SymptomScreen  # noqa: E402

#: The password typed in every pictured state. No picture may contain it (a test checks).
PICTURE_PASSWORD = "Pict-ure-S3cret-77"
EMAIL = "alex.example@mail.com"
NAME = "Alex Example"
HOME = Path("/home/alex")
CHECKED_AT = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)
DEMO_PASSWORD = "practice-password"
DEMO_EMAIL = "demo@mail.com"

PROVIDER: Provider = builtin_provider()
IMAP_993, IMAP_143 = PROVIDER.imap[0], PROVIDER.imap[1]
SMTP_465, SMTP_587 = PROVIDER.smtp[0], PROVIDER.smtp[1]
ACCOUNT = Account(email=EMAIL, password=PICTURE_PASSWORD, name=NAME)


class FrozenClock:
    """A clock the pictures control, so elapsed times never vary."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- prepared attempts: what the engine saw; ``report`` words them as the engine does ------


def attempt(
    endpoint: Endpoint,
    status: Status,
    *,
    login_tested: bool = False,
    reply: str | None = None,
    elapsed_ms: int = 240,
    certificate: CertificateInfo | None = None,
    detail: str = "",
) -> Attempt:
    """What the engine saw of one endpoint (the words come from ``report``)."""
    return Attempt(
        endpoint=endpoint,
        status=status,
        server_reply=reply,
        elapsed_ms=elapsed_ms,
        login_tested=login_tested,
        certificate=certificate,
        detail=detail,
    )


def ok(endpoint: Endpoint, *, login: bool, elapsed_ms: int = 180) -> Attempt:
    """A working endpoint: logged in, or only reached (the role's login was elsewhere)."""
    return attempt(endpoint, Status.OK, login_tested=login, elapsed_ms=elapsed_ms)


INTERCEPTOR = CertificateInfo(
    subject="CN=imap.mail.com",
    issuer="CN=Mail Shield Root,O=Antivirus Web/Mail Shield",
    not_before=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    sha256="5E:" * 31 + "5E",
)
EXPIRED = CertificateInfo(
    subject="CN=imap.mail.com",
    issuer="CN=GeoTrust TLS RSA CA G1, O=DigiCert Inc",
    not_before=dt.datetime(2023, 3, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    sha256="AB:" * 31 + "AB",
)
WRONG_HOST = CertificateInfo(
    subject="CN=mail.shared-hosting.example",
    issuer="CN=R11, O=Let's Encrypt",
    not_before=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2025, 6, 30, tzinfo=dt.UTC),
    sha256="CD:" * 31 + "CD",
)
AUTH_REPLY = "[AUTHENTICATIONFAILED] Authentication failed."
SMTP_AUTH_REPLY = "535 Authentication credentials invalid"


def report(
    attempts: list[Attempt],
    incoming: Attempt,
    outgoing: Attempt,
    *,
    round_trip: RoundTrip | None = None,
    choice: IncomingChoice = IncomingChoice.IMAP,
) -> CheckReport:
    """A CheckReport at the pictures' fixed time, worded as the engine words a check."""
    explained = explain(attempts, Context(email=EMAIL))
    worded = dict(zip(attempts, explained.attempts, strict=True))
    return CheckReport(
        email=EMAIL,
        incoming_choice=choice,
        attempts=explained.attempts,
        incoming=worded[incoming],
        outgoing=worded[outgoing],
        checked_at=CHECKED_AT,
        round_trip=round_trip,
    )


def verified_report() -> CheckReport:
    """Everything works."""
    a = [
        ok(IMAP_993, login=True),
        ok(IMAP_143, login=False),
        ok(SMTP_465, login=True),
        ok(SMTP_587, login=False),
    ]
    return report(a, a[0], a[2])


def fallback_report() -> CheckReport:
    """SMTP 465 blocked by the network; 587 works and is used."""
    blocked = attempt(
        SMTP_465,
        Status.TIMEOUT,
        elapsed_ms=10000,
        detail="no answer within 10 s while connecting",
    )
    a = [
        ok(IMAP_993, login=True),
        ok(IMAP_143, login=False),
        blocked,
        ok(SMTP_587, login=True),
    ]
    return report(a, a[0], a[3])


def failure_report(fail: Callable[[Endpoint], Attempt], *, smtp_ok: bool = True) -> CheckReport:
    """Incoming fails on both ports the same way (each with its own advice); SMTP works."""
    first, second = fail(IMAP_993), fail(IMAP_143)
    if smtp_ok:
        smtp = [ok(SMTP_465, login=True), ok(SMTP_587, login=False)]
    else:
        smtp = [fail(SMTP_465), fail(SMTP_587)]
    return report([first, second, *smtp], first, smtp[0])


def wrong_password_report() -> CheckReport:
    """As the engine reports it: one refused login per server, the other ports not retried."""
    a = [
        attempt(IMAP_993, Status.AUTH_FAILED, login_tested=True, reply=AUTH_REPLY),
        ok(IMAP_143, login=False),
        attempt(SMTP_465, Status.AUTH_FAILED, login_tested=True, reply=SMTP_AUTH_REPLY),
        ok(SMTP_587, login=False),
    ]
    return report(a, a[0], a[2])


def no_starttls_report() -> CheckReport:
    """Port 993 is blocked and 143 offers no STARTTLS (something strips it): no way in.

    The STARTTLS failure is the more telling one (the engine's order), so it is the
    problem shown, with its own advice.
    """
    blocked = attempt(
        IMAP_993,
        Status.TIMEOUT,
        elapsed_ms=10000,
        detail="no answer to the connection within 10 s",
    )
    stripped = attempt(
        IMAP_143,
        Status.STARTTLS_UNAVAILABLE,
        detail="the server did not offer STARTTLS",
        reply="* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] IMAP server ready",
    )
    a = [
        blocked,
        stripped,
        ok(SMTP_465, login=True),
        ok(SMTP_587, login=False),
    ]
    return report(a, stripped, a[2])


FAILURES: dict[str, Callable[[], CheckReport]] = {
    "wrong-password": lambda: wrong_password_report(),
    "intercepted": lambda: failure_report(
        lambda ep: attempt(ep, Status.CERTIFICATE_UNTRUSTED, certificate=INTERCEPTOR)
    ),
    "expired": lambda: failure_report(
        lambda ep: attempt(ep, Status.CERTIFICATE_EXPIRED, certificate=EXPIRED)
    ),
    "wrong-host": lambda: failure_report(
        lambda ep: attempt(ep, Status.CERTIFICATE_HOSTNAME_MISMATCH, certificate=WRONG_HOST)
    ),
    "refused": lambda: failure_report(
        lambda ep: attempt(
            ep,
            Status.CONNECTION_REFUSED,
            elapsed_ms=20,
            detail=f"{ep.host} refused the connection on port {ep.port}",
        )
    ),
    "timeout": lambda: failure_report(
        lambda ep: attempt(ep, Status.TIMEOUT, elapsed_ms=10000, detail="no answer within 10 s")
    ),
    "dns": lambda: failure_report(
        lambda ep: attempt(
            ep,
            Status.DNS_FAILED,
            elapsed_ms=35,
            detail=f"cannot look up {ep.host}: Name or service not known",
        )
    ),
    "tls": lambda: failure_report(
        lambda ep: attempt(ep, Status.TLS_FAILED, detail="the secure handshake did not complete")
    ),
    "no-starttls": lambda: no_starttls_report(),
    "protocol": lambda: failure_report(
        lambda ep: attempt(
            ep,
            Status.PROTOCOL_ERROR,
            reply="* BYE Service unavailable",
            detail="the server said goodbye instead of hello",
        )
    ),
}


def unreachable_report() -> CheckReport:
    """Nothing answers on any server or port: this computer seems offline."""
    return failure_report(
        lambda ep: attempt(ep, Status.TIMEOUT, elapsed_ms=10000, detail="no answer within 10 s"),
        smtp_ok=False,
    )


def practice_report() -> CheckReport:
    """The demo with its 465 blocked: the practice server's ports stand for mail.com's."""
    ports = {
        endpoint: replace(endpoint, host="127.0.0.1", port=40000 + index)
        for index, endpoint in enumerate((IMAP_993, IMAP_143, SMTP_465, SMTP_587))
    }
    blocked = attempt(
        ports[SMTP_465],
        Status.TIMEOUT,
        elapsed_ms=10000,
        detail="no answer within 10 s while connecting",
    )
    a = [
        ok(ports[IMAP_993], login=True, elapsed_ms=240),
        ok(ports[IMAP_143], login=False, elapsed_ms=240),
        blocked,
        ok(ports[SMTP_587], login=True, elapsed_ms=240),
    ]
    return replace(report(a, a[0], a[3]), email=DEMO_EMAIL)


def settings(
    *, verified: bool = True, choice: IncomingChoice = IncomingChoice.IMAP, practice: bool = False
) -> MailSettings:
    """What the result, steps and export screens show (``practice``: as the demo shows them)."""
    return MailSettings(
        email=DEMO_EMAIL if practice else EMAIL,
        caveat=PRACTICE if practice else None,
        incoming_choice=choice,
        incoming=IMAP_993 if choice is IncomingChoice.IMAP else PROVIDER.pop3[0],
        outgoing=SMTP_465,
        verified=verified,
        name=NAME,
        checked_at=CHECKED_AT if verified else None,
    )


# -- the states --------------------------------------------------------------------------

Setup = Callable[[Pilot[None]], Awaitable[None]]


@dataclass(frozen=True)
class State:
    """One picture: a name, and how to drive a fresh app to it."""

    name: str
    setup: Setup
    demo: bool = False


def build_app(state: State) -> WizardApp:
    """A wizard with the pictures' provider, a frozen clock and a fixed home folder."""
    demo = Target(
        PROVIDER,
        CheckOptions(timeout=10),
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        banner=DEMO_BANNER,
        keyring=False,
        caveat=PRACTICE,
    )
    return WizardApp(
        demo if state.demo else Target(PROVIDER, CheckOptions(timeout=10)),
        clock=FrozenClock(),
        home=HOME,
    )


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen catch up.

    A worker may start another one from its last callback (the keyring probe starts the
    password lookup), so wait until no worker is left twice in a row, not just once.
    """
    quiet = 0
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet = quiet + 1 if not pilot.app.workers else 0
        if quiet == 2:
            break
    # A blinking cursor is caught on or off depending on the machine's speed: hold it on.
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()


async def welcome(pilot: Pilot[None]) -> None:
    await settle(pilot)


def account_state(
    *,
    form: AccountForm | None = None,
    backend: KeyringBackend | None = None,
    email_text: str | None = None,
    press: tuple[str, ...] = (),
) -> Setup:
    async def setup(pilot: Pilot[None]) -> None:
        keyring.set_keyring(backend or MemoryKeyring())
        await pilot.app.push_screen(AccountScreen(PROVIDER, previous=form))
        await settle(pilot)
        if email_text is not None:
            pilot.app.screen.query_one("#email").value = email_text  # type: ignore[attr-defined]
        if press:
            await pilot.press(*press)
        await settle(pilot)

    return setup


def remembered_keyring() -> KeyringBackend:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:  # remembered as the wizard does it: for the pictures' provider's servers
        secrets.remember_password(EMAIL, PICTURE_PASSWORD, PROVIDER)
    finally:
        keyring.set_keyring(previous)
    return backend


async def account_remembered(pilot: Pilot[None]) -> None:
    keyring.set_keyring(remembered_keyring())
    await pilot.app.push_screen(AccountScreen(PROVIDER))
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#name").value = NAME  # type: ignore[attr-defined]
    screen.query_one("#email").value = EMAIL  # type: ignore[attr-defined]
    await settle(pilot)


async def account_pop_only(pilot: Pilot[None]) -> None:
    """A provider file with POP3 servers only: IMAP is disabled, and a line says why."""
    keyring.set_keyring(MemoryKeyring())
    pop_only = replace(PROVIDER, display_name="Example Mail", imap=())
    await pilot.app.push_screen(AccountScreen(pop_only, previous=FILLED))
    await settle(pilot)


async def account_password_refused(pilot: Pilot[None]) -> None:
    """Back from a refused password: the password focused, a note under it."""
    keyring.set_keyring(MemoryKeyring())
    app = pilot.app
    assert isinstance(app, WizardApp)
    app.state.form = FILLED
    note = app._refused_note(FILLED)
    await app.push_screen(AccountScreen(PROVIDER, previous=FILLED, password_note=note))
    await settle(pilot)


async def check_details(pilot: Pilot[None]) -> None:
    """A refused password with the Details key pressed: ports, server words, codes."""
    await check_finished(FAILURES["wrong-password"])(pilot)
    await pilot.press("d")
    await settle(pilot)


def check_screen(pilot: Pilot[None], *, round_trip: bool = False) -> CheckScreen:
    app = pilot.app
    assert isinstance(app, WizardApp)
    return CheckScreen(
        ACCOUNT,
        PROVIDER,
        CheckOptions(timeout=10, round_trip=round_trip),
        clock=app.clock,
        autostart=False,
    )


async def check_running(pilot: Pilot[None]) -> None:
    """Rows part way through, fed through the progress callback's code path."""
    app = pilot.app
    assert isinstance(app, WizardApp) and isinstance(app.clock, FrozenClock)
    screen = check_screen(pilot)
    await app.push_screen(screen)
    await settle(pilot)
    # Positions in the check: IMAP 993, 143, then SMTP 465, 587.
    for position, endpoint in enumerate((IMAP_993, IMAP_143, SMTP_465, SMTP_587)):
        screen.apply_progress(Progress(position, endpoint, Phase.CONNECTING))
    app.clock.now += 0.4
    screen.apply_progress(Progress(0, IMAP_993, Phase.SECURING))
    screen.apply_progress(Progress(1, IMAP_143, Phase.SECURING))
    screen.apply_progress(Progress(3, SMTP_587, Phase.SECURING))
    app.clock.now += 0.3
    screen.apply_progress(Progress(0, IMAP_993, Phase.LOGGING_IN))
    app.clock.now += 0.5
    await settle(pilot)


def check_finished(make_report: Callable[[], CheckReport], *, round_trip: bool = False) -> Setup:
    async def setup(pilot: Pilot[None]) -> None:
        screen = check_screen(pilot, round_trip=round_trip)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        finished = make_report()
        for position, each in enumerate(finished.attempts):
            screen.apply_progress(Progress(position, each.endpoint, Phase.DONE, each))
        screen.finish(finished)
        await settle(pilot)

    return setup


def round_trip_report() -> CheckReport:
    return replace(verified_report(), round_trip=RoundTrip(Status.OK, 4200))


async def check_cancelled(pilot: Pilot[None]) -> None:
    await check_running(pilot)
    await pilot.press("escape")
    await settle(pilot)


async def check_confirm_unverified(pilot: Pilot[None]) -> None:
    await check_finished(FAILURES["wrong-password"])(pilot)
    await pilot.click("#continue-unverified")
    await settle(pilot)


def result(*, verified: bool, practice: bool = False) -> Setup:
    async def setup(pilot: Pilot[None]) -> None:
        shown = settings(verified=verified, practice=practice)
        await pilot.app.push_screen(ResultScreen(shown))
        await settle(pilot)

    return setup


def instructions(*, key: str = "1", verified: bool = True, practice: bool = False) -> Setup:
    """The steps, with the tab that key ``key`` shows (1: iOS 18, 26, 27; 2: 14-17; 3: 11-13)."""

    async def setup(pilot: Pilot[None]) -> None:
        shown = settings(verified=verified, practice=practice)
        await pilot.app.push_screen(InstructionsScreen(shown, home=HOME))
        await settle(pilot)
        if key != "1":
            await pilot.press(key)
            await settle(pilot)

    return setup


def export(*, click: tuple[str, ...] = (), verified: bool = True) -> Setup:
    async def setup(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(
            ExportScreen(settings(verified=verified), PICTURE_PASSWORD, home=HOME)
        )
        await settle(pilot)
        for selector in click:
            await pilot.click(selector)
        await settle(pilot)

    return setup


async def export_written(pilot: Pilot[None]) -> None:
    """The written state, shown through the method the write worker calls."""
    screen = ExportScreen(settings(), PICTURE_PASSWORD, home=HOME)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    screen._written(
        ExportedProfile(
            HOME / f"mailcom-{EMAIL}.mobileconfig", b"", contains_password=False, signed=False
        )
    )
    await settle(pilot)


PICTURE_URL = "http://192.168.1.23:49152/q7Vd2kXo9bLw4TzR1mPc8A"


def send(stopped: str | None = None) -> Setup:
    async def setup(pilot: Pilot[None]) -> None:
        from wizard.core.export import make_profile
        from wizard.core.handoff.addresses import HostChoice
        from wizard.core.handoff.server import Link, StopReason

        profile = make_profile(settings(), HOME / f"mailcom-{EMAIL}.mobileconfig")
        screen = SendScreen(profile, autostart=False)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        screen.show_offer(Link(PICTURE_URL, HostChoice("192.168.1.23", (), False)), profile)
        if stopped is not None:
            screen.show_stopped(StopReason(stopped))
        await settle(pilot)

    return setup


async def send_practice(pilot: Pilot[None]) -> None:
    """The demo's Send to iPhone: a QR code of words, the steps, and no link at all."""
    from wizard.core.export import make_profile

    practice = make_profile(settings(practice=True), HOME / f"mailcom-{DEMO_EMAIL}.mobileconfig")
    screen = SendScreen(practice, autostart=False)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    screen.show_not_offered(practice)
    await settle(pilot)


def symptom(press: tuple[str, ...] = ()) -> Setup:
    """Repair, step 1: what the iPhone shows (``press``: keys that make choices)."""

    async def setup(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(SymptomScreen())
        await settle(pilot)
        if press:
            await pilot.press(*press)
            await settle(pilot)

    return setup


#: Cannot send; POP; another port (25); iOS 14-17: every optional answer given.
SYMPTOM_KEYS: tuple[str, ...] = (
    "down",
    "down",
    "down",
    "tab",
    "left",
    "tab",
    "right",
    "tab",
    "2",
    "5",
    "tab",
)
SYMPTOM_KEYS += ("right", "right")


def repair_answer(
    symptom: Symptom,
    make_report: Callable[[], CheckReport],
    phone: PhoneSettings | None = None,
    ios: IosLayout | None = None,
    *,
    practice: bool = False,
) -> RepairAnswer:
    """The repair's answer to ``symptom`` after a prepared check, as the engine words it."""
    return diagnose_repair(
        symptom,
        phone or PhoneSettings(),
        make_report(),
        ios or IOS_18_26_27,
        provider=PROVIDER,
        mark=Target(PROVIDER, caveat=PRACTICE if practice else None).mark,
    )


def repair(answer: Callable[[], RepairAnswer], press: tuple[str, ...] = ()) -> Setup:
    """Repair, step 2: the answer (``press``: keys pressed on it, such as D for details)."""

    async def setup(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(RepairScreen(answer(), home=HOME))
        await settle(pilot)
        if press:
            await pilot.press(*press)
            await settle(pilot)

    return setup


#: One repair answer per cause the README and the tests picture.
REPAIRS: dict[str, Callable[[], RepairAnswer]] = {
    "old-password-on-phone": lambda: repair_answer(Symptom.PASSWORD_INCORRECT, verified_report),
    "login-refused": lambda: repair_answer(Symptom.PASSWORD_INCORRECT, wrong_password_report),
    "outgoing-port-blocked": lambda: repair_answer(
        Symptom.CANNOT_SEND, fallback_report, PhoneSettings(outgoing_port=465)
    ),
    "network-intercepts": lambda: repair_answer(
        Symptom.CANNOT_VERIFY_IDENTITY, FAILURES["intercepted"]
    ),
    "nothing-found": lambda: repair_answer(Symptom.NO_NEW_MAIL, verified_report),
    "offline": lambda: repair_answer(Symptom.CANNOT_CONNECT, unreachable_report),
}


async def help_dialog(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("f1")
    await settle(pilot)


async def error_dialog(pilot: Pilot[None]) -> None:
    details = (
        "Traceback (most recent call last):\n"
        '  File "wizard/screens/check.py", line 120, in run_checks\n'
        "RuntimeError: login to imap.mail.com failed for [password removed]\n"
    )
    await pilot.app.push_screen(
        ErrorScreen("RuntimeError: login failed for [password removed]", details)
    )
    await settle(pilot)


def light(setup: Setup) -> Setup:
    """The same state in Textual's light theme."""

    async def in_light(pilot: Pilot[None]) -> None:
        pilot.app.theme = "textual-light"
        await setup(pilot)

    return in_light


FILLED = AccountForm(account=ACCOUNT, remember=True)

STATES: tuple[State, ...] = (
    State("welcome", welcome),
    State("welcome-demo", welcome, demo=True),
    State("account-empty", account_state()),
    State("account-filled", account_state(form=FILLED)),
    State("account-bad-address", account_state(email_text="alex.example@", press=("ctrl+n",))),
    State(
        "account-unknown-domain",
        account_state(form=replace(FILLED, account=replace(ACCOUNT, email="alex@example.org"))),
    ),
    State(
        "account-app-password",
        account_state(form=replace(FILLED, account=replace(ACCOUNT, app_password=True))),
    ),
    State("account-no-keyring", account_state(form=FILLED, backend=fail.Keyring())),
    State("account-remembered", account_remembered),
    State("account-typo", account_state(email_text="alex.example@mail.co")),
    State("account-pop-only", account_pop_only),
    State("account-password-refused", account_password_refused),
    State("check-running", check_running),
    State("check-cancelled", check_cancelled),
    State("check-verified", check_finished(verified_report)),
    State("check-verified-round-trip", check_finished(round_trip_report, round_trip=True)),
    State("check-fallback", check_finished(fallback_report)),
    *(State(f"check-failed-{name}", check_finished(make)) for name, make in FAILURES.items()),
    State("check-confirm-unverified", check_confirm_unverified),
    State("check-details", check_details),
    State("result", result(verified=True)),
    State("result-unverified", result(verified=False)),
    State("result-practice", result(verified=True, practice=True), demo=True),
    State("instructions-ios18-26-27", instructions()),
    State("instructions-ios14-17", instructions(key="2")),
    State("instructions-ios11-13", instructions(key="3")),
    State("instructions-unverified", instructions(verified=False)),
    State("instructions-practice", instructions(practice=True), demo=True),
    State("export", export()),
    State("export-password-warning", export(click=("#include-password",))),
    State("export-signing", export(click=("#sign",))),
    State("export-written", export_written),
    State("send-qr", send()),
    State("send-downloaded", send("downloaded")),
    State("send-timed-out", send("timed_out")),
    State("send-practice", send_practice, demo=True),
    State("send-unconfirmed", send("unconfirmed")),
    State("symptom", symptom()),
    State("symptom-chosen", symptom(SYMPTOM_KEYS)),
    *(State(f"repair-{name}", repair(make)) for name, make in REPAIRS.items()),
    State(
        "repair-old-password-ios14-17",
        repair(lambda: repair_answer(Symptom.PASSWORD_INCORRECT, verified_report, ios=IOS_14_17)),
    ),
    State("repair-details", repair(REPAIRS["outgoing-port-blocked"], press=("d",))),
    State(
        "repair-practice",
        repair(
            lambda: repair_answer(
                Symptom.CANNOT_SEND,
                practice_report,
                PhoneSettings(outgoing_port=465),
                practice=True,
            )
        ),
        demo=True,
    ),
    State("help", help_dialog),
    State("error", error_dialog),
    State("light-welcome-demo", light(welcome), demo=True),
    State("light-account-filled", light(account_state(form=FILLED))),
    State("light-check-running", light(check_running)),
    State("light-check-failed-wrong-password", light(check_finished(FAILURES["wrong-password"]))),
    State("light-instructions-ios18-26-27", light(instructions())),
    State("light-send-qr", light(send())),
)
