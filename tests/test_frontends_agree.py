"""The command line and the wizard say the same about the same check.

Both render ``wizard.core.verdict``; these tests feed the same reports (the prepared reports
of the screenshots, worded by the real diagnosis) to ``mailcom-wizard check``'s text and to
the check screen, and compare the words a user reads. They also pin the settings both take
away from a check that verified only one half.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from screenshots import states as pictures
from wizard.app import WizardApp
from wizard.console.report import format_report
from wizard.core.models import CheckOptions, CheckReport, Status
from wizard.core.verdict import role_lines, settings_from_report, verdict_of
from wizard.screens.check import ChangeAccount, CheckScreen, GoOn
from wizard.screens.confirm import ConfirmScreen
from wizard.widgets.failure_panel import FailurePanel
from wizard.widgets.role_row import RoleRow

ROOT = Path(__file__).resolve().parent.parent


REPORTS: dict[str, Callable[[], CheckReport]] = {
    "verified": pictures.verified_report,
    "fallback": pictures.fallback_report,
    **pictures.FAILURES,
}


def words(text: str) -> str:
    """Text with line wrapping and markup spacing folded away, for comparing sentences."""
    return re.sub(r"\s+", " ", text).strip()


def first_sentence(text: str) -> str:
    return words(text).split(". ")[0]


async def screen_text(report: CheckReport) -> tuple[str, str, str]:
    """What the check screen shows for ``report``: the summary, the panel and the rows."""
    app = WizardApp(pictures.PROVIDER, clock=pictures.FrozenClock(), home=pictures.HOME)
    async with app.run_test(size=(120, 60)) as pilot:
        await app.push_screen(
            CheckScreen(
                pictures.ACCOUNT,
                pictures.PROVIDER,
                CheckOptions(timeout=10),
                clock=app.clock,
                report=report,
            )
        )
        await pilot.pause()
        screen = app.screen
        summary = str(screen.query_one("#check-summary", Static).content)
        panel = screen.query_one(FailurePanel)
        panel_text = str(panel.query_one(".failure-text", Static).content) if panel.attempts else ""
        rows = " ".join(row.status_text for row in screen.query(RoleRow))
        return words(summary), words(panel_text), words(rows)


@pytest.mark.parametrize("name", list(REPORTS))
async def test_cli_and_screen_say_the_same(name: str) -> None:
    report = REPORTS[name]()
    verdict = verdict_of(report)
    cli = words(format_report(report))
    summary, panel, rows = await screen_text(report)

    assert words(verdict.headline) in cli
    if verdict.verified:
        assert words(verdict.headline) in summary
    else:
        # The screen leads with what to do; the command line says it under the headline.
        assert words(verdict.action) in summary
        assert f"What to do: {words(verdict.action)}" in cli
    for note in verdict.notes:
        assert words(note) in cli
    for line in role_lines(report):
        assert words(line.words) in rows
    for problem in verdict.problems:
        assert f"{problem.endpoint.label}: {problem.title}" in cli
        assert problem.title in panel
        assert first_sentence(problem.advice) in cli
        assert first_sentence(problem.advice) in panel
    if verdict.verified:
        assert not verdict.problems and not panel
        assert words(verdict.uses) in summary
    else:
        assert verdict.problems, "a failed check must say what to fix"


def test_identical_diagnoses_are_listed_once() -> None:
    """No network at all: one explanation, not one per server and port."""
    report = pictures.FAILURES["dns"]()
    assert {a.status for a in report.attempts} >= {Status.DNS_FAILED}
    verdict = verdict_of(report)
    titles = [p.title for p in verdict.problems]
    assert len(titles) == len(set(titles))


def half_verified_report() -> CheckReport:
    """The incoming login is refused; SMTP verified on 587 because 465 is blocked."""
    imap_refused = pictures.attempt(
        pictures.IMAP_993, Status.AUTH_FAILED, login_tested=True, reply=pictures.AUTH_REPLY
    )
    imap_other = pictures.ok(pictures.IMAP_143, login=False)
    smtp_blocked = pictures.attempt(pictures.SMTP_465, Status.TIMEOUT, elapsed_ms=10000)
    smtp_ok = pictures.ok(pictures.SMTP_587, login=True)
    return pictures.report([imap_refused, imap_other, smtp_blocked, smtp_ok], imap_refused, smtp_ok)


def test_settings_keep_the_half_that_verified() -> None:
    report = half_verified_report()
    settings = settings_from_report(report, pictures.ACCOUNT, pictures.PROVIDER)
    assert not settings.verified
    assert settings.outgoing == pictures.SMTP_587
    assert settings.incoming == pictures.IMAP_993


async def test_continue_unverified_keeps_the_half_that_verified() -> None:
    """The wizard's "Continue unverified" goes on with SMTP 587, the port that verified."""
    report = half_verified_report()
    app = WizardApp(pictures.PROVIDER, clock=pictures.FrozenClock(), home=pictures.HOME)
    outcomes: list[GoOn | ChangeAccount | None] = []
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(
            CheckScreen(
                pictures.ACCOUNT,
                pictures.PROVIDER,
                CheckOptions(timeout=10),
                clock=app.clock,
                report=report,
            ),
            outcomes.append,
        )
        await pilot.pause()
        await pilot.click("#continue-unverified")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await pilot.pause()
    (outcome,) = outcomes
    assert isinstance(outcome, GoOn)
    assert outcome.settings == settings_from_report(report, pictures.ACCOUNT, pictures.PROVIDER)
    assert outcome.settings.outgoing.port == 587
