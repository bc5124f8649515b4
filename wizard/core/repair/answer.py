"""The repair's answer, the phone's symptom beside a live check as one cause and its fix:
``diagnose_repair`` is what ``repair`` and the repair screens both call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.core.facts import Fact
from wizard.core.facts import ios as ios_facts
from wizard.core.instructions import IOS_18_26_27, IosLayout, Step
from wizard.core.instructions.ios import resolve
from wizard.core.models import Account, CheckReport, MailSettings
from wizard.core.provider import Provider, builtin_provider
from wizard.core.repair.causes import Cause
from wizard.core.repair.context import FixContext
from wizard.core.repair.fixes import FIXES
from wizard.core.repair.outcomes import CheckOutcome, classify
from wizard.core.repair.symptoms import PhoneSettings, Symptom
from wizard.core.repair.table import cause_for
from wizard.core.verdict import Verdict, settings_from_report, verdict_of


@dataclass(frozen=True)
class RepairAnswer:
    """One most likely cause of what the phone shows, its fix (the steps on ``layout``'s
    menus), every fact its words rest on, the check as ``check`` words it, and the settings
    the phone should use; ``ios`` is the version asked for (None: the whole layout)."""

    symptom: Symptom
    phone: PhoneSettings
    outcome: CheckOutcome
    cause: Cause
    title: str
    action: str
    why: str
    steps: tuple[Step, ...]
    facts: tuple[Fact, ...]
    verdict: Verdict
    layout: IosLayout
    settings: MailSettings
    report: CheckReport
    ios: int | None = None
    #: Said when the version is a guess.
    version_note: str | None = None
    #: Said whatever the cause (for "Cannot Verify Server Identity": never trust it).
    warning: str | None = None

    @property
    def conclusive(self) -> bool:
        return self.cause.conclusive

    @property
    def fresh_profile(self) -> bool:
        """The fix is to set the account up again with a fresh profile."""
        return self.cause is Cause.NOTHING_FOUND

    @property
    def version_hint(self) -> str:
        """Which versions the steps are for, and where the iPhone shows its version."""
        return self.layout.hint

    @property
    def caveat_note(self) -> str | None:
        """Said at the top when the settings carry a caveat (``MailSettings.caveat``)."""
        caveat = self.settings.caveat
        return caveat.repair.format(provider=self.settings.provider_name) if caveat else None

    @property
    def problems(self) -> tuple[str, ...]:
        """The check's problems, one line each: the endpoint and the diagnosis title."""
        return tuple(f"{a.endpoint.label}: {a.title}" for a in self.verdict.problems)

    def to_json(self) -> dict[str, Any]:
        """The one JSON object ``repair --json`` prints (keys and codes are stable)."""
        verdict = self.verdict
        return {
            "symptom": self.symptom.value,
            "symptom_text": self.symptom.shown_as,
            "phone": self.phone.to_json(),
            "outcome": self.outcome.value,
            "cause": self.cause.value,
            "conclusive": self.conclusive,
            "title": self.title,
            "action": self.action,
            "why": self.why,
            "warning": self.warning,
            "steps": [step.to_json() for step in self.steps],
            "fresh_profile": self.fresh_profile,
            "practice": self.settings.caveat is not None,
            "ios": {
                "version": self.ios,
                "layout": self.layout.key,
                "label": self.layout.label,
                "note": self.version_note,
            },
            "facts": [fact.to_json() for fact in self.facts],
            "check": {
                "verified": verdict.verified,
                "headline": verdict.headline,
                "uses": verdict.uses,
                "notes": list(verdict.notes),
                "problems": list(self.problems),
            },
            "report": self.report.to_json(),
        }


def diagnose_repair(
    symptom: Symptom,
    phone: PhoneSettings,
    report: CheckReport,
    ios: int | IosLayout = IOS_18_26_27,
    *,
    provider: Provider | None = None,
    mark: Callable[[MailSettings], MailSettings] = lambda settings: settings,
) -> RepairAnswer:
    """The most likely cause of ``symptom`` given ``report`` (checked against ``provider``,
    default mail.com), with its fix for ``ios`` (UsageError before 11); ``mark`` marks the
    settings as the run hands them on (``Target.mark``): their caveat is said at the top."""
    account = Account(email=report.email, password="", incoming=report.incoming_choice)
    settings = mark(settings_from_report(report, account, provider or builtin_provider()))
    findings = classify(report)
    layout, version, note = resolve(ios)
    cause = cause_for(symptom, findings, phone)
    fix = FIXES[cause](FixContext(symptom, phone, findings, settings, layout))
    warning = None
    said = any(ios_facts.CANNOT_VERIFY in step.facts for step in fix.steps)
    if symptom is Symptom.CANNOT_VERIFY_IDENTITY and not said:
        warning = (
            f'Whatever the cause: when the iPhone shows "{ios_facts.CANNOT_VERIFY.text}", tap '
            "Cancel, and never trust a certificate the iPhone does not know."
        )
    facts = [*symptom.facts, ios_facts.ABOUT, *layout.facts, *fix.facts]
    if note is not None:
        facts.append(ios_facts.VERSION_NUMBERS)
    facts += [fact for step in fix.steps for fact in step.facts]
    return RepairAnswer(
        symptom=symptom,
        phone=phone,
        outcome=findings.outcome,
        cause=cause,
        title=fix.title,
        action=fix.action,
        why=fix.why,
        steps=fix.steps,
        facts=tuple(dict.fromkeys(facts)),
        verdict=verdict_of(report),
        layout=layout,
        settings=settings,
        report=report,
        ios=version,
        version_note=note,
        warning=warning,
    )
