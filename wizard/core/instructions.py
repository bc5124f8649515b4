"""iPhone Settings steps, as data, built from the settings a check verified.

The CLI prints them (``render_text``, ``render_markdown``); the TUI shows the same
``Instructions`` and lets the user copy one ``Value`` at a time. The password is never part
of them: a step says *which* password to type, never the password itself.

Menu paths and iOS wording come from ``mailcom-facts.md`` sections 4.1-4.4.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass

from wizard.core.models import Endpoint, IncomingChoice, MailSettings, Security

#: The iOS versions we have menu paths for. 18 stands for "18 and later", 17 for "17 and
#: earlier": Apple moved Mail under Settings > Apps in iOS 18.
SUPPORTED_IOS = (17, 18)


@dataclass(frozen=True)
class Value:
    """One exact value the user types or checks on the phone, e.g. Host Name.

    ``copyable`` is False for placeholders such as "your mail.com password": there is
    nothing useful to put on the clipboard for those.
    """

    label: str
    value: str
    note: str = ""
    copyable: bool = True


@dataclass(frozen=True)
class Step:
    """One numbered step: a short title, what to do, and the exact values involved."""

    title: str
    text: str
    values: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Instructions:
    """Everything needed to set the account up by hand on one iOS version."""

    ios: int
    settings: MailSettings
    steps: tuple[Step, ...]
    warning_unverified: str | None

    @property
    def title(self) -> str:
        """A heading, for example ``Set up alice@mail.com on an iPhone (iOS 18, IMAP)``."""
        return (
            f"Set up {self.settings.email} on an iPhone "
            f"(iOS {_ios_label(self.ios)}, {_choice_label(self.settings.incoming_choice)})"
        )

    @property
    def summary(self) -> str:
        """One line saying which servers these steps use and whether they were checked."""
        settings = self.settings
        servers = (
            f"incoming {_endpoint_words(settings.incoming)}, "
            f"outgoing {_endpoint_words(settings.outgoing)}"
        )
        if not settings.verified:
            return f"Servers: {servers}. Not checked."
        when = _when(settings.checked_at)
        return f"Servers: {servers}. Checked{when}: the login worked on both."


def build_instructions(settings: MailSettings, ios: int = 18) -> Instructions:
    """The steps for ``settings`` on iOS ``ios`` (17 = 17 and earlier, 18 = 18 and later)."""
    if ios not in SUPPORTED_IOS:
        raise ValueError(f"iOS {ios} is not supported; choose one of {SUPPORTED_IOS}")
    warning = None
    if not settings.verified:
        warning = (
            "These settings have NOT been checked with your account. They are "
            f"{settings.provider_name}'s usual servers, so they will probably work, but a "
            "blocked port or a login problem will only show up on the phone. Run the check "
            "first if you can."
        )
    return Instructions(
        ios=ios, settings=settings, steps=_steps(settings, ios), warning_unverified=warning
    )


# --- the steps --------------------------------------------------------------------------


def _steps(settings: MailSettings, ios: int) -> tuple[Step, ...]:
    incoming = settings.incoming
    outgoing = settings.outgoing
    choice = _choice_label(settings.incoming_choice)
    password = password_hint(settings)
    accounts = _accounts_path(ios)
    description = settings.email

    start = Step(
        title="Open the mail account settings",
        text=(
            f"On the iPhone open Settings, then tap {accounts} > Add Account. "
            + ("(Apps is near the very bottom of Settings.) " if ios >= 18 else "")
            + 'Tip: type "Mail" in the search field at the top of Settings to get there '
            "quickly."
        ),
    )
    other = Step(
        title="Choose Other",
        text="Tap Other, then tap Add Mail Account.",
    )
    new_account = Step(
        title="Fill in the New Account sheet",
        text="Type these four values, then tap Next.",
        values=(
            Value(
                "Name",
                settings.name or "your name",
                "what people see when you write to them",
                copyable=bool(settings.name),
            ),
            Value("Email", settings.email, "the full address"),
            Value("Password", password, "type it yourself", copyable=False),
            Value("Description", description, "only shown on this iPhone; any text will do"),
        ),
    )
    protocol = Step(
        title=f"Choose {choice}",
        text=(
            f"At the top of the next screen, tap {choice}. This cannot be changed later: "
            "switching between IMAP and POP means deleting the account and adding it again."
            + (
                " (POP downloads your mail to this iPhone; mail read here is not marked read "
                "on your other devices.)"
                if settings.incoming_choice is IncomingChoice.POP
                else ""
            )
        ),
        values=(Value("Type", choice, "the switch at the top of the screen", copyable=False),),
    )
    incoming_step = Step(
        title="Fill in Incoming Mail Server",
        text="In the INCOMING MAIL SERVER section, type:",
        values=(
            Value("Host Name", incoming.host),
            Value("User Name", settings.incoming_username, "the full address, with @"),
            Value("Password", password, "type it yourself", copyable=False),
        ),
    )
    outgoing_step = Step(
        title="Fill in Outgoing Mail Server",
        text=(
            "In the OUTGOING MAIL SERVER section, type the following. iOS may say User Name "
            "and Password are optional here: fill them in anyway, or sending mail will fail."
        ),
        values=(
            Value("Host Name", outgoing.host),
            Value("User Name", settings.outgoing_username, "the full address, with @"),
            Value("Password", password, "type it yourself", copyable=False),
        ),
    )
    save = Step(
        title="Tap Next, then Save",
        text=(
            'Tap Next and wait while iOS shows "Verifying…" (it can take a minute). If iOS '
            "asks whether to set up the account without SSL, tap No or Cancel, never Yes "
            "(see the last step). On the screen with the Mail and Notes switches, leave Mail "
            "on and tap Save."
        ),
    )
    advanced = Step(
        title="Check the incoming settings",
        text=(
            "iOS chooses ports by itself, so check them once. Go back to Settings > "
            f"{accounts}, tap {description}, tap Account, then Advanced at the bottom. "
            "Under INCOMING SETTINGS, make sure of the values below, then go back and "
            "tap Done."
        ),
        values=(
            Value("Use SSL", "On", _ssl_note(incoming), copyable=False),
            Value("Authentication", "Password", copyable=False),
            Value("Server Port", str(incoming.port)),
        ),
    )
    smtp = Step(
        title="Check the outgoing (SMTP) settings",
        text=(
            f"On the Account screen, tap the SMTP row (it shows {outgoing.host}), then tap "
            f"{outgoing.host} under PRIMARY SERVER. iOS tries ports 25, 587 and 465 in that "
            f"order by itself, so change Server Port if it does not show {outgoing.port}. "
            "Make sure of the values below, then tap Done."
        ),
        values=(
            Value("Host Name", outgoing.host),
            Value("User Name", settings.outgoing_username),
            Value("Password", password, "must be filled in", copyable=False),
            Value("Use SSL", "On", _ssl_note(outgoing), copyable=False),
            Value("Authentication", "Password", copyable=False),
            Value("Server Port", str(outgoing.port)),
        ),
    )
    test = Step(
        title="Send yourself a test message",
        text=(
            f"Open the Mail app, write a short message to {settings.email} and send it. "
            "When it arrives, both sending and receiving work."
        ),
    )
    messages = Step(
        title="If iOS shows a message",
        text=(
            '"Cannot Verify Server Identity": the phone got a certificate that is not '
            f"{settings.provider_name}'s. This usually means the Wi-Fi you are on (hotel, "
            "school, office) or security software intercepts connections. Tap Cancel, "
            "switch to mobile data or another network, and try again; do not trust the "
            "certificate.\n"
            '"The … server is not responding": this network blocks the port, or the '
            "certificate was refused. Check Server Port and Use SSL (steps "
            f"{_step_no(advanced)} and {_step_no(smtp)}), then try on mobile data.\n"
            '"Set up without SSL?" or "continue without SSL": always answer No. Without SSL '
            "your password would cross the network where others can read it.\n"
            '"The user name or password is incorrect": type '
            f"{password} again; {_login_checklist(settings)}"
        ),
    )
    password_change = Step(
        title="After you change your password",
        text=(
            "Update it in two places, or sending or receiving stops: Settings > "
            f"{accounts} > {description} > Account > Password (incoming), and on the same "
            f"screen SMTP > {outgoing.host} > Password (outgoing)."
        ),
    )
    steps = (
        start,
        other,
        new_account,
        protocol,
        incoming_step,
        outgoing_step,
        save,
        advanced,
        smtp,
        test,
        messages,
        password_change,
    )
    return tuple(_renumber(steps))


def _step_no(step: Step) -> str:
    """Placeholder filled in by ``_renumber`` once the order of the steps is known."""
    return "{step:" + step.title + "}"


def _renumber(steps: tuple[Step, ...]) -> list[Step]:
    # Cross references ("see step 8") are written as placeholders so that reordering or
    # adding a step cannot leave a stale number behind.
    numbers = {step.title: str(index) for index, step in enumerate(steps, start=1)}
    result = []
    for step in steps:
        text = step.text
        for title, number in numbers.items():
            text = text.replace("{step:" + title + "}", number)
        result.append(Step(step.title, text, step.values))
    return result


def password_hint(settings: MailSettings) -> str:
    """Which password to type, in words (never the password itself)."""
    if settings.app_password:
        return (
            "the app-specific password you created "
            f"(not your normal {settings.provider_name} password)"
        )
    return f"your {settings.provider_name} password"


def _login_checklist(settings: MailSettings) -> str:
    # mail.com answers a wrong password and "IMAP/POP access switched off" with the same
    # reply (facts section 3), so both causes are named together.
    checks = (
        f"check that POP3 & IMAP access is switched on in {settings.provider_name}'s web "
        "settings, and that your account plan includes it"
    )
    if not settings.app_password:
        checks += (
            "; if two-step verification is on, use an app-specific password instead of "
            "your normal password"
        )
    return checks + "."


def _accounts_path(ios: int) -> str:
    # iOS 18 moved Mail from the top level of Settings to Settings > Apps and renamed
    # "Accounts" to "Mail Accounts" (facts 4.1).
    return "Apps > Mail > Mail Accounts" if ios >= 18 else "Mail > Accounts"


def _ssl_note(endpoint: Endpoint) -> str:
    if endpoint.security is Security.STARTTLS:
        return f"on port {endpoint.port} iOS secures the connection with STARTTLS"
    return ""


def _choice_label(choice: IncomingChoice) -> str:
    return "IMAP" if choice is IncomingChoice.IMAP else "POP"


def _ios_label(ios: int) -> str:
    return "18 and later" if ios >= 18 else "17 and earlier"


def _endpoint_words(endpoint: Endpoint) -> str:
    return f"{endpoint.host} port {endpoint.port} ({endpoint.security.label})"


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
        return " on " + moment.strftime("%Y-%m-%d at %H:%M UTC")
    return " on " + moment.strftime("%Y-%m-%d at %H:%M")


# --- rendering --------------------------------------------------------------------------

_WIDTH = 78


def render_text(instructions: Instructions) -> str:
    """Plain text for a terminal: a heading, the warning if any, then numbered steps."""
    lines = [instructions.title, "=" * len(instructions.title), ""]
    if instructions.warning_unverified:
        lines += textwrap.wrap(
            "WARNING: " + instructions.warning_unverified, _WIDTH, subsequent_indent="  "
        )
        lines.append("")
    lines += textwrap.wrap(instructions.summary, _WIDTH)
    lines.append("")
    for number, step in enumerate(instructions.steps, start=1):
        head = f"{number}. "
        indent = " " * len(head)
        lines.append(head + step.title)
        for paragraph in step.text.split("\n"):
            lines += textwrap.wrap(
                paragraph, _WIDTH, initial_indent=indent, subsequent_indent=indent
            )
        if step.values:
            width = max(len(value.label) for value in step.values) + 1
            for value in step.values:
                row = f"{indent}  {value.label + ':':<{width}} {value.value}"
                if value.note:
                    row += f"   ({value.note})"
                lines.append(row)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(instructions: Instructions) -> str:
    """Markdown: a heading, the warning as a quote, numbered steps with value tables."""
    lines = [f"# {_md(instructions.title)}", ""]
    if instructions.warning_unverified:
        lines += [f"> **Warning:** {_md(instructions.warning_unverified)}", ""]
    lines += [_md(instructions.summary), ""]
    for number, step in enumerate(instructions.steps, start=1):
        lines.append(f"{number}. **{_md(step.title)}**")
        for paragraph in step.text.split("\n"):
            lines += ["", f"   {_md(paragraph)}"]
        if step.values:
            lines += ["", "   | Field | Value | Note |", "   |---|---|---|"]
            for value in step.values:
                # In a table even a code span must escape "|" (GitHub-flavoured Markdown).
                code = value.value.replace("|", "\\|")
                shown = f"`{code}`" if value.copyable else _md(value.value)
                lines.append(f"   | {_md(value.label)} | {shown} | {_md(value.note)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    # Escape the characters that would change the meaning of our Markdown: table pipes,
    # emphasis markers and a leading '#'. Text here is ours plus host names and addresses.
    for char in ("\\", "|", "*", "_", "`"):
        text = text.replace(char, "\\" + char)
    return text
