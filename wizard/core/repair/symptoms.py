"""What the iPhone shows (worded as the phone does where a source confirms it), and what it
uses today: the two things a repair starts from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wizard.core.errors import UsageError
from wizard.core.facts import Fact, ios


class Symptom(StrEnum):
    """What the user sees on the iPhone. The values are stable codes."""

    PASSWORD_INCORRECT = "password-incorrect"
    CANNOT_CONNECT = "cannot-connect"
    CANNOT_VERIFY_IDENTITY = "cannot-verify-identity"
    CANNOT_SEND = "cannot-send"
    NO_NEW_MAIL = "no-new-mail"

    @property
    def shown_as(self) -> str:
        """How the iPhone words it (quoted when a source confirms the words)."""
        return _SHOWN[self][0]

    @property
    def facts(self) -> tuple[Fact, ...]:
        """The facts the wording rests on (none for a symptom without a message)."""
        return _SHOWN[self][1]

    @property
    def description(self) -> str:
        """One line for a list of choices: the phone's words, then what it means."""
        return f"{self.shown_as} ({_MEANING[self]})"


_SHOWN: dict[Symptom, tuple[str, tuple[Fact, ...]]] = {
    Symptom.PASSWORD_INCORRECT: (ios.WRONG_PASSWORD_MESSAGE.text, (ios.WRONG_PASSWORD_MESSAGE,)),
    Symptom.CANNOT_CONNECT: (
        f'{ios.CANNOT_GET_MAIL.capitalized}, or "{ios.NOT_RESPONDING.text}"',
        (ios.CANNOT_GET_MAIL, ios.NOT_RESPONDING),
    ),
    Symptom.CANNOT_VERIFY_IDENTITY: (f'"{ios.CANNOT_VERIFY.text}"', (ios.CANNOT_VERIFY,)),
    Symptom.CANNOT_SEND: (ios.CANNOT_SEND.capitalized, (ios.CANNOT_SEND,)),
    Symptom.NO_NEW_MAIL: ("No message, but new mail stopped arriving", ()),
}

_MEANING: dict[Symptom, str] = {
    Symptom.PASSWORD_INCORRECT: "the phone says the password is wrong",
    Symptom.CANNOT_CONNECT: "the phone cannot reach the server",
    Symptom.CANNOT_VERIFY_IDENTITY: "the phone does not trust the server's certificate",
    Symptom.CANNOT_SEND: "outgoing mail is refused or stays unsent",
    Symptom.NO_NEW_MAIL: "nothing is said, new mail just stopped",
}


def symptom_from_code(code: str) -> Symptom:
    """The symptom with this stable code; UsageError (field "symptom") naming every code."""
    try:
        return Symptom(code.strip().lower())
    except ValueError:
        raise UsageError(
            f"unknown symptom {code!r}; choose one of: {', '.join(SYMPTOM_CODES)}.", field="symptom"
        ) from None


#: Every symptom code, in the order a list shows them.
SYMPTOM_CODES: tuple[str, ...] = tuple(symptom.value for symptom in Symptom)


class PhoneIncoming(StrEnum):
    """What the phone uses for incoming mail, as far as the user knows."""

    IMAP = "imap"
    POP = "pop"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PhoneSettings:
    """What the phone uses today, when the user knows it; "I don't know" (None) by default.
    ``outgoing_port`` is the Server Port the phone shows for its outgoing server."""

    incoming: PhoneIncoming = PhoneIncoming.UNKNOWN
    outgoing_port: int | None = None

    def __post_init__(self) -> None:
        if self.outgoing_port is not None and not 0 < self.outgoing_port < 65536:
            raise UsageError(f"{self.outgoing_port} is not a port number.", field="outgoing_port")

    def to_json(self) -> dict[str, Any]:
        """The ``phone`` object of ``repair --json``."""
        return {"incoming": self.incoming.value, "outgoing_port": self.outgoing_port}
