"""IMAP through aioimaplib's protocol; the greeting and STARTTLS are handled here (aioimaplib
waits forever on a refused greeting, and cannot upgrade). No credential is in a command's
text (aioimaplib logs commands): the password is written straight to the connection."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import socket
import ssl
from collections.abc import Callable
from functools import partial
from typing import Any, cast

import aioimaplib

from wizard.core.models import Auth, Endpoint, Phase, Security, Status
from wizard.core.probes.base import (
    MailSession,
    PhaseCallback,
    ProbeFailure,
    Removal,
    carries_marker,
    reply_text,
    require_tls,
    tls_failure,
)
from wizard.core.probes.guard import WireGuard


class _GreetingProtocol(aioimaplib.IMAP4ClientProtocol):  # type: ignore[misc]
    """Reports a refused greeting to ``conn_lost_cb`` at once."""

    async def welcome(self, command: bytes) -> None:
        try:
            await super().welcome(command)
        except Exception as exc:
            text = reply_text(command)
            if text.upper().startswith(("* BYE", "BYE")):
                detail = "the server said goodbye instead of hello"
            else:
                detail = f"unexpected IMAP greeting ({type(exc).__name__})"
            self.conn_lost_cb(ProbeFailure(Status.PROTOCOL_ERROR, detail, text))


class _Answered(aioimaplib.Command):  # type: ignore[misc]
    """A command whose first continuation request ("+") gets ``answer`` written straight to the
    connection, a further one "*" (RFC 3501 6.2.2); aioimaplib calls ``flush`` after each."""

    def __init__(
        self,
        protocol: aioimaplib.IMAP4ClientProtocol,
        name: str,
        *args: str,
        answer: Callable[[bytes], bytes],
    ) -> None:
        super().__init__(name, protocol.new_tag(), *args, loop=protocol.loop)
        self.transport = protocol.transport
        self.answer = answer
        self.answered = 0
        self.failure: ProbeFailure | None = None

    def flush(self) -> None:
        requests = [line for line in self.response.lines if bytes(line).startswith(b"+")]
        for request in requests[self.answered :]:
            self.answered += 1
            reply = b"*"
            if self.answered == 1:
                try:
                    reply = self.answer(bytes(request)[1:].strip())
                except ProbeFailure as failure:
                    self.failure = failure
            self.transport.write(reply + b"\r\n")


class ImapSession(MailSession):
    """An IMAP session: greeting read, STARTTLS done if asked for, ready for one login."""

    def __init__(self, endpoint: Endpoint, sock: socket.socket):
        self.endpoint = endpoint
        self.sock = sock
        loop = asyncio.get_running_loop()
        self.lost: asyncio.Future[Exception | None] = loop.create_future()
        self.protocol = _GreetingProtocol(loop, self._tell)
        self.guard = WireGuard(self.protocol, self._tell)

    def _tell(self, what: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(what)

    async def secure(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        implicit = self.endpoint.security is Security.SSL
        phase(Phase.SECURING if implicit else Phase.GREETING)
        try:
            await asyncio.get_running_loop().create_connection(
                lambda: self.guard,
                sock=self.sock,
                ssl=context if implicit else None,
                server_hostname=self.endpoint.host if implicit else None,
                # The caller's asyncio.timeout is the bound, not asyncio's 60 s.
                ssl_handshake_timeout=3600 if implicit else None,
            )
        except ssl.SSLError as exc:
            raise tls_failure(exc) from None
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise ProbeFailure(
                Status.TLS_FAILED,
                f"the connection was reset during the secure handshake ({exc.strerror})",
            ) from None
        if implicit:
            phase(Phase.GREETING)
        await self._until_lost(self.protocol.wait("AUTH|NONAUTH"), "greeting")
        if not implicit:
            await self._starttls(context, phase)
        require_tls(self.ssl_object(), self.endpoint)
        self.guard.budget(opened=True)

    async def _until_lost(self, awaitable: Any, what: str) -> Any:
        """``awaitable``'s result, or ProbeFailure at once if the connection ends meanwhile."""
        task = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait({task, self.lost}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            task.cancel()
            raise
        if task in done and not self.lost.done():
            try:
                return task.result()
            except aioimaplib.AioImapException as exc:
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR, f"unexpected IMAP answer during {what}", str(exc)
                ) from None
            except (ssl.SSLError, ConnectionError) as exc:
                raise ProbeFailure(
                    Status.PROTOCOL_ERROR, f"the connection broke during {what}: {exc}"
                ) from None
        task.cancel()
        ended = self.lost.result()
        if isinstance(ended, ProbeFailure):
            raise ended
        if isinstance(ended, Exception) and not isinstance(ended, OSError):
            # Its text may quote our command: not shown.
            raise ProbeFailure(
                Status.PROTOCOL_ERROR,
                f"unexpected IMAP answer during {what} ({type(ended).__name__})",
            )
        raise ProbeFailure(Status.PROTOCOL_ERROR, f"the server closed the connection during {what}")

    async def _starttls(self, context: ssl.SSLContext, phase: PhaseCallback) -> None:
        protocol = self.protocol
        if "STARTTLS" not in protocol.capabilities:
            raise self._no_tls("does not offer STARTTLS")
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        go_ahead = re.compile(re.escape(command.tag.encode()) + rb" OK\b", re.IGNORECASE)
        self.guard.expect_go_ahead(go_ahead.match, then=partial(phase, Phase.SECURING))
        response = await self._until_lost(protocol.execute(command), "STARTTLS")
        if response.result != "OK":
            last = response.lines[-1] if response.lines else response.result
            raise self._no_tls("refused STARTTLS", reply_text(last))
        self.guard.securing()
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                protocol.transport, self.guard, context, server_hostname=self.endpoint.host
            )
        except ssl.SSLError as exc:
            raise tls_failure(exc) from None
        except ConnectionError as exc:
            raise ProbeFailure(
                Status.TLS_FAILED, f"the connection broke during the secure handshake: {exc}"
            ) from None
        if transport is None:  # pragma: no cover - asyncio returns None only on closed loops
            raise ProbeFailure(Status.TLS_FAILED, "the secure handshake did not complete")
        protocol.transport = transport
        phase(Phase.GREETING)
        # RFC 3501 6.2.1: capabilities seen before STARTTLS must be forgotten.
        await self._until_lost(protocol.capability(), "CAPABILITY after STARTTLS")

    async def _login(self, username: str, password: str) -> str:
        protocol = self.protocol
        require_tls(self.ssl_object(), self.endpoint)
        if self.endpoint.auth is Auth.CRAM_MD5:
            if "AUTH=CRAM-MD5" not in protocol.capabilities:
                raise self._no_cram_md5()
            cram = partial(self._cram_md5, username, password)
            command = _Answered(protocol, "AUTHENTICATE", "CRAM-MD5", answer=cram)
        elif "LOGINDISABLED" in protocol.capabilities:
            raise ProbeFailure(
                Status.PROTOCOL_ERROR, "the server does not allow password login (LOGINDISABLED)"
            )
        elif password.isascii() or "AUTH=PLAIN" not in protocol.capabilities:
            secret = password.encode()
            login = ("LOGIN", aioimaplib.quoted(username), f"{{{len(secret)}}}")
            command = _Answered(protocol, *login, answer=lambda _request: secret)
        else:
            # A quoted string is 7-bit; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616).
            token = base64.b64encode(f"\0{username}\0{password}".encode())
            command = _Answered(protocol, "AUTHENTICATE", "PLAIN", answer=lambda _request: token)
        response = await self._until_lost(protocol.execute(command), "login")
        if command.failure is not None:
            raise command.failure
        reply = reply_text(response.lines[-1]) if response.lines else ""
        if response.result == "OK":
            protocol.state = aioimaplib.AUTH
            return reply
        status = Status.AUTH_FAILED if response.result == "NO" else Status.PROTOCOL_ERROR
        raise ProbeFailure(status, "the server refused the login", reply)

    async def _delete_marked(self, header: str, token: str) -> Removal:
        protocol = self.protocol
        response = await self._until_lost(protocol.select("INBOX"), "SELECT")
        if response.result != "OK":
            raise ProbeFailure(Status.PROTOCOL_ERROR, "the inbox could not be opened")
        # UIDPLUS is often told only after login.
        await self._until_lost(protocol.capability(), "CAPABILITY")
        search = protocol.search("HEADER", header, token, charset=None, by_uid=True)
        uid = _one_uid(await self._until_lost(search, "SEARCH"))
        if uid is None:
            return Removal(found=False)
        fetch = protocol.fetch(uid, f"(UID BODY.PEEK[HEADER.FIELDS ({header})])", by_uid=True)
        if not _shows_marker(await self._until_lost(fetch, "FETCH"), uid, header, token):
            raise ProbeFailure(
                Status.PROTOCOL_ERROR,
                f"the message the server found (UID {uid}) does not show the test marker, "
                "so nothing was deleted",
            )
        flag = protocol.store(uid, "+FLAGS.SILENT", r"(\Deleted)", by_uid=True)
        if (await self._until_lost(flag, "STORE")).result != "OK":
            raise ProbeFailure(
                Status.PROTOCOL_ERROR, "the server would not mark the test message as deleted"
            )
        # EXPUNGE or CLOSE would purge the user's flagged mail too: UID EXPUNGE only this one.
        if "UIDPLUS" not in protocol.capabilities:
            return Removal(found=True, purged=False)
        purge = protocol.expunge(uid, by_uid=True)
        purged = (await self._until_lost(purge, "EXPUNGE")).result == "OK"
        return Removal(found=True, purged=purged)

    async def _goodbye(self, timeout: float) -> object:
        return await self.protocol.logout()

    def abort(self) -> None:
        for task in list(self.protocol.tasks):
            task.cancel()  # aioimaplib's greeting handler may still be waiting
        transport = self.protocol.transport
        if transport is not None:
            transport.abort()
        with contextlib.suppress(OSError):
            self.sock.close()

    def ssl_object(self) -> ssl.SSLObject | None:
        return cast("ssl.SSLObject | None", self.protocol.transport.get_extra_info("ssl_object"))


