"""A repair answer as plain text for a terminal, from the same small functions the repair screen
builds its sentences with (``cause_line``, ...), so the two cannot word an answer differently."""

from __future__ import annotations

from wizard.core.instructions import Step
from wizard.core.instructions.render import WIDTH, step_lines, wrap
from wizard.core.repair.answer import RepairAnswer
from wizard.core.repair.symptoms import PhoneIncoming


def shown_line(answer: RepairAnswer) -> str:
    return f"The iPhone shows: {answer.symptom.shown_as}."


def cause_line(answer: RepairAnswer) -> str:
    return f"Most likely cause: {answer.title}."


def action_line(answer: RepairAnswer) -> str:
    return f"What to do: {answer.action}"


def why_line(answer: RepairAnswer) -> str:
    return f"Why: {answer.why}"


def check_headline(answer: RepairAnswer) -> str:
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


def step_heading(number: int, step: Step) -> str:
    return f"{number}. {step.title}"


def render_text(answer: RepairAnswer) -> str:
    """The answer for a terminal: heading, cause, action, why, the check, then numbered steps."""
    heading = f"Repair {answer.settings.email}"
    blocks: list[list[str]] = [[*wrap(heading), "=" * min(WIDTH, len(heading))]]
    blocks.append(wrap(shown_line(answer)))
    if answer.settings.caveat and answer.caveat_note:
        blocks.append(
            wrap(f"{answer.settings.caveat.label.upper()}: {answer.caveat_note}", "  ", "")
        )
    blocks.append(wrap(cause_line(answer)))
    blocks.append(wrap(action_line(answer)))
    if answer.warning:
        blocks.append(wrap("WARNING: " + answer.warning, "  ", ""))
    blocks.append(wrap(why_line(answer)))
    summary = wrap(check_headline(answer))
    for line in check_details(answer):
        summary += wrap(line, "  ")
    phone = phone_line(answer)
    if phone:
        summary += wrap(phone)
    summary += wrap(
        f"(symptom {answer.symptom.value}, check outcome {answer.outcome.value}, "
        f"cause {answer.cause.value})"
    )
    blocks.append(summary)
    if answer.version_note:
        blocks.append(wrap(answer.version_note))
    blocks.append(wrap(answer.version_hint))
    blocks += [step_lines(number, step) for number, step in enumerate(answer.steps, start=1)]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
