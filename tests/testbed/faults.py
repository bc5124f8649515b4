"""Fault listeners: loopback servers that misbehave the ways real networks and middleboxes do.

All run on one background event loop (``LoopThread``), so they answer while a test talks
to them from any thread or loop. Each listens on 127.0.0.1 on its own free port.

- ``silent``: accepts TCP and never says anything.
- ``stall_tls``: accepts TCP, reads the TLS ClientHello and never answers it.
- ``close_after_greeting(protocol)``: greets (``* OK``, ``+OK``, ``220``) then hangs up.
- ``no_starttls(protocol)``: clear text, offers password login but not STARTTLS, and
  records every line it receives (``.commands``), so a test can prove no AUTH reached it.
- ``bad_certificate(kind, protocol, security)``: presents an untrusted ("intercepted"),
  expired or wrong-host certificate, by implicit TLS or after STARTTLS.
- ``hostile(protocol, security)``: a server whose every answer carries terminal escape
  sequences (``HOSTILE_WORDS``). By STARTTLS it offers STARTTLS and refuses it; by implicit
  TLS (a trusted certificate) it refuses the login and echoes the password it was sent.
- ``stall_login(protocol)``: implicit TLS with a trusted certificate, a greeting, then
  silence once the login command arrives.
- ``old_tls(protocol)``: implicit TLS (trusted certificate) that goes no higher than
  TLS 1.1, which the wizard refuses.
- ``scripted(name, protocol, security, login_answer=, inject=, flood=)``: a trusted server
  that answers logins as told (an unexpected tag, a reply repeating the password), sends
  clear text with its STARTTLS go-ahead (``inject``), never stops talking (``flood``:
  an endless greeting line, or endless capabilities), or says nothing (``mute``: no
  greeting, or nothing once STARTTLS has secured the connection).
- ``closed_port``: a loopback port with nothing listening; ``dns_host``: a name that
  never resolves.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import socket
import ssl
import threading
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from wizard.core.models import Endpoint, Protocol, Security

from .certs import TestCertificates
from .loop import LoopThread

#: A name under the reserved .invalid TLD (RFC 2606): it never resolves anywhere.
DNS_FAILURE_HOST = "nonexistent.invalid"

CertificateKind = Literal["untrusted", "expired", "wrong_host"]

#: What a fake server on the path to port 143, 110 or 587 could say to drive a terminal: set
#: the window title, clear the screen, print a claim in red (C0 escapes, then a C1 CSI, a
#: right-to-left override, a backspace and a DEL).
FAKE_CLAIM = "FAKE: all good, type your password again"
HOSTILE_WORDS = f"\x1b]0;pwned\x07\x1b[2J\x1b[31m{FAKE_CLAIM}\x1b[0m\u009b2J\u202eevil\x08\x7f"

_Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
#: Makes the lines answering a login from its tag (IMAP; "" otherwise) and the password.
LoginAnswer = Callable[[str, str], list[str]]
#: Where a flooding fake never stops: its greeting, or its capability list.
Flood = Literal["greeting", "capabilities"]
#: Where a fake falls silent: instead of its greeting, or once STARTTLS has secured it.
Mute = Literal["greeting", "after_tls"]


@dataclass(frozen=True)
class Listener:
    """Where a fault listener is: always 127.0.0.1 and a port."""

    name: str
    port: int
    host: str = "127.0.0.1"

    def endpoint(self, protocol: Protocol, security: Security, host: str = "localhost") -> Endpoint:
        """An endpoint pointing at this listener (``localhost`` resolves to 127.0.0.1)."""
        return Endpoint(protocol=protocol, host=host, port=self.port, security=security)


class _Hangup(Exception):
    """The fake ends the conversation."""


class FakeMailServer:
    """Speaks just enough IMAP, POP3 or SMTP to greet, list capabilities, refuse logins
    and (optionally) upgrade with STARTTLS. Every line received is recorded."""

    def __init__(
        self,
        name: str,
        protocol: Protocol,
        *,
        implicit_tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
        greeting_only: bool = False,
        hostile: bool = False,
        stall_login: bool = False,
        login_answer: LoginAnswer | None = None,
        inject: str = "",
        flood: Flood | None = None,
        mute: Mute | None = None,
    ) -> None:
        self.name = name
        self.protocol = protocol
        self.implicit_tls = implicit_tls
        self.starttls = starttls
        self.greeting_only = greeting_only
        #: Say HOSTILE_WORDS in every answer, refuse STARTTLS, echo the password back.
        self.hostile = hostile
        #: Read the login command and never answer it.
        self.stall_login = stall_login
        #: The lines that answer a login, made from its tag (IMAP) and the password sent.
        self.login_answer = login_answer
        #: Clear text sent in the same write as the STARTTLS "go ahead", before the handshake.
        self.inject = inject
        #: Never stop talking: in the greeting (one endless line) or in the capabilities.
        self.flood = flood
        #: Say nothing at all ("greeting", after any implicit TLS handshake), or nothing
        #: more once the STARTTLS handshake is done ("after_tls").
        self.mute = mute
        self.listener = Listener(name, 0)
        self._lock = threading.Lock()
        self._commands: list[str] = []
        self._connections = 0

    # -- what tests read -------------------------------------------------------------

    @property
    def commands(self) -> list[str]:
        """Every line received so far, in order, without line endings (a copy)."""
        with self._lock:
            return list(self._commands)

    @property
    def verbs(self) -> list[str]:
        """The first word of every command line, upper-cased (IMAP: the word after the tag)."""
        verbs = []
        for line in self.commands:
            words = line.split()
            if self.protocol is Protocol.IMAP and len(words) > 1:
                verbs.append(words[1].upper())
            elif words:
                verbs.append(words[0].upper())
        return verbs

    @property
    def connections(self) -> int:
        """How many TCP connections were accepted."""
        with self._lock:
            return self._connections

    @property
    def saw_login(self) -> bool:
        """True if any login command (AUTH, AUTHENTICATE, LOGIN, USER, PASS) arrived."""
        return any(v in {"AUTH", "AUTHENTICATE", "LOGIN", "USER", "PASS"} for v in self.verbs)

    def reset(self) -> None:
        """Forget the recorded commands and connections (before a test)."""
        with self._lock:
            self._commands.clear()
            self._connections = 0

    def endpoint(self, security: Security | None = None, host: str = "localhost") -> Endpoint:
        """An endpoint for this fake, with its own protocol and matching security."""
        if security is None:
            security = Security.SSL if self.implicit_tls else Security.STARTTLS
        return self.listener.endpoint(self.protocol, security, host)

    # -- the conversation ------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection."""
        with self._lock:
            self._connections += 1
        conversation = {
            Protocol.IMAP: self._imap,
            Protocol.POP3: self._pop3,
            Protocol.SMTP: self._smtp,
        }[self.protocol]
        try:
            if self.mute == "greeting":
                await self._never_answer(reader)
            await conversation(reader, writer)
        except (_Hangup, OSError, asyncio.IncompleteReadError, ssl.SSLError, ValueError):
            pass
        finally:
            writer.close()

    async def _line(self, reader: asyncio.StreamReader) -> str:
        raw = await reader.readline()
        if not raw:
            raise _Hangup
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        with self._lock:
            self._commands.append(line)
        return line

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, *lines: str) -> None:
        writer.write("".join(f"{line}\r\n" for line in lines).encode())
        await writer.drain()

    async def _upgrade(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, go_ahead: str
    ) -> None:
        """Say ``go_ahead`` (plus any injected clear text, in the same write), then TLS."""
        assert self.starttls is not None
        writer.write(f"{go_ahead}\r\n{self.inject}".encode())
        await writer.drain()
        await writer.start_tls(self.starttls)
        if self.mute == "after_tls":
            await self._never_answer(reader)

    @staticmethod
    async def _flood(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: str, line: str
    ) -> None:
        """Send ``first``, then ``line`` without end, until the client hangs up."""
        writer.write(first.encode())
        chunk = line.encode() * max(1, 65536 // len(line))
        while not (writer.is_closing() or reader.at_eof() or reader.exception()):
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0)  # a write that never blocks must still let a hang-up in
        raise _Hangup

    async def _answer_login(self, writer: asyncio.StreamWriter, tag: str, secret: str) -> bool:
        """Answer a login the scripted way, if this fake has one (True when it did)."""
        if self.login_answer is None:
            return False
        await self._send(writer, *self.login_answer(tag, secret))
        return True

    def extra_capabilities(self) -> list[str]:
        """What a subclass offers beyond the basics (IMAP and POP3 capabilities)."""
        return []

    def greeting_extra(self) -> str:
        """What a subclass adds to its greeting (a POP3 APOP timestamp, say)."""
        return ""

    async def more(
        self,
        tag: str,
        verb: str,
        args: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """A subclass's own answer to a command (True when it answered it)."""
        return False

    def _words(self) -> str:
        return f" {HOSTILE_WORDS}" if self.hostile else ""

    def _refusal(self, secret: str) -> str:
        """What follows a refused login: an echo of the password from a hostile fake."""
        return f"{HOSTILE_WORDS} you typed {secret}" if self.hostile else "Authentication failed."

    async def _imap_login_password(
        self, args: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> str:
        """The second argument of ``LOGIN user password``: a quoted string, an atom or a
        literal (``{n}``: the client waits for "+", then sends n bytes)."""
        literal = re.search(r"\{(\d+)\+?\}$", args)
        if literal is not None:
            if not args.endswith("+}"):
                await self._send(writer, "+ Ready for literal data")
            data = await reader.readexactly(int(literal.group(1)))
            await self._line(reader)  # the rest of the command: its line end
            return data.decode("utf-8", "replace")
        words = re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', args)
        values = [re.sub(r"\\(.)", r"\1", quoted) if quoted else atom for quoted, atom in words]
        return values[1] if len(values) > 1 else ""

    async def _never_answer(self, reader: asyncio.StreamReader) -> None:
        while await reader.read(4096):
            pass
        raise _Hangup

    async def _imap(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tls = self.implicit_tls is not None

        def caps() -> str:
            offer = " STARTTLS" if (self.starttls or self.hostile) and not tls else ""
            extra = "".join(f" {capability}" for capability in self.extra_capabilities())
            return f"IMAP4rev1 SASL-IR{offer} AUTH=PLAIN AUTH=LOGIN{extra}"

        if self.flood == "greeting":
            await self._flood(reader, writer, "* OK ", "Fake IMAP ready and ever more ready. ")
        await self._send(writer, f"* OK [CAPABILITY {caps()}] Fake IMAP ready.{self._words()}")
        if self.greeting_only:
            raise _Hangup
        while True:
            line = await self._line(reader)
            tag, _, rest = line.partition(" ")
            verb, _, args = rest.partition(" ")
            verb = verb.upper()
            if await self.more(tag, verb, args, reader, writer):
                continue
            if verb == "CAPABILITY" and self.flood == "capabilities":
                await self._flood(reader, writer, "", f"* CAPABILITY {caps()} X-MORE\r\n")
            elif verb == "CAPABILITY":
                await self._send(writer, f"* CAPABILITY {caps()}", f"{tag} OK Completed.")
            elif verb == "STARTTLS" and self.hostile and not tls:
                await self._send(writer, f"{tag} NO{self._words()}")
            elif verb == "STARTTLS" and self.starttls and not tls:
                await self._upgrade(reader, writer, f"{tag} OK Begin TLS negotiation now.")
                tls = True
            elif verb in {"LOGIN", "AUTHENTICATE"}:
                if self.stall_login:
                    await self._never_answer(reader)
                if verb == "AUTHENTICATE" and len(args.split()) == 1:
                    await self._send(writer, "+ ")
                    secret = _plain_password(await self._line(reader))
                elif verb == "AUTHENTICATE":
                    secret = _plain_password(args.split()[-1])
                else:
                    secret = await self._imap_login_password(args, reader, writer)
                if await self._answer_login(writer, tag, secret):
                    continue
                refusal = self._refusal(secret)
                await self._send(writer, f"{tag} NO [AUTHENTICATIONFAILED] {refusal}")
            elif verb == "LOGOUT":
                await self._send(writer, "* BYE Logging out.", f"{tag} OK Logout completed.")
                raise _Hangup
            elif verb == "NOOP":
                await self._send(writer, f"{tag} OK NOOP completed.")
            else:
                await self._send(writer, f"{tag} BAD Unknown command.")

    async def _pop3(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tls = self.implicit_tls is not None
        if self.flood == "greeting":
            await self._flood(reader, writer, "+OK ", "Fake POP3 ready and ever more ready. ")
        await self._send(writer, f"+OK Fake POP3 ready.{self._words()}{self.greeting_extra()}")
        if self.greeting_only:
            raise _Hangup
        while True:
            line = await self._line(reader)
            verb, _, args = line.partition(" ")
            verb = verb.upper()
            if await self.more("", verb, args, reader, writer):
                continue
            if verb == "CAPA" and self.flood == "capabilities":
                await self._flood(reader, writer, "+OK\r\n", "X-MORE-CAPABILITIES\r\n")
            elif verb == "CAPA":
                offer = ["STLS"] if (self.starttls or self.hostile) and not tls else []
                offer += self.extra_capabilities()
                await self._send(writer, "+OK", "USER", "SASL PLAIN LOGIN", *offer, ".")
            elif verb == "STLS" and self.hostile and not tls:
                await self._send(writer, f"-ERR{self._words()}")
            elif verb == "STLS" and self.starttls and not tls:
                await self._upgrade(reader, writer, "+OK Begin TLS negotiation now.")
                tls = True
            elif verb == "USER":
                if self.stall_login:
                    await self._never_answer(reader)
                await self._send(writer, "+OK")
            elif verb in {"PASS", "AUTH"}:
                secret = args
                if verb == "AUTH" and len(args.split()) == 1:
                    await self._send(writer, "+ ")
                    secret = _plain_password(await self._line(reader))
                if await self._answer_login(writer, "", secret):
                    continue
                await self._send(writer, f"-ERR [AUTH] {self._refusal(secret)}")
            elif verb == "QUIT":
                await self._send(writer, "+OK Logging out.")
                raise _Hangup
            elif verb == "NOOP":
                await self._send(writer, "+OK")
            else:
                await self._send(writer, "-ERR Unknown command.")

    async def _smtp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tls = self.implicit_tls is not None
        if self.flood == "greeting":
            await self._flood(
                reader, writer, "220-fake.test\r\n", "220-Fake SMTP ready and ever more\r\n"
            )
        await self._send(writer, f"220 fake.test ESMTP Fake SMTP ready{self._words()}")
        if self.greeting_only:
            raise _Hangup
        while True:
            line = await self._line(reader)
            verb, _, args = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO" and self.flood == "capabilities":
                await self._flood(reader, writer, "250-fake.test\r\n", "250-X-MORE-EXTENSIONS\r\n")
            elif verb == "EHLO":
                offer = ["250-STARTTLS"] if (self.starttls or self.hostile) and not tls else []
                await self._send(
                    writer, "250-fake.test", *offer, "250-AUTH PLAIN LOGIN", "250 8BITMIME"
                )
            elif verb == "HELO":
                await self._send(writer, "250 fake.test")
            elif verb == "STARTTLS" and self.hostile and not tls:
                await self._send(writer, f"454 4.7.0{self._words()}")
            elif verb == "STARTTLS" and self.starttls and not tls:
                await self._upgrade(reader, writer, "220 2.0.0 Ready to start TLS")
                tls = True
            elif verb == "AUTH":
                if self.stall_login:
                    await self._never_answer(reader)
                words = args.split()
                secret = ""
                if words and words[0].upper() == "LOGIN":
                    await self._send(writer, "334 VXNlcm5hbWU6")
                    await self._line(reader)
                    await self._send(writer, "334 UGFzc3dvcmQ6")
                    secret = _base64_text(await self._line(reader))
                elif len(words) == 1:
                    await self._send(writer, "334 ")
                    secret = _plain_password(await self._line(reader))
                else:
                    secret = _plain_password(words[-1])
                if await self._answer_login(writer, "", secret):
                    continue
                await self._send(writer, f"535 5.7.8 {self._refusal(secret)}")
            elif verb in {"NOOP", "RSET"}:
                await self._send(writer, "250 2.0.0 OK")
            elif verb == "QUIT":
                await self._send(writer, "221 2.0.0 Bye")
                raise _Hangup
            elif verb in {"MAIL", "RCPT", "DATA"}:
                await self._send(writer, "530 5.7.0 Authentication required")
            else:
                await self._send(writer, "502 5.5.2 Command not recognized")


def _base64_text(data: str) -> str:
    try:
        return base64.b64decode(data.strip(), validate=True).decode("utf-8", "replace")
    except ValueError:
        return ""


def _plain_password(data: str) -> str:
    """The password inside a SASL PLAIN message (``\\0user\\0password``, base64)."""
    return _base64_text(data).rpartition("\0")[2]


async def _hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept, read whatever comes (a ClientHello, a command) and never answer."""
    try:
        while await reader.read(4096):
            pass
    except OSError:
        pass
    finally:
        writer.close()


class FaultListeners:
    """Every fault listener of the test bed, on one background loop. Listeners made on
    demand (per protocol or certificate) are cached and all closed by ``close()``."""

    def __init__(self, certificates: TestCertificates) -> None:
        self.certificates = certificates
        self.dns_host = DNS_FAILURE_HOST
        self._loop = LoopThread("testbed-faults")
        self._servers: list[asyncio.Server] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self._fakes: dict[tuple[object, ...], FakeMailServer] = {}
        self._lock = threading.Lock()
        self.silent = self._listen("silent", _hold)
        self.stall_tls = self._listen("stall_tls", _hold)
        # A loopback port with nothing listening: bound and kept (never listening), so a
        # connection is refused and no other program on a busy machine can take the port.
        self._closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._closed.bind(("127.0.0.1", 0))
        self.closed_port = Listener("closed_port", self._closed.getsockname()[1])

    def _listen(self, name: str, handler: _Handler, tls: ssl.SSLContext | None = None) -> Listener:
        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._handlers.add(task)
            try:
                await handler(reader, writer)
            finally:
                if task is not None:
                    self._handlers.discard(task)

        async def start() -> asyncio.Server:
            return await asyncio.start_server(
                tracked, "127.0.0.1", 0, ssl=tls, ssl_handshake_timeout=10 if tls else None
            )

        server = self._loop.call(start())
        self._servers.append(server)
        return Listener(name, int(server.sockets[0].getsockname()[1]))

    def _fake(self, key: tuple[object, ...], make: Callable[[], FakeMailServer]) -> FakeMailServer:
        with self._lock:
            fake = self._fakes.get(key)
            if fake is None:
                fake = make()
                listener = self._listen(fake.name, fake.handle, fake.implicit_tls)
                fake.listener = listener
                self._fakes[key] = fake
            return fake

    def close_after_greeting(self, protocol: Protocol) -> FakeMailServer:
        """A server that sends the protocol's greeting and closes the connection."""
        return self._fake(
            ("greeting", protocol),
            lambda: FakeMailServer(
                f"close_after_greeting_{protocol.value}", protocol, greeting_only=True
            ),
        )

    def no_starttls(self, protocol: Protocol) -> FakeMailServer:
        """A clear-text server offering password login but not STARTTLS; records commands."""
        return self._fake(
            ("no_starttls", protocol),
            lambda: FakeMailServer(f"{protocol.value}_no_starttls", protocol),
        )

    @property
    def smtp_no_starttls(self) -> FakeMailServer:
        """``no_starttls(Protocol.SMTP)``."""
        return self.no_starttls(Protocol.SMTP)

    @property
    def imap_no_starttls(self) -> FakeMailServer:
        """``no_starttls(Protocol.IMAP)``."""
        return self.no_starttls(Protocol.IMAP)

    @property
    def pop3_no_starttls(self) -> FakeMailServer:
        """``no_starttls(Protocol.POP3)``."""
        return self.no_starttls(Protocol.POP3)

    def hostile(self, protocol: Protocol, security: Security) -> FakeMailServer:
        """A server whose answers carry terminal escapes (``HOSTILE_WORDS``).

        STARTTLS: it offers STARTTLS and refuses it. SSL: implicit TLS with the trusted
        certificate; it refuses the login, echoing the password it was sent.
        """
        context = self.certificates.server.server_context() if security is Security.SSL else None
        return self._fake(
            ("hostile", protocol, security),
            lambda: FakeMailServer(
                f"hostile_{protocol.value}_{security.value}",
                protocol,
                implicit_tls=context,
                hostile=True,
            ),
        )

    def stall_login(self, protocol: Protocol) -> FakeMailServer:
        """Implicit TLS (trusted), a greeting, then silence once the login command arrives."""
        return self._fake(
            ("stall_login", protocol),
            lambda: FakeMailServer(
                f"stall_login_{protocol.value}",
                protocol,
                implicit_tls=self.certificates.server.server_context(),
                stall_login=True,
            ),
        )

    def scripted(
        self,
        name: str,
        protocol: Protocol,
        security: Security = Security.SSL,
        *,
        login_answer: LoginAnswer | None = None,
        inject: str = "",
        flood: Flood | None = None,
        mute: Mute | None = None,
    ) -> FakeMailServer:
        """A fake with the trusted certificate (implicit TLS, or offered by STARTTLS) that
        answers logins with ``login_answer``, sends ``inject`` in clear text with its
        STARTTLS go-ahead, floods (``flood``) or falls silent (``mute``). One listener per
        ``name``, protocol and security."""
        context = self.certificates.server.server_context()
        implicit = security is Security.SSL
        return self._fake(
            ("scripted", name, protocol, security),
            lambda: FakeMailServer(
                f"{name}_{protocol.value}_{security.value}",
                protocol,
                implicit_tls=context if implicit else None,
                starttls=None if implicit else context,
                login_answer=login_answer,
                inject=inject,
                flood=flood,
                mute=mute,
            ),
        )

    def add(self, fake: FakeMailServer) -> FakeMailServer:
        """Start listening for ``fake`` (a fake made elsewhere, a mailbox say); once per name."""
        return self._fake(("added", fake.name), lambda: fake)

    def old_tls(self, protocol: Protocol) -> FakeMailServer:
        """Implicit TLS with the trusted certificate, but TLS 1.0 and 1.1 only."""
        context = self.certificates.server.server_context()
        # OpenSSL 3 refuses TLS below 1.2 at its default security level; this fake must
        # offer it so the test shows that the wizard's own floor refuses it.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        return self._fake(
            ("old_tls", protocol),
            lambda: FakeMailServer(f"old_tls_{protocol.value}", protocol, implicit_tls=context),
        )

    def bad_certificate(
        self, kind: CertificateKind, protocol: Protocol, security: Security = Security.SSL
    ) -> FakeMailServer:
        """A server presenting a bad certificate: ``untrusted`` (issued by an
        "Avast Web/Mail Shield Root" CA the client does not trust), ``expired`` (from the
        trusted test CA, expired a month ago) or ``wrong_host`` (trusted, for
        ``wrong.example``). By implicit TLS, or after STARTTLS when ``security`` says so."""
        pair = getattr(self.certificates, kind)
        context = pair.server_context()

        def make() -> FakeMailServer:
            name = f"{kind}_{protocol.value}_{security.value}"
            if security is Security.SSL:
                return FakeMailServer(name, protocol, implicit_tls=context)
            return FakeMailServer(name, protocol, starttls=context)

        return self._fake(("cert", kind, protocol, security), make)

    def reset(self) -> None:
        """Forget what every recording fake has seen (run before each test)."""
        with self._lock:
            fakes = list(self._fakes.values())
        for fake in fakes:
            fake.reset()

    def close(self) -> None:
        """Stop every listener and drop every open connection."""

        async def shutdown() -> None:
            for server in self._servers:
                server.close()
            for task in list(self._handlers):
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)

        with contextlib.suppress(RuntimeError):
            self._loop.call(shutdown())
        self._loop.close()
        self._closed.close()
