"""The practice server's lifecycle: its own thread and event loop, its listeners, clean stop.

The servers run in a dedicated thread with its own asyncio loop, so the demo works the same
from plain code, from ``asyncio.run`` callers and from inside a running Textual app (whose
loop must never be blocked by, or share tasks with, the practice server).

Six listeners behave as mail.com's servers do (or as a misbehaving server would, for the
faults that are about the server: certificates, a refused password, no STARTTLS). The
``silent`` fault adds two listeners that accept a connection (and a TLS handshake) and
then say nothing; the demo dials them instead of the real ones.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import ssl
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

from wizard.core.models import Protocol, Security
from wizard.demo.certificates import make_certificates
from wizard.demo.imap import imap_callback
from wizard.demo.mailbox import DemoAccount, DemoMailbox, imap_config
from wizard.demo.pop3 import pop3_callback
from wizard.demo.smtp import DeliveryHandler, smtp_factory

_log = logging.getLogger(__name__)

#: Only ever loopback: the practice server must not be reachable from the network.
BIND_HOST = "127.0.0.1"
#: Time allowed for starting (certificates, six listeners) and for stopping.
START_SECONDS = 30.0
STOP_SECONDS = 10.0

StreamCallback = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

#: The six endpoints in mail.com's preference order (Thunderbird's ISPDB record).
ENDPOINT_ORDER: tuple[tuple[Protocol, Security], ...] = (
    (Protocol.IMAP, Security.SSL),
    (Protocol.IMAP, Security.STARTTLS),
    (Protocol.POP3, Security.SSL),
    (Protocol.POP3, Security.STARTTLS),
    (Protocol.SMTP, Security.SSL),
    (Protocol.SMTP, Security.STARTTLS),
)


@dataclass(frozen=True)
class ServerPlan:
    """What the practice server does, given the rehearsed fault."""

    fault: str | None
    accepted_password: str

    @property
    def smtp_offers_starttls(self) -> bool:
        """False when the SMTP STARTTLS endpoint is rehearsing a server without STARTTLS."""
        return self.fault != "no-starttls"


class PracticeServer:
    """Runs the practice IMAP, POP3 and SMTP listeners in a background thread."""

    def __init__(self, folder: Path, email: str, plan: ServerPlan, hosts: tuple[str, ...]) -> None:
        self.folder = folder
        self.plan = plan
        self.hosts = hosts
        self.account = DemoAccount(email=email, accepted_password=plan.accepted_password)
        self.cafile: Path | None = None
        self.ports: dict[tuple[Protocol, Security], int] = {}
        #: For the ``silent`` fault: listeners that accept (by TLS or in clear text) and
        #: then say nothing, by how the endpoint dialled to them is secured.
        self.silent_ports: dict[Security, int] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._started: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listeners: list[asyncio.Server] = []
        self._streams: set[asyncio.StreamWriter] = set()
        self._smtp_sessions: set[SMTP] = set()

    # -- called from the caller's thread ---------------------------------------------------

    def start(self) -> None:
        """Start the thread and wait until every listener accepts connections."""
        certificates = make_certificates(self.folder, self.plan.fault, self.hosts)
        self.cafile = certificates.cafile
        self._thread = threading.Thread(
            target=self._thread_main,
            args=(certificates.server_context,),
            name="mailcom-wizard-demo",
            daemon=True,  # a safety net only: stop() always joins it
        )
        self._thread.start()
        try:
            self._started.result(timeout=START_SECONDS)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Close every listener and connection, end the loop and join the thread. Idempotent."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()  # seen by a server thread that has not started listening yet
        loop, stop_requested = self._loop, self._stop_requested
        if loop is not None and stop_requested is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended (start failed)
                loop.call_soon_threadsafe(stop_requested.set)
        thread.join(STOP_SECONDS)
        if thread.is_alive():  # pragma: no cover - would be a bug in the shutdown below
            _log.warning("the practice server thread did not stop in %s s", STOP_SECONDS)

    # -- the server thread -------------------------------------------------------------------

    def _thread_main(self, context: ssl.SSLContext) -> None:
        try:
            asyncio.run(self._serve(context))
        except BaseException as exc:  # reported to start(); nothing else can see this thread
            if not self._started.done():
                self._started.set_exception(exc)
            else:  # pragma: no cover - a bug while serving
                _log.warning("the practice server failed", exc_info=True)

    async def _serve(self, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_quiet_exception_handler)
        self._loop = loop
        self._stop_requested = asyncio.Event()
        try:
            await self._open_listeners(context)
        except BaseException:
            await self._shutdown()
            raise
        self._started.set_result(None)
        if not self._stopping.is_set():
            await self._stop_requested.wait()
        await self._shutdown()

    async def _open_listeners(self, context: ssl.SSLContext) -> None:
        mailbox_config = imap_config(self.account, context, starttls=True)
        mailbox = DemoMailbox(self.account, mailbox_config)
        await mailbox.create_user()
        delivery = DeliveryHandler(mailbox)
        loop = asyncio.get_running_loop()
        if self.plan.fault == "silent":
            for security in Security:
                tls = context if security is Security.SSL else None
                quiet = await self._listen(_silent, ssl_context=tls)
                self.silent_ports[security] = quiet.sockets[0].getsockname()[1]
        for protocol, security in ENDPOINT_ORDER:
            implicit = security is Security.SSL
            server: asyncio.Server
            if protocol is Protocol.IMAP:
                config = (
                    mailbox_config
                    if not implicit
                    else imap_config(self.account, context, starttls=False)
                )
                server = await self._listen(
                    imap_callback(mailbox.login, config), ssl_context=context if implicit else None
                )
            elif protocol is Protocol.POP3:
                callback = pop3_callback(mailbox, starttls_context=None if implicit else context)
                server = await self._listen(callback, ssl_context=context if implicit else None)
            else:
                starttls = None if implicit or not self.plan.smtp_offers_starttls else context
                factory = smtp_factory(
                    delivery,
                    loop,
                    starttls_context=starttls,
                    implicit_tls=implicit,
                    track=self._track_smtp,
                )
                server = await loop.create_server(
                    factory, BIND_HOST, 0, ssl=context if implicit else None
                )
                self._listeners.append(server)
            self.ports[(protocol, security)] = server.sockets[0].getsockname()[1]

    def _track_smtp(self, session: SMTP) -> None:
        # Remember every SMTP connection so stop() can close it; forget finished ones.
        self._smtp_sessions.difference_update(
            [
                known
                for known in self._smtp_sessions
                if known.transport is not None and known.transport.is_closing()
            ]
        )
        self._smtp_sessions.add(session)

    async def _listen(
        self, callback: StreamCallback, *, ssl_context: ssl.SSLContext | None
    ) -> asyncio.Server:
        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # Remember every connection so stop() can close it; forget finished ones.
            self._streams.difference_update(
                [known for known in self._streams if known.transport.is_closing()]
            )
            self._streams.add(writer)
            # Only stop() cancels connections. Ending quietly matters on Python 3.11,
            # whose stream servers report a cancelled connection task as an error.
            with contextlib.suppress(asyncio.CancelledError):
                await callback(reader, writer)

        server = await asyncio.start_server(tracked, BIND_HOST, 0, ssl=ssl_context)
        self._listeners.append(server)
        return server

    async def _shutdown(self) -> None:
        for listener in self._listeners:
            listener.close()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            # Cancelled pymap sessions say BYE first; bounded, since a client may not read.
            await asyncio.wait(tasks, timeout=2.0)
        for writer in self._streams:
            writer.transport.abort()
        for session in self._smtp_sessions:
            if isinstance(session.transport, asyncio.Transport):
                session.transport.abort()
        self._streams.clear()
        self._smtp_sessions.clear()
        for listener in self._listeners:
            await listener.wait_closed()
        self._listeners.clear()
        # Let the transports' connection_lost callbacks run before the loop closes.
        for _ in range(3):
            await asyncio.sleep(0)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read and discard whatever the client sends, never answer, until it hangs up."""
    try:
        while await reader.read(4096):
            pass
    except ConnectionError:
        pass
    finally:
        writer.close()


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Keep asyncio's reports off the terminal (the TUI owns it).

    Failed TLS handshakes and dropped connections are what the rehearsed faults are made
    of, so they are logged at debug level; anything else is a bug and logged as a warning.
    """
    exception = context.get("exception")
    if isinstance(
        exception, ssl.SSLError | ConnectionError | TimeoutError | asyncio.CancelledError
    ):
        _log.debug("practice server: %s (%r)", context.get("message"), exception)
    else:
        _log.warning("practice server: %s", context.get("message"), exc_info=exception)
