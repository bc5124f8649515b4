"""A TCP proxy on loopback that adds a fixed delay each way, to benchmark checks as if the
servers were far away. Usable from the benchmarks (``from tests.testbed.proxy import
DelayProxy`` with the repository root on ``sys.path``) and from tests."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from types import TracebackType
from typing import Any

from .loop import LoopThread


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DelayProxy:
    """Forward 127.0.0.1:``port`` to ``target_host:target_port``, delaying every chunk by
    ``delay`` seconds in each direction (so one request/reply costs ``2 * delay``).

    Runs on its own event loop thread: ``start()``/``stop()`` or ``with DelayProxy(...)``.
    """

    def __init__(self, target_host: str, target_port: int, delay: float = 0.15) -> None:
        if not _is_loopback(target_host):
            raise ValueError("DelayProxy only forwards to loopback addresses")
        self.target_host = target_host
        self.target_port = target_port
        self.delay = delay
        self.host = "127.0.0.1"
        self.port = 0
        self._loop: LoopThread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self) -> DelayProxy:
        """Start listening; ``self.port`` is then the port to connect to."""
        self._loop = LoopThread("delay-proxy")
        self._server = self._loop.call(asyncio.start_server(self._handle, self.host, 0))
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        """Close the listener and every forwarded connection."""
        if self._loop is None:
            return
        server = self._server

        async def shutdown() -> None:
            if server is not None:
                server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        self._loop.call(shutdown())
        self._loop.close()
        self._loop = None

    def __enter__(self) -> DelayProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.close()
            self._tasks.discard(task)
            return
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                w.close()
            self._tasks.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy one direction; each chunk is sent ``delay`` after it arrived, in order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        async def send() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.create_task(send())
        try:
            while True:
                chunk = await reader.read(65536)
                queue.put_nowait((loop.time() + self.delay, chunk))
                if not chunk:
                    break
            await sender
        except (OSError, asyncio.IncompleteReadError):
            sender.cancel()
        finally:
            if not sender.done():
                sender.cancel()
