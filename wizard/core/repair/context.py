"""What a fix is worded from (the symptom, the check, the phone), and what a fix is."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.facts import Fact, mailcom
from wizard.core.instructions import IosLayout, Step, install_password_hint
from wizard.core.models import Endpoint, MailSettings, Role
from wizard.core.repair.outcomes import Findings
from wizard.core.repair.symptoms import PhoneSettings, Symptom


@dataclass(frozen=True)
class FixContext:
    """Everything a fix is worded from; ``settings`` are the values the phone should use."""

    symptom: Symptom
    phone: PhoneSettings
    findings: Findings
    settings: MailSettings
    layout: IosLayout

    @property
    def provider(self) -> str:
        return self.settings.provider_name

    @property
    def accounts(self) -> str:
        """The path under Settings to the mail accounts, for this layout."""
        return self.layout.accounts.text

    @property
    def password(self) -> str:
        """Which password to type, in words."""
        return install_password_hint(self.settings)

    @property
    def password_facts(self) -> tuple[Fact, ...]:
        """The facts the words for the password rest on (they name two-factor authentication)."""
        return () if self.settings.app_password else (mailcom.TWO_FACTOR,)

    def works(self, role: Role) -> Endpoint:
        """The endpoint of ``role`` the phone should use: the one that verified here."""
        return self.settings.incoming if role is Role.INCOMING else self.settings.outgoing


@dataclass(frozen=True)
class Fix:
    """A cause in words: what it is, the one thing to do, why, and the steps on the phone;
    ``facts``: what the title, action or why rest on (the steps list their own)."""

    title: str
    action: str
    why: str
    steps: tuple[Step, ...]
    facts: tuple[Fact, ...] = ()
