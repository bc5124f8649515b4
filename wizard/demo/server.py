"""The practice server: its certificates, and its listeners on their own thread and loop.

Its own loop, so it works alike from plain code, ``asyncio.run`` callers and a running Textual
app (whose loop it must never block). Only this run's clients trust its CA (``cafile``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trustme

from wizard.core.models import Protocol, Security
from wizard.demo.mailbox import DemoAccount, DemoMailbox, StreamCallback, imap_callback, imap_config
from wizard.demo.pop3 import pop3_callback
from wizard.demo.smtp import DeliveryHandler, smtp_factory

_log = logging.getLogger(__name__)

#: Only ever loopback: the practice server must not be reachable from the network.
BIND_HOST = "127.0.0.1"
#: Time allowed for starting (certificates, six listeners) and for stopping.
START_SECONDS = 30.0
STOP_SECONDS = 10.0
#: Issuer in the ``intercepted`` fault, as antivirus programs' mail shields name theirs.
INTERCEPTOR_ORGANIZATION = "Antivirus Web/Mail Shield (practice)"
WRONG_HOST = "mail.shared-hosting.example"


def make_certificates(
    folder: Path, fault: str | None, hosts: tuple[str, ...]
) -> tuple[Path, ssl.SSLContext]:
    """The demo CA's PEM file, and the server context with the certificate ``fault`` calls
    for, naming the real servers' ``hosts``: the check verifies the names it would for real."""
    ca = trustme.CA(organization_name="mailcom-wizard demo", organization_unit_name="Practice CA")
    cafile = folder / "demo-ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if fault == "intercepted":
        interceptor = trustme.CA(
            organization_name=INTERCEPTOR_ORGANIZATION, organization_unit_name="Mail Shield Root"
        )
        leaf = interceptor.issue_cert(*hosts, organization_name=INTERCEPTOR_ORGANIZATION)
    elif fault == "expired":  # signed by the trusted CA: only the date is wrong
        leaf = ca.issue_cert(
            *hosts, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=3)
        )
    elif fault == "wrong-host":
        leaf = ca.issue_cert(WRONG_HOST, common_name=WRONG_HOST)
    else:
        leaf = ca.issue_cert(*hosts, common_name=hosts[0])
    # ssl loads a key only from a file: the private folder (0700), removed when the demo stops.
    chain_file = folder / "server-key-and-chain.pem"
    leaf.private_key_and_cert_chain_pem.write_to_path(str(chain_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(chain_file))
    return cafile, context


class PracticeServer:
    """Runs the practice IMAP, POP3 and SMTP listeners in a background thread."""

    def __init__(self, account: DemoAccount, fault: str | None) -> None:
        self.account = account
        self.fault = fault
        #: The listener standing in for each (protocol, security).
        self.ports: dict[tuple[Protocol, Security], int] = {}
        #: For the ``silent`` fault: listeners that accept, then say nothing, by security.
        self.silent_ports: dict[Security, int] = {}
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet_exception_handler)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._listeners: list[asyncio.Server] = []
        #: Every connection (a stream writer, an SMTP session), so stop() can drop it.
        self._connections: set[Any] = set()

    def start(self, context: ssl.SSLContext) -> None:
        """Start the thread and wait until every listener accepts connections."""
        self._thread = threading.Thread(
            target=self._loop.run_forever,
            name="mailcom-wizard-demo",
            daemon=True,  # a safety net only: stop() always joins it
        )
        self._thread.start()
        opening = asyncio.run_coroutine_threadsafe(self._open_listeners(context), self._loop)
        opening.result(START_SECONDS)

    def stop(self) -> None:
        """Close every listener and connection, end the loop and join the thread. Idempotent."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            closing = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            try:
                closing.result(STOP_SECONDS)
            except Exception:  # pragma: no cover - a bug in the shutdown below
                _log.warning("the practice server did not shut down cleanly", exc_info=True)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                thread.join(STOP_SECONDS)
        if self._loop.is_running():  # pragma: no cover - a bug in the shutdown below
            _log.warning("the practice server thread did not stop in %s s", STOP_SECONDS)
        else:
            self._loop.close()

    async def _open_listeners(self, context: ssl.SSLContext) -> None:
        starttls_config = imap_config(self.account, context, starttls=True)
        mailbox = DemoMailbox(self.account, starttls_config)
        await mailbox.create_user()
        delivery = DeliveryHandler(mailbox)
        loop = asyncio.get_running_loop()
        for security in Security:
            implicit = security is Security.SSL
            tls = context if implicit else None  # from the first byte
            upgrade = None if implicit else context  # by STARTTLS
            if self.fault == "silent":
                self.silent_ports[security] = await self._listen(_silent, tls)
            imap = (
                imap_config(self.account, context, starttls=False) if implicit else starttls_config
            )
            imap_port = await self._listen(imap_callback(mailbox.login, imap), tls)
            pop3_port = await self._listen(pop3_callback(mailbox, starttls_context=upgrade), tls)
            smtp_upgrade = None if self.fault == "no-starttls" else upgrade
            factory = smtp_factory(
                delivery, loop, starttls_context=smtp_upgrade, implicit_tls=implicit
            )
            self.ports[(Protocol.IMAP, security)] = imap_port
            self.ports[(Protocol.POP3, security)] = pop3_port
            self.ports[(Protocol.SMTP, security)] = await self._serve(factory, tls)

    async def _listen(self, callback: StreamCallback, tls: ssl.SSLContext | None) -> int:
        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._track(writer)
            # Only stop() cancels: Python 3.11 would report the cancelled task as an error.
            with contextlib.suppress(asyncio.CancelledError):
                await callback(reader, writer)

        return self._opened(await asyncio.start_server(tracked, BIND_HOST, 0, ssl=tls))

    async def _serve(self, factory: Callable[[], Any], tls: ssl.SSLContext | None) -> int:
        def tracked() -> Any:
            protocol = factory()
            self._track(protocol)
            return protocol

        loop = asyncio.get_running_loop()
        return self._opened(await loop.create_server(tracked, BIND_HOST, 0, ssl=tls))

    def _opened(self, listener: asyncio.Server) -> int:
        self._listeners.append(listener)
        return int(listener.sockets[0].getsockname()[1])

    def _track(self, connection: Any) -> None:
        """Remember a connection (anything with a ``transport``), forgetting finished ones."""
        self._connections = {
            known
            for known in self._connections
            if known.transport is None or not known.transport.is_closing()
        }
        self._connections.add(connection)

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
        for connection in self._connections:
            if connection.transport is not None:
                connection.transport.abort()
        self._connections.clear()
        for listener in self._listeners:
            await listener.wait_closed()
        self._listeners.clear()
        # Let connection_lost run, then do what asyncio.run does before closing the loop.
        for _ in range(3):
            await asyncio.sleep(0)
        await asyncio.get_running_loop().shutdown_asyncgens()
        await asyncio.get_running_loop().shutdown_default_executor()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read and discard whatever the client sends, never answer."""
    try:
        while await reader.read(4096):
            pass
    except ConnectionError:
        pass
    finally:
        writer.close()


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Keep asyncio's reports off the TUI's terminal: failed handshakes and dropped
    connections (the demo faults) at debug level, anything else as a warning."""
    exception = context.get("exception")
    if isinstance(
        exception, ssl.SSLError | ConnectionError | TimeoutError | asyncio.CancelledError
    ):
        _log.debug("practice server: %s (%r)", context.get("message"), exception)
    else:
        _log.warning("practice server: %s", context.get("message"), exc_info=exception)
