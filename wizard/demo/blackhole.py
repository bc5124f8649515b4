"""A loopback port that never answers a connection, as behind a firewall that drops packets.

A listener whose queue is full: the kernel then drops every new SYN without a word, so a
client waits until its own time limit. The queue is filled by connecting to it from here.
"""

from __future__ import annotations

import contextlib
import select
import socket

#: How long a filling connection may take on loopback before the queue counts as full.
_SETTLE_SECONDS = 0.05
_MAX_FILLERS = 16


class Blackhole(contextlib.AbstractContextManager["Blackhole"]):
    """A port on ``host`` (loopback) where connection attempts get no answer at all."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._fillers: list[socket.socket] = []
        try:
            self._listener.bind((host, 0))
            self._listener.listen(0)
            self.port = int(self._listener.getsockname()[1])
            self._fill()
        except BaseException:
            self.close()
            raise

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def _fill(self) -> None:
        for _ in range(_MAX_FILLERS):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            self._fillers.append(filler)
            filler.connect_ex(self.address)
            _, writable, _ = select.select([], [filler], [], _SETTLE_SECONDS)
            if not writable:  # this one got no answer: the queue is full
                return
        raise OSError("the blackhole's connection queue did not fill up")

    def close(self) -> None:
        """Close the fillers and the port. Safe to call twice."""
        for sock in (*self._fillers, self._listener):
            with contextlib.suppress(OSError):
                sock.close()
        self._fillers.clear()

    def __exit__(self, *_exc: object) -> None:
        self.close()
