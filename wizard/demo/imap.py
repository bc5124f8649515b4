"""IMAP for the practice server: pymap's own server code, embedded in the demo's event loop."""

from __future__ import annotations

from asyncio import StreamReader, StreamWriter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, closing

from proxyprotocol.reader import ProxyProtocolReader
from proxyprotocol.sock import SocketInfo
from pymap.config import IMAPConfig
from pymap.context import connection_exit
from pymap.imap import IMAPConnection
from pymap.imap.state import ConnectionState
from pymap.interfaces.login import LoginInterface
from pymap.parsing.response import CommandResponse, ResponseOk

StreamCallback = Callable[[StreamReader, StreamWriter], Awaitable[None]]


class _TLSFirstState(ConnectionState):
    """pymap's connection state, without its loopback exception for logging in.

    pymap lets a client on loopback log in before STARTTLS. Every demo client is on
    loopback, and real servers (mail.com's included) refuse a password before TLS, so the
    practice server refuses it too: ``LOGINDISABLED`` until STARTTLS.
    """

    async def do_greeting(self) -> CommandResponse:
        """The untagged OK greeting with the pre-TLS capabilities."""
        return ResponseOk(b"*", self.config.greeting, self.capability)


class _DemoIMAPServer:
    """What pymap's IMAPServer does for each connection, with the TLS-first state.

    Written out rather than subclassed: IMAPServer keeps the login and the settings in
    private attributes, and nothing of pymap's that starts with an underscore is used.
    """

    def __init__(self, login: LoginInterface, config: IMAPConfig) -> None:
        self.login = login
        self.config = config

    async def __call__(
        self, reader: StreamReader, writer: StreamWriter, sock_info: SocketInfo
    ) -> None:
        connection = IMAPConnection(self.config.commands, self.config, reader, writer, sock_info)
        state = _TLSFirstState(self.login, self.config)
        async with AsyncExitStack() as stack:
            connection_exit.set(stack)
            stack.enter_context(closing(connection))
            await connection.run(state)


def imap_callback(login: LoginInterface, config: IMAPConfig) -> StreamCallback:
    """The ``asyncio.start_server`` callback that serves IMAP with ``config``."""
    server = _DemoIMAPServer(login, config)
    # The same wrapping pymap's own IMAPService uses (no PROXY header is expected).
    callback: StreamCallback = ProxyProtocolReader(config.proxy_protocol).get_callback(server)
    return callback
