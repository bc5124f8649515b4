"""A repair answer as plain text for a terminal: the cause and action first, then the steps.

The sentences are built by small public functions (``cause_line``, ``action_line``, ...)
that the wizard's repair screen uses too, so the screen and ``repair`` cannot word an
answer differently.
"""

from __future__ import annotations

import textwrap

from wizard.core.instructions import Step
from wizard.core.repair.answer import RepairAnswer
from wizard.core.repair.symptoms import PhoneIncoming

_WIDTH = 78


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` wrapped paragraph by paragraph (``first``: the first line's indent)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(
            paragraph,
            _WIDTH,
            initial_indent=indent if first is None else first,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
        first = None
    return lines


def heading_line(answer: RepairAnswer) -> str:
    """Whose mailbox the answer is about."""
    return f"Repair {answer.settings.email}"


def shown_line(answer: RepairAnswer) -> str:
    """What the user said the iPhone shows."""
    return f"The iPhone shows: {answer.symptom.shown_as}."


def cause_line(answer: RepairAnswer) -> str:
    """The most likely cause, said first."""
    return f"Most likely cause: {answer.title}."


def action_line(answer: RepairAnswer) -> str:
    """The one thing to do."""
    return f"What to do: {answer.action}"


def why_line(answer: RepairAnswer) -> str:
    """Why the check points to this cause."""
    return f"Why: {answer.why}"


def check_headline(answer: RepairAnswer) -> str:
    """The check's headline, as ``check`` words it."""
    return f"The check: {answer.verdict.headline}"


def check_details(answer: RepairAnswer) -> tuple[str, ...]:
    """The lines under the check's headline: ports used, notes, problems."""
    verdict = answer.verdict
    return tuple(line for line in (verdict.uses, *verdict.notes, *answer.problems) if line)


def phone_line(answer: RepairAnswer) -> str:
    """What the user said the phone uses, or nothing when they did not know."""
    parts = []
    if answer.phone.incoming is not PhoneIncoming.UNKNOWN:
        parts.append(f"{answer.phone.incoming.value.upper()} for incoming mail")
    if answer.phone.outgoing_port is not None:
        parts.append(f"outgoing port {answer.phone.outgoing_port}")
    return f"The iPhone uses: {', '.join(parts)}." if parts else ""


def codes_line(answer: RepairAnswer) -> str:
    """The stable codes of the answer, for helpers and scripts."""
    return (
        f"(symptom {answer.symptom.value}, check outcome {answer.outcome.value}, "
        f"cause {answer.cause.value})"
    )


def step_heading(number: int, step: Step) -> str:
    """A step's number and title."""
    return f"{number}. {step.title}"


def render_text(answer: RepairAnswer) -> str:
    """The answer for a terminal: heading, cause, action, why, the check, then numbered steps."""
    heading = heading_line(answer)
    blocks: list[list[str]] = [[*_wrap(heading), "=" * min(_WIDTH, len(heading))]]
    blocks.append(_wrap(shown_line(answer)))
    if answer.practice_note:
        blocks.append(_wrap("PRACTICE: " + answer.practice_note, "  ", ""))
    blocks.append(_wrap(cause_line(answer)))
    blocks.append(_wrap(action_line(answer)))
    if answer.warning:
        blocks.append(_wrap("WARNING: " + answer.warning, "  ", ""))
    blocks.append(_wrap(why_line(answer)))
    summary = _wrap(check_headline(answer))
    for line in check_details(answer):
        summary += _wrap(line, "  ")
    phone = phone_line(answer)
    if phone:
        summary += _wrap(phone)
    summary += _wrap(codes_line(answer))
    blocks.append(summary)
    if answer.version_note:
        blocks.append(_wrap(answer.version_note))
    blocks.append(_wrap(answer.version_hint))
    for number, step in enumerate(answer.steps, start=1):
        indent = " " * len(f"{number}. ")
        block = [step_heading(number, step), *_wrap(step.text, indent)]
        if step.values:
            width = max(len(value.label) for value in step.values) + 1
            for value in step.values:
                row = f"{indent}  {value.label + ':':<{width}} {value.value}"
                if value.note:
                    row += f"   ({value.note})"
                block.append(row)
        blocks.append(block)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
