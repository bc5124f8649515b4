"""A small POP3 responder (RFC 1939, with CAPA and STLS from RFC 2449 and RFC 2595).

No maintained POP3 server library for asyncio exists, so the practice server carries this
one. It serves only the demo mailbox and is used nowhere but in the demo. Like real servers
it refuses a password before TLS: on the STARTTLS listener, USER/PASS work only after STLS.
"""

from __future__ import annotations

import asyncio
import logging
import ssl

from wizard.demo.mailbox import DemoMailbox, StoredMessage, StreamCallback

_log = logging.getLogger(__name__)

#: RFC 1939 section 3: an idle client may be logged out after at least ten minutes.
IDLE_SECONDS = 600.0
#: Longest command line accepted (RFC 2449 allows 255 octets; some slack for clients).
MAX_LINE = 1024


def _octets(data: bytes) -> int:
    """The size POP3 reports: of the message with CRLF line ends, as it is sent."""
    return sum(len(line) + 2 for line in data.splitlines())


class _Session:
    """One POP3 connection, from greeting to QUIT."""

    def __init__(
        self,
        mailbox: DemoMailbox,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        starttls_context: ssl.SSLContext | None,
    ) -> None:
        self.mailbox = mailbox
        self.reader = reader
        self.writer = writer
        self.starttls_context = starttls_context
        # On the implicit-TLS listener the connection is encrypted from the first byte.
        self.secure = starttls_context is None
        self.username: str | None = None
        self.messages: list[StoredMessage] | None = None  # set once logged in
        self.deleted: set[int] = set()

    async def send(self, line: str) -> None:
        self.writer.write(line.encode("utf-8") + b"\r\n")
        await self.writer.drain()

    async def send_multiline(self, first: str, lines: list[bytes]) -> None:
        """A +OK line, then ``lines`` dot-stuffed, then the terminating dot."""
        out = [first.encode("utf-8")]
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
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            command, _, argument = line.partition(" ")
            if not await self.dispatch(command.upper(), argument):
                return

    async def dispatch(self, command: str, argument: str) -> bool:
        """Answer one command; False when the connection should end."""
        if command == "QUIT":
            if self.messages is not None:
                # UPDATE state (RFC 1939 section 6): only now are DELE'd messages removed.
                await self.mailbox.delete(sorted(self.messages[n].uid for n in self.deleted))
            await self.send("+OK bye")
            return False
        if command == "CAPA":
            await self.send_multiline("+OK capability list follows", self.capabilities())
            return True
        if command == "NOOP":
            await self.send("+OK")
            return True
        if self.messages is None:
            return await self.authorization(command, argument)
        return await self.transaction(command, argument)

    def capabilities(self) -> list[bytes]:
        caps = [b"TOP", b"UIDL", b"RESP-CODES", b"PIPELINING"]
        if self.secure:
            caps.append(b"USER")
        elif self.messages is None:
            caps.append(b"STLS")
        caps.append(b"IMPLEMENTATION mailcom-wizard-demo")
        return caps

    async def authorization(self, command: str, argument: str) -> bool:
        if command == "STLS":
            if self.secure or self.starttls_context is None:
                await self.send("-ERR TLS is already active")
                return True
            await self.send("+OK begin TLS negotiation")
            try:
                await self.writer.start_tls(self.starttls_context)
            except (ssl.SSLError, ConnectionError, OSError) as exc:
                # The client refused the certificate (a rehearsed fault) or went away.
                _log.debug("POP3 STLS handshake failed: %s", exc)
                return False
            self.secure = True
            self.username = None  # RFC 2595: forget anything said before TLS
            return True
        if command in ("USER", "PASS") and not self.secure:
            await self.send("-ERR [AUTH] plaintext login is refused before STLS; use TLS first")
            return True
        if command == "USER":
            self.username = argument
            await self.send("+OK send the password")
            return True
        if command == "PASS":
            username, self.username = self.username, None
            if username is None:
                await self.send("-ERR USER first")
                return True
            if not self.mailbox.account.accepts(username, argument):
                await asyncio.sleep(0.1)  # like real servers, slow down password guessing
                await self.send("-ERR [AUTH] authentication failed")
                return True
            self.messages = await self.mailbox.messages()
            count = len(self.messages)
            await self.send(f"+OK logged in, {count} message{'s' if count != 1 else ''}")
            return True
        await self.send("-ERR not available before login")
        return True

    def _message(self, argument: str) -> tuple[int, StoredMessage] | None:
        """The live message that ``argument`` (a 1-based number) names, or None."""
        try:
            number = int(argument.split()[0])
        except (ValueError, IndexError):
            return None
        live = dict(self._live())
        return (number, live[number]) if number in live else None

    def _live(self) -> list[tuple[int, StoredMessage]]:
        assert self.messages is not None
        return [
            (index + 1, message)
            for index, message in enumerate(self.messages)
            if index not in self.deleted
        ]

    async def transaction(self, command: str, argument: str) -> bool:
        if command == "STAT":
            live = self._live()
            total = sum(_octets(message.data) for _, message in live)
            await self.send(f"+OK {len(live)} {total}")
        elif command in ("LIST", "UIDL") and not argument.strip():
            lines = [f"{n} {_listed(command, message)}".encode() for n, message in self._live()]
            await self.send_multiline("+OK", lines)
        elif command in ("LIST", "UIDL", "RETR", "TOP", "DELE"):
            await self.one_message(command, argument)
        elif command == "RSET":
            self.deleted.clear()
            await self.send("+OK")
        elif command in ("USER", "PASS", "STLS"):
            await self.send("-ERR already logged in")
        else:
            await self.send("-ERR unknown command")
        return True

    async def one_message(self, command: str, argument: str) -> None:
        """A command about the one message ``argument`` names."""
        found = self._message(argument)
        parts = argument.split()
        if command == "TOP" and (found is None or len(parts) != 2 or not parts[1].isdigit()):
            await self.send("-ERR usage: TOP message lines")
            return
        if found is None:
            await self.send("-ERR no such message")
            return
        number, message = found
        lines = message.data.splitlines()
        if command in ("LIST", "UIDL"):
            await self.send(f"+OK {number} {_listed(command, message)}")
        elif command == "RETR":
            await self.send_multiline(f"+OK {_octets(message.data)} octets", lines)
        elif command == "TOP":
            end_of_header = lines.index(b"") if b"" in lines else len(lines)
            await self.send_multiline("+OK", lines[: end_of_header + 1 + int(parts[1])])
        else:
            self.deleted.add(number - 1)
            await self.send(f"+OK message {number} deleted")


def _listed(command: str, message: StoredMessage) -> str:
    """What LIST (the size) or UIDL (the unique id) says of a message."""
    return str(_octets(message.data)) if command == "LIST" else f"demo-{message.uid}"


def pop3_callback(
    mailbox: DemoMailbox, *, starttls_context: ssl.SSLContext | None
) -> StreamCallback:
    """The ``asyncio.start_server`` callback for a POP3 listener.

    ``starttls_context`` is given for the STARTTLS listener (STLS offered, login only after
    it) and None for the implicit-TLS listener (the server itself wraps the socket).
    """

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(mailbox, reader, writer, starttls_context=starttls_context)
        try:
            await session.run()
        except (ConnectionError, ssl.SSLError) as exc:
            _log.debug("POP3 connection ended: %s", exc)
        finally:
            writer.close()

    return serve
