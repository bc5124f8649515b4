"""The repair's answer: the phone's symptom beside a live check, as one cause and its fix.

``diagnose_repair`` is the one function both front ends call (``mailcom-wizard repair`` and
the wizard's repair screens): it classifies the check, looks the cause up in the table,
and words the fix for the user's iOS version. ``RepairAnswer.to_json`` is the object
``repair --json`` prints; its keys and codes are stable.
"""

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
from wizard.core.repair.fixes import fix_for
from wizard.core.repair.outcomes import CheckOutcome, classify
from wizard.core.repair.symptoms import PhoneSettings, Symptom
from wizard.core.repair.table import cause_for
from wizard.core.verdict import Verdict, settings_from_report, verdict_of


@dataclass(frozen=True)
class RepairAnswer:
    """One most likely cause of what the phone shows, its fix, and what it rests on."""

    symptom: Symptom
    phone: PhoneSettings
    outcome: CheckOutcome
    cause: Cause
    title: str
    #: The one thing to do, in one sentence: shown first.
    action: str
    #: Why the check points to this cause.
    why: str
    #: The fix on the phone's own menus, for ``layout``.
    steps: tuple[Step, ...]
    #: Every fact the answer's words rest on, each once.
    facts: tuple[Fact, ...]
    #: The check in the words ``check`` uses.
    verdict: Verdict
    layout: IosLayout
    #: The values the phone should use (with the run's caveat, if any).
    settings: MailSettings
    report: CheckReport
    #: The iOS version asked for (None: the whole layout), and a note when it is a guess.
    ios: int | None = None
    version_note: str | None = None
    #: Said whatever the cause (for "Cannot Verify Server Identity": never trust it).
    warning: str | None = None

    @property
    def conclusive(self) -> bool:
        """True when the answer names a cause with a fix; False when the check cannot tell."""
        return self.cause.conclusive

    @property
    def fresh_profile(self) -> bool:
        """True when the fix is to set the account up again with a fresh profile."""
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
    """The most likely cause of ``symptom`` given ``report``, with its fix for ``ios``.

    ``provider`` is the record the check ran against (default: the built-in mail.com);
    ``mark`` marks the settings as the run hands them on (``Target.mark``): their caveat is
    said at the top. Raises UsageError for an iOS version before 11.
    """
    checked = provider or builtin_provider()
    account = Account(email=report.email, password="", incoming=report.incoming_choice)
    settings = mark(settings_from_report(report, account, checked))
    findings = classify(report)
    layout, version, note = resolve(ios)
    cause = cause_for(symptom, findings, phone)
    fix = fix_for(cause, FixContext(symptom, phone, findings, settings, layout))
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