def _one_uid(response: Any) -> str | None:
    """The one UID a UID SEARCH answered, None for none; anything else (a range, several,
    words) raises ProbeFailure: the server does not choose what is deleted."""
    if response.result != "OK":
        raise ProbeFailure(
            Status.PROTOCOL_ERROR,
            "the server could not search the inbox for the test message",
            reply_text(response.lines[-1]) if response.lines else None,
        )
    # What followed each "* SEARCH", then the tagged line; ``* SEARCH SEARCH 1:*`` is words.
    said = b" ".join(bytes(line) for line in response.lines[:-1])
    found = sorted(set(said.decode("ascii", errors="replace").split()))
    if not found:
        return None
    if len(found) > 1 or not _UID.fullmatch(found[0]) or int(found[0]) >= 2**32:
        raise ProbeFailure(
            Status.PROTOCOL_ERROR,
            "the server's search answer was not one message number, so nothing was deleted",
            " ".join(found)[:80],
        )
    return found[0]


# 1 to 2^32 - 1, without leading zeros (RFC 3501).
_UID = re.compile(r"[1-9][0-9]{0,9}")
# The start of a FETCH answer: "5 FETCH (" (aioimaplib drops the "* ").
_FETCH = re.compile(rb"\d+ FETCH \(", re.IGNORECASE)


def _shows_marker(response: Any, uid: str, header: str, token: str) -> bool:
    """Whether a UID FETCH answer shows message ``uid`` with ``header: token``."""
    if response.result != "OK":
        return False
    answers: list[list[bytes]] = []  # [its text, its literal] per FETCH answer
    for line in response.lines[:-1]:
        if isinstance(line, bytearray):  # a literal: the header fields asked for
            if answers:
                answers[-1][1] = bytes(line)
        elif _FETCH.match(line):
            answers.append([bytes(line), b""])
        elif answers:
            answers[-1][0] += b" " + bytes(line)
    for text, literal in answers:
        named = re.search(rb"\bUID (\d+)", text, re.IGNORECASE)
        if named and named.group(1).decode() == uid and carries_marker(literal, header, token):
            return True
    return False
