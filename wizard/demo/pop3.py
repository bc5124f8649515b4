"""A small POP3 responder (RFC 1939, with CAPA and STLS from RFC 2449 and RFC 2595).

No maintained asyncio POP3 server library exists. Like real servers it refuses a password
before TLS: on the STARTTLS listener, USER/PASS work only after STLS.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass, field

from wizard.demo.mailbox import DemoMailbox, StoredMessage, StreamCallback

_log = logging.getLogger(__name__)

#: RFC 1939 section 3: an idle client may be logged out after at least ten minutes.
IDLE_SECONDS = 600.0
#: Longest command line accepted (RFC 2449 allows 255 octets; some slack for clients).
MAX_LINE = 1024
_IMPLEMENTATION = b"IMPLEMENTATION mailcom-wizard-demo"


def _octets(data: bytes) -> int:
    """The size POP3 reports: of the message with CRLF line ends, as it is sent."""
    return sum(len(line) + 2 for line in data.splitlines())


def _listed(command: str, message: StoredMessage) -> str:
    """What LIST (the size) or UIDL (the unique id) says of a message."""
    return str(_octets(message.data)) if command == "LIST" else f"demo-{message.uid}"


@dataclass
class _Session:
    """One POP3 connection, from greeting to QUIT."""

    mailbox: DemoMailbox
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    #: What STLS would use; None once the connection is encrypted (or from the start).
    upgrade: ssl.SSLContext | None
    username: str | None = None
    messages: list[StoredMessage] | None = None  # set once logged in
    deleted: set[int] = field(default_factory=set)  # UIDs

    async def send(self, first: str, lines: list[bytes] | None = None) -> None:
        """One line; with ``lines``, a multi-line answer (dot-stuffed, then the final dot)."""
        out = [first.encode("utf-8")]
        if lines is not None:
            out += [b"." + line if line.startswith(b".") else line for line in lines]
            out.append(b".")
        self.writer.write(b"\r\n".join(out) + b"\r\n")
        await self.writer.drain()

    async def run(self) -> None:
        await self.send("+OK mailcom-wizard practice POP3 server ready")
        while True:
            try:
                raw = await asyncio.wait_for(self.reader.readline(), IDLE_SECONDS)
            except (TimeoutError, ValueError, ConnectionError):
                return  # idle, line longer than the stream limit, or gone
            if not raw:
                return
            if len(raw) > MAX_LINE:
                await self.send("-ERR line too long")
                continue
            command, _, argument = raw.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            command = command.upper()
            if command == "QUIT":
                if self.messages is not None:
                    # UPDATE state (RFC 1939 section 6): only now are DELE'd messages removed.
                    await self.mailbox.delete(sorted(self.deleted))
                await self.send("+OK bye")
                return
            if command == "CAPA":
                await self.send("+OK capability list follows", self.capabilities())
            elif command == "NOOP":
                await self.send("+OK")
            elif self.messages is None:
                await self.authorization(command, argument)
            else:
                await self.transaction(command, argument)

    def capabilities(self) -> list[bytes]:
        # Unencrypted sessions are never logged in: they offer STLS, encrypted ones USER.
        login = b"USER" if self.upgrade is None else b"STLS"
        return [b"TOP", b"UIDL", b"RESP-CODES", b"PIPELINING", login, _IMPLEMENTATION]

    async def authorization(self, command: str, argument: str) -> None:
        if command == "STLS":
            if self.upgrade is None:
                await self.send("-ERR TLS is already active")
                return
            await self.send("+OK begin TLS negotiation")
            # A refused certificate (a demo fault) raises and ends the connection.
            await self.writer.start_tls(self.upgrade)
            self.upgrade = None
            self.username = None  # RFC 2595: forget anything said before TLS
        elif command in ("USER", "PASS") and self.upgrade is not None:
            await self.send("-ERR [AUTH] plaintext login is refused before STLS; use TLS first")
        elif command == "USER":
            self.username = argument
            await self.send("+OK send the password")
        elif command == "PASS":
            username, self.username = self.username, None
            if username is None:
                await self.send("-ERR USER first")
            elif not self.mailbox.account.accepts(username, argument):
                await asyncio.sleep(0.1)  # like real servers, slow down password guessing
                await self.send("-ERR [AUTH] authentication failed")
            else:
                self.messages = await self.mailbox.messages()
                count = len(self.messages)
                await self.send(f"+OK logged in, {count} message{'s' if count != 1 else ''}")
        else:
            await self.send("-ERR not available before login")

    async def transaction(self, command: str, argument: str) -> None:
        assert self.messages is not None
        numbered = enumerate(self.messages, 1)
        live = {n: message for n, message in numbered if message.uid not in self.deleted}
        if command == "STAT":
            total = sum(_octets(message.data) for message in live.values())
            await self.send(f"+OK {len(live)} {total}")
        elif command in ("LIST", "UIDL") and not argument.strip():
            lines = [f"{n} {_listed(command, message)}".encode() for n, message in live.items()]
            await self.send("+OK", lines)
        elif command in ("LIST", "UIDL", "RETR", "TOP", "DELE"):
            await self.one_message(command, argument.split(), live)
        elif command == "RSET":
            self.deleted.clear()
            await self.send("+OK")
        elif command in ("USER", "PASS", "STLS"):
            await self.send("-ERR already logged in")
        else:
            await self.send("-ERR unknown command")

    async def one_message(
        self, command: str, parts: list[str], live: dict[int, StoredMessage]
    ) -> None:
        """A command about the one live message ``parts[0]`` (its number) names."""
        try:
            number = int(parts[0])
        except (ValueError, IndexError):
            number = 0
        message = live.get(number)
        if command == "TOP" and (message is None or len(parts) != 2 or not parts[1].isdigit()):
            await self.send("-ERR usage: TOP message lines")
        elif message is None:
            await self.send("-ERR no such message")
        elif command in ("LIST", "UIDL"):
            await self.send(f"+OK {number} {_listed(command, message)}")
        elif command == "RETR":
            await self.send(f"+OK {_octets(message.data)} octets", message.data.splitlines())
        elif command == "TOP":
            lines = message.data.splitlines()
            end_of_header = lines.index(b"") if b"" in lines else len(lines)
            await self.send("+OK", lines[: end_of_header + 1 + int(parts[1])])
        else:
            self.deleted.add(message.uid)
            await self.send(f"+OK message {number} deleted")


def pop3_callback(
    mailbox: DemoMailbox, *, starttls_context: ssl.SSLContext | None
) -> StreamCallback:
    """The ``asyncio.start_server`` callback for a POP3 listener: ``starttls_context`` for
    the STARTTLS listener, None for the implicit-TLS one (the server wraps the socket)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _Session(mailbox, reader, writer, starttls_context).run()
        except OSError as exc:  # gone, or a failed STLS handshake (demo faults)
            _log.debug("POP3 connection ended: %s", exc)
        finally:
            writer.close()

    return serve
