"""What a fix is worded from (the symptom, the check, the phone), and what a fix is."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.facts import Fact, mailcom
from wizard.core.instructions import IosLayout, Step, install_password_hint
from wizard.core.models import Endpoint, MailSettings, Role
from wizard.core.repair.outcomes import Findings, PortResult
from wizard.core.repair.symptoms import PhoneSettings, Symptom


@dataclass(frozen=True)
class FixContext:
    """Everything a fix is worded from: the symptom, the check, the phone and its layout."""

    symptom: Symptom
    phone: PhoneSettings
    findings: Findings
    #: The values the phone should use, in its terms.
    settings: MailSettings
    layout: IosLayout

    @property
    def provider(self) -> str:
        """The provider's name, as the texts use it (mail.com)."""
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

    def failed(self, role: Role) -> PortResult | None:
        """The failing port of ``role`` to name: the phone's own outgoing port when it failed."""
        failing = self.findings.failing(role)
        for result in failing:
            if role is Role.OUTGOING and result.endpoint.port == self.phone.outgoing_port:
                return result
        return failing[0] if failing else None


@dataclass(frozen=True)
class Fix:
    """A cause in words: what it is, the one thing to do, why, and the steps on the phone."""

    title: str
    action: str
    why: str
    steps: tuple[Step, ...]
    #: Facts the title, action or why rest on (the steps list their own).
    facts: tuple[Fact, ...] = ()
