"""The iPhone steps as data: values to type, numbered steps, and the whole set for one layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from wizard.core.facts import Fact, ios
from wizard.core.instructions.ios import IosLayout
from wizard.core.models import MailSettings


@dataclass(frozen=True)
class Value:
    """One exact value the user types or checks on the phone; not ``copyable`` for words
    such as "your mail.com password"."""

    label: str
    value: str
    note: str = ""
    copyable: bool = True


@dataclass(frozen=True)
class Step:
    """One numbered step, with the facts its wording rests on."""

    title: str
    text: str
    values: tuple[Value, ...] = ()
    facts: tuple[Fact, ...] = ()

    def to_json(self) -> dict[str, Any]:
        values = [{"label": v.label, "value": v.value, "note": v.note} for v in self.values]
        return {
            "title": self.title,
            "text": self.text,
            "values": values,
            "facts": [fact.id for fact in self.facts],
        }


@dataclass(frozen=True)
class Instructions:
    """Everything needed to set the account up by hand on one Settings layout."""

    layout: IosLayout
    settings: MailSettings
    steps: tuple[Step, ...]
    warning_unverified: str | None
    #: The version asked for (None: the whole layout), and a note when it is not known.
    ios: int | None = None
    version_note: str | None = None
    #: Said before step 1: the provider's plan rule, the profile route for this iOS.
    before: tuple[Step, ...] = ()

    @property
    def title(self) -> str:
        """A heading, for example ``Set up alice@mail.com on an iPhone with iOS 26 (IMAP)``."""
        versions = f"iOS {self.ios}" if self.ios is not None else self.layout.label
        choice = self.settings.incoming_choice.value.upper()  # IMAP or POP, as iOS says
        caveat = self.settings.caveat
        label = f"{caveat.label}: " if caveat else ""
        return f"{label}Set up {self.settings.email} on an iPhone with {versions} ({choice})"

    @property
    def caveat_note(self) -> str | None:
        settings = self.settings
        if settings.caveat is None:
            return None
        return settings.caveat.steps.format(provider=settings.provider_name, email=settings.email)

    @property
    def version_hint(self) -> str:
        return self.layout.hint

    @property
    def summary(self) -> str:
        return self.summary_for(security=True)

    def summary_for(self, *, security: bool) -> str:
        """The summary, with or without each port's encryption (the wizard's screen: the phone
        says Use SSL for both, and a step says so)."""
        settings = self.settings
        servers = ", ".join(
            f"{kind} {endpoint.host} port {endpoint.port}"
            + (f" ({endpoint.security.label})" if security else "")
            for kind, endpoint in (("incoming", settings.incoming), ("outgoing", settings.outgoing))
        )
        if settings.caveat:
            return f"Servers: {servers}. " + settings.caveat.servers.format(
                provider=settings.provider_name
            )
        if not settings.verified:
            return f"Servers: {servers}. Not checked."
        return f"Servers: {servers}. Checked{_when(settings.checked_at)}: the login worked on both."

    @property
    def facts(self) -> tuple[Fact, ...]:
        """Every fact the steps and their heading rest on, each once, in order of use."""
        found = [ios.ABOUT, *self.layout.facts]
        if self.version_note is not None:
            found.append(ios.VERSION_NUMBERS)
        for step in (*self.before, *self.steps):
            found.extend(step.facts)
        return tuple(dict.fromkeys(found))


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        return f" on {moment:%Y-%m-%d at %H:%M}"
    return f" on {moment.astimezone(dt.UTC):%Y-%m-%d at %H:%M UTC}"
