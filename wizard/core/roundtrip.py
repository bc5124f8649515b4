"""The optional round trip, after both logins verified: send a short message to oneself, see it
arrive, remove it. Only that message is removed, found by a random marker read before
deleting: nothing else of the user's mail is touched."""

from __future__ import annotations

import asyncio
import contextlib
import email.message
import email.utils
import secrets
import ssl
from collections.abc import AsyncIterator

from wizard.core.models import Account, CheckOptions, Endpoint, RoundTrip, Status
from wizard.core.probes import MailSession, ProbeFailure, open_mail_session

MARKER_HEADER = "X-Mailcom-Wizard-Check"
_FLAGGED_ONLY = (
    "the test message is marked as deleted but still in the inbox: this server cannot "
    "remove one message alone, and removing all marked messages could take mail you "
    "marked yourself; your mail app removes it when it clears deleted messages"
)


def _test_message(address: str, token: str) -> bytes:
    message = email.message.EmailMessage()
    message["From"] = message["To"] = address
    message["Subject"] = f"mailcom-wizard test message {token[:8]}"
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = email.utils.make_msgid(domain="mailcom-wizard.localhost")
    message[MARKER_HEADER] = token
    message.set_content(
        "This message was sent by mailcom-wizard to check that sending and receiving work.\n"
        "It deletes it again by itself; if you can read this, you may delete it.\n"
    )
    return message.as_bytes()


async def run_round_trip(
    account: Account,
    smtp: Endpoint,
    incoming: Endpoint,
    context: ssl.SSLContext,
    options: CheckOptions,
) -> RoundTrip:
    """Send, wait until it arrives, delete it. Never raises for expected failures."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    token = secrets.token_hex(16)

    def elapsed() -> int:
        return round((loop.time() - started) * 1000)

    try:
        async with asyncio.timeout(options.round_trip_timeout):
            async with _logged_in(account, smtp, context) as session:
                message = _test_message(account.email, token)
                await session.send_message(message, account.email, account.email)
            while True:
                # A fresh login per poll: POP3 only sees messages that arrived before its login.
                async with _logged_in(account, incoming, context) as session:
                    removal = await session.delete_marked(MARKER_HEADER, token)
                if removal.purged:
                    return RoundTrip(Status.OK, elapsed(), "the test message arrived")
                if removal.found:
                    return RoundTrip(Status.OK, elapsed(), _FLAGGED_ONLY, removed=False)
                await asyncio.sleep(1.0)
    except TimeoutError:
        return RoundTrip(
            Status.TIMEOUT,
            elapsed(),
            f"the test message did not arrive within {options.round_trip_timeout:g} s",
        )
    except ProbeFailure as failure:
        said = f" ({failure.reply})" if failure.reply else ""
        return RoundTrip(failure.status, elapsed(), failure.detail + said)


@contextlib.asynccontextmanager
async def _logged_in(
    account: Account, endpoint: Endpoint, context: ssl.SSLContext
) -> AsyncIterator[MailSession]:
    """A session logged in to ``endpoint``, closed politely after the block."""
    session = await open_mail_session(endpoint, context)
    try:
        await session.login(endpoint.username(account.email), account.password)
    except BaseException:
        session.abort()
        raise
    try:
        yield session
    finally:
        await session.close()
