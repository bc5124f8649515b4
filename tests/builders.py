"""Settings as the check hands them on, for tests of what is made from them (profiles,
steps, facts): mail.com's servers with the ports and choices a test asks for; and the
``export`` command line the command-line tests run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wizard.core.models import Auth, Endpoint, IncomingChoice, MailSettings, Protocol, Security

PASSWORD = "S3cret-Pa55word-x7"
CHECKED = dt.datetime(2025, 3, 1, 12, 30, tzinfo=dt.UTC)


def settings(
    choice: IncomingChoice = IncomingChoice.IMAP,
    *,
    smtp_port: int = 465,
    incoming_port: int | None = None,
    verified: bool = True,
    email: str = "alice@mail.com",
    auth: Auth = Auth.PASSWORD,
) -> MailSettings:
    """mail.com-like settings; 587, 143 and 110 mean the STARTTLS ports."""
    imap = choice is IncomingChoice.IMAP
    port = incoming_port or (993 if imap else 995)
    incoming = Endpoint(
        Protocol.IMAP if imap else Protocol.POP3,
        "imap.mail.com" if imap else "pop.mail.com",
        port,
        Security.SSL if port in (993, 995) else Security.STARTTLS,
        auth=auth,
    )
    outgoing = Endpoint(
        Protocol.SMTP,
        "smtp.mail.com",
        smtp_port,
        Security.SSL if smtp_port == 465 else Security.STARTTLS,
        auth=auth,
    )
    return MailSettings(
        email=email,
        incoming_choice=choice,
        incoming=incoming,
        outgoing=outgoing,
        verified=verified,
        name="Alice Example",
        checked_at=CHECKED if verified else None,
    )


#: The password the command-line tests give on standard input (``stdin_password``).
CLI_PASSWORD = "Cli-Secret-42-pw"


def export(tmp_path: Path, *extra: str, name: str = "alice.mobileconfig") -> list[str]:
    """``export`` for alice@mail.com, unverified, into ``tmp_path / name``."""
    return [
        "export",
        "--email",
        "alice@mail.com",
        "--no-verify",
        "--output",
        str(tmp_path / name),
        *extra,
    ]
