"""Fake mail servers with scripted answers: mailboxes that lie, a POP3 server with APOP.

They let a test play the server that lies: an IMAP SEARCH answer that is not one message
number (``* SEARCH SEARCH 1:*``, ``* SEARCH 1:*``, several numbers), a FETCH that shows
another message or no marker, no UIDPLUS; a POP3 mailbox whose messages do or do not carry
the marker. And a POP3 server whose only challenge-response login is APOP. Every command
is recorded (``commands``, ``verbs``), so a test can prove what was never sent (STORE,
EXPUNGE, CLOSE, DELE, a password).
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections.abc import Callable, Sequence

from wizard.core.models import Protocol

from .faults import FakeMailServer

#: The answer to ``UID FETCH <uid> ...``: (the UID the answer names, the header text).
FetchAnswer = Callable[[str], tuple[str, str]]


def _accept(tag: str, _secret: str) -> list[str]:
    return [f"{tag} OK Logged in." if tag else "+OK Logged in."]


class FakeImapMailbox(FakeMailServer):
    """An IMAP inbox (implicit TLS, trusted) whose SEARCH and FETCH answers are scripted."""

    def __init__(
        self,
        name: str,
        context: ssl.SSLContext,
        *,
        search: Sequence[str],
        fetch: FetchAnswer,
        uidplus: bool,
    ) -> None:
        super().__init__(name, Protocol.IMAP, implicit_tls=context, login_answer=_accept)
        #: The untagged lines answering UID SEARCH (``* SEARCH 5``, say).
        self.search = list(search)
        self.fetch = fetch
        self.uidplus = uidplus

    def extra_capabilities(self) -> list[str]:
        return ["UIDPLUS"] if self.uidplus else []

    async def more(
        self,
        tag: str,
        verb: str,
        args: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        words = args.split()
        if verb == "SELECT":
            await self._send(writer, "* 3 EXISTS", f"{tag} OK [READ-WRITE] Select completed.")
        elif verb == "UID" and words and words[0].upper() == "SEARCH":
            await self._send(writer, *self.search, f"{tag} OK Search completed.")
        elif verb == "UID" and words and words[0].upper() == "FETCH":
            uid, header = self.fetch(words[1])
            literal = f"{header}\r\n\r\n"
            start = f"* 1 FETCH (UID {uid} BODY[HEADER.FIELDS (X-MAILCOM-WIZARD-CHECK)] "
            writer.write(f"{start}{{{len(literal)}}}\r\n{literal})\r\n".encode())
            await self._send(writer, f"{tag} OK Fetch completed.")
        elif verb in {"UID", "STORE", "EXPUNGE", "CLOSE", "CHECK"}:
            await self._send(writer, f"{tag} OK Done.")  # recorded: the test looks
        else:
            return False
        return True


class FakePop3Mailbox(FakeMailServer):
    """A POP3 maildrop (implicit TLS, trusted) holding messages with these headers."""

    def __init__(self, name: str, context: ssl.SSLContext, *, headers: Sequence[str]) -> None:
        super().__init__(name, Protocol.POP3, implicit_tls=context, login_answer=_accept)
        self.headers = list(headers)

    async def more(
        self,
        tag: str,
        verb: str,
        args: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        words = args.split()
        if verb == "STAT":
            await self._send(writer, f"+OK {len(self.headers)} {100 * len(self.headers)}")
        elif verb == "TOP" and words and words[0].isdigit():
            number = int(words[0])
            if not 1 <= number <= len(self.headers):
                await self._send(writer, "-ERR no such message")
            else:
                await self._send(writer, "+OK", *self.headers[number - 1].splitlines(), "", ".")
        elif verb in {"DELE", "RETR", "LIST", "UIDL", "RSET"}:
            await self._send(writer, "+OK")  # recorded: the test looks
        else:
            return False
        return True


class FakeApopServer(FakeMailServer):
    """POP3 (implicit TLS, trusted) whose greeting carries an APOP timestamp, whose CAPA
    lists no CRAM-MD5, and which checks an APOP login against ``password`` (RFC 1939)."""

    STAMP = "<1896.697170952@fake.test>"

    def __init__(self, name: str, context: ssl.SSLContext, *, password: str) -> None:
        super().__init__(name, Protocol.POP3, implicit_tls=context)
        self.password = password

    def greeting_extra(self) -> str:
        return f" {self.STAMP}"

    async def more(
        self,
        tag: str,
        verb: str,
        args: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if verb != "APOP":
            return False
        digest = hashlib.md5((self.STAMP + self.password).encode()).hexdigest()
        right = args.split()[-1:] == [digest]
        await self._send(writer, "+OK maildrop locked and ready" if right else "-ERR [AUTH] no")
        return True
