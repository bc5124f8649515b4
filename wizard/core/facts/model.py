"""What a fact is: the wording the wizard shows about the world outside it (a menu path, a
setting's name, a dialog's words), where it comes from, how sure it is, when checked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Any

#: The day every fact in the registry was last checked against its sources.
CHECKED = dt.date(2026, 12, 2)

#: Words that mark a sentence as "what to look for"; every unconfirmed fact has one.
HEDGES = ("if ", "may ", "look ", "a message saying", "try ", "assumed")


class FactStatus(StrEnum):
    #: Stated by mail.com, Apple, or Mozilla's curated ISPDB.
    OFFICIAL = "verified official"
    #: Stated directly by an independent, named public source.
    THIRD_PARTY = "verified third-party"
    #: No public source found: worded as what to look for, never as a certainty.
    UNCONFIRMED = "unconfirmed"


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a fact was found (a URL, or a section of the fact sheet) and what it says."""

    where: str
    says: str


@dataclasses.dataclass(frozen=True)
class Fact:
    """One fact: a stable id, the exact wording shown, its status and sources."""

    id: str
    text: str
    status: FactStatus
    sources: tuple[Source, ...]
    checked: dt.date = CHECKED

    def __str__(self) -> str:
        return self.text

    @property
    def capitalized(self) -> str:
        """The wording to start a sentence with (iOS and iPhone stay as they are)."""
        first = self.text.split(" ", 1)[0]
        if any(char.isupper() for char in first[1:]):
            return self.text
        return self.text[:1].upper() + self.text[1:]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status.value,
            "checked": self.checked.isoformat(),
            "sources": [dataclasses.asdict(source) for source in self.sources],
        }

    @property
    def hedged(self) -> bool:
        lowered = self.text.lower()
        return any(hedge in lowered for hedge in HEDGES)


def official(id: str, text: str, *sources: Source) -> Fact:
    return Fact(id, text, FactStatus.OFFICIAL, sources)


def third_party(id: str, text: str, *sources: Source) -> Fact:
    return Fact(id, text, FactStatus.THIRD_PARTY, sources)


def unconfirmed(id: str, text: str, *sources: Source) -> Fact:
    return Fact(id, text, FactStatus.UNCONFIRMED, sources)


def sheet(section: str, says: str) -> Source:
    """A section of the project's fact sheet, which collects the sources."""
    return Source(f"mailcom-facts.md {section}", says)


#: The schema of Apple's mail payload, at the commit the facts were checked against.
APPLE_MAIL_SCHEMA = (
    "https://github.com/apple/device-management/blob/b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f/"
    "mdm/profiles/com.apple.mail.managed.yaml"
)
