"""A repair answer as plain text for a terminal: the cause and action first, then the steps."""

from __future__ import annotations

import textwrap

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


def render_text(answer: RepairAnswer) -> str:
    """The answer for a terminal: heading, cause, action, why, the check, then numbered steps."""
    heading = f"Repair {answer.settings.email}"
    blocks: list[list[str]] = [[*_wrap(heading), "=" * min(_WIDTH, len(heading))]]
    blocks.append(_wrap(f"The iPhone shows: {answer.symptom.shown_as}."))
    if answer.practice_note:
        blocks.append(_wrap("PRACTICE: " + answer.practice_note, "  ", ""))
    blocks.append(_wrap(f"Most likely cause: {answer.title}."))
    blocks.append(_wrap(f"What to do: {answer.action}"))
    if answer.warning:
        blocks.append(_wrap("WARNING: " + answer.warning, "  ", ""))
    blocks.append(_wrap(f"Why: {answer.why}"))
    check = answer.check
    summary = _wrap(f"The check: {check.headline}")
    for line in (check.uses, *check.notes, *check.problems):
        if line:
            summary += _wrap(line, "  ")
    phone = _phone_words(answer)
    if phone:
        summary += _wrap(f"The iPhone uses: {phone}.")
    summary += _wrap(
        f"(symptom {answer.symptom.value}, check outcome {answer.outcome.value}, "
        f"cause {answer.cause.value})"
    )
    blocks.append(summary)
    if answer.version_note:
        blocks.append(_wrap(answer.version_note))
    blocks.append(_wrap(answer.version_hint))
    for number, step in enumerate(answer.steps, start=1):
        head = f"{number}. "
        indent = " " * len(head)
        block = [head + step.title, *_wrap(step.text, indent)]
        if step.values:
            width = max(len(value.label) for value in step.values) + 1
            for value in step.values:
                row = f"{indent}  {value.label + ':':<{width}} {value.value}"
                if value.note:
                    row += f"   ({value.note})"
                block.append(row)
        blocks.append(block)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _phone_words(answer: RepairAnswer) -> str:
    """What the user said the phone uses, or nothing when they did not know."""
    parts = []
    if answer.phone.incoming is not PhoneIncoming.UNKNOWN:
        parts.append(f"{answer.phone.incoming.value.upper()} for incoming mail")
    if answer.phone.outgoing_port is not None:
        parts.append(f"outgoing port {answer.phone.outgoing_port}")
    return ", ".join(parts)
