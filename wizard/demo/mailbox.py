"""The demo account, its one mailbox in pymap's in-memory (dict) backend, and IMAP on it.

SMTP delivers into the mailbox and POP3 reads it through the same pymap objects as IMAP.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ssl
from argparse import Namespace
from asyncio import StreamReader, StreamWriter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager, closing
from dataclasses import dataclass, field

from proxyprotocol.reader import ProxyProtocolReader
from proxyprotocol.sock import SocketInfo
from pymap.backend.dict import Config, Identity, Login
from pymap.backend.dict.mailbox import MailboxData
from pymap.concurrent import Subsystem
from pymap.context import connection_exit
from pymap.imap import IMAPConnection
from pymap.imap.state import ConnectionState
from pymap.parsing.message import AppendMessage
from pymap.parsing.response import CommandResponse, ResponseOk
from pymap.parsing.specials.fetchattr import FetchRequirement
from pymap.user import Passwords, UserMetadata
from pysasl.hashing import Cleartext

#: The name in greetings: the machine's fully qualified name (the default) can query DNS.
SERVER_NAME = "localhost"

StreamCallback = Callable[[StreamReader, StreamWriter], Awaitable[None]]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    accepted_password: str = field(repr=False)

    def accepts(self, username: str, password: str) -> bool:
        user_ok = username.strip().lower() == self.email.lower()
        # compare_digest so the demo does not teach timing leaks, even on loopback.
        password_ok = hmac.compare_digest(password.encode(), self.accepted_password.encode())
        return user_ok and password_ok


@dataclass(frozen=True)
class StoredMessage:
    uid: int
    data: bytes


def imap_config(account: DemoAccount, context: ssl.SSLContext, *, starttls: bool) -> Config:
    """pymap settings for one IMAP listener: STARTTLS offered, or TLS from the first byte."""
    # The command-line options pymap reads; none apply.
    args = Namespace(passlib_cfg=None, proxy_protocol=None, inherited_sockets=None, debug=False)
    return Config(
        args,
        host="127.0.0.1",
        port=0,
        ssl_context=context,
        # With tls_enabled pymap offers STARTTLS and refuses LOGIN until it is done; the
        # implicit-TLS listener is already encrypted, so it allows LOGIN at once.
        tls_enabled=starttls,
        demo_data=False,
        demo_user=account.email,
        demo_password=account.accepted_password,
        # A practice password gains nothing from hashing; cleartext needs no worker threads.
        hash_context=Cleartext(),
        cpu_subsystem=Subsystem.for_asyncio(),
        reject_dnsbl=False,
        invalid_user_sleep=0.1,
    )


class _TLSFirstState(ConnectionState):
    """pymap's connection state without its loopback exception: like real servers, the
    practice server refuses a password before STARTTLS (``LOGINDISABLED``)."""

    async def do_greeting(self) -> CommandResponse:
        # A fixed greeting: pymap's names this machine, which can query DNS.
        return ResponseOk(b"*", b"mailcom-wizard practice IMAP server ready", self.capability)


def imap_callback(login: Login, config: Config) -> StreamCallback:
    """The ``asyncio.start_server`` callback serving IMAP: pymap's IMAPServer written out
    with the TLS-first state (IMAPServer keeps what it needs in private attributes)."""

    async def serve(reader: StreamReader, writer: StreamWriter, sock_info: SocketInfo) -> None:
        connection = IMAPConnection(config.commands, config, reader, writer, sock_info)
        async with AsyncExitStack() as stack:
            connection_exit.set(stack)
            stack.enter_context(closing(connection))
            await connection.run(_TLSFirstState(login, config))

    callback: StreamCallback = ProxyProtocolReader(config.proxy_protocol).get_callback(serve)
    return callback


class DemoMailbox:
    """The demo account's INBOX, shared by IMAP, POP3 and SMTP."""

    def __init__(self, account: DemoAccount, config: Config) -> None:
        self.account = account
        self.login = Login(config)
        self._config = config

    async def create_user(self) -> None:
        """Register the demo account with pymap (on the demo's event loop)."""
        password = await Passwords(self._config).hash_password(self.account.accepted_password)
        user = UserMetadata(self._config, self.account.email, password=password)
        await self.login.demo_user_identity.set(user)

    @asynccontextmanager
    async def _inbox(self) -> AsyncIterator[MailboxData]:
        identity = Identity(self.account.email, self.login, None, frozenset())
        async with identity.new_session() as session:
            yield await session.mailbox_set.get_mailbox("INBOX")

    async def deliver(self, data: bytes) -> None:
        async with self._inbox() as inbox:
            await inbox.append(AppendMessage(data, dt.datetime.now(dt.UTC)), recent=True)

    async def messages(self) -> list[StoredMessage]:
        found: list[StoredMessage] = []
        async with self._inbox() as inbox:
            async for message in inbox.messages():
                loaded = await message.load_content(FetchRequirement.CONTENT)
                found.append(StoredMessage(uid=message.uid, data=bytes(loaded)))
        return found

    async def delete(self, uids: list[int]) -> None:
        if uids:
            async with self._inbox() as inbox:
                await inbox.delete(uids)
