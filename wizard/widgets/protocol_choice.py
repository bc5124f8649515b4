"""IMAP or POP, as the provider offers them: the choice and the line that explains it."""

from __future__ import annotations

from wizard.core.models import IncomingChoice
from wizard.core.provider import Provider
from wizard.widgets.choice_row import ChoiceRow

PROTOCOL_HINT = "IMAP keeps all devices in sync; POP downloads to the phone."
#: The choices in the order shown (their ids are the choices' values: ``#imap``, ``#pop``).
CHOICES = (IncomingChoice.IMAP, IncomingChoice.POP)
LABELS = {IncomingChoice.IMAP: "IMAP (recommended)", IncomingChoice.POP: "POP"}


def protocol_choice(provider: Provider, current: IncomingChoice | None) -> ChoiceRow:
    """IMAP (preselected) or POP; a protocol the provider lacks cannot be picked."""
    offered = [choice for choice in CHOICES if provider.supports(choice)]
    chosen = current if current in offered else (offered[0] if offered else CHOICES[0])
    return ChoiceRow(
        *(LABELS[choice] for choice in CHOICES),
        chosen=CHOICES.index(chosen),
        ids=[choice.value for choice in CHOICES],
        disabled=[index for index, choice in enumerate(CHOICES) if choice not in offered],
        id="protocol",
    )


def chosen_protocol(row: ChoiceRow) -> IncomingChoice:
    return CHOICES[max(row.pressed_index, 0)]


def protocol_hint(provider: Provider) -> str:
    """What the choice means, or why only one protocol can be picked."""
    for choice, other in zip(CHOICES, reversed(CHOICES), strict=True):
        if not provider.supports(choice):
            return (
                f"{provider.display_name} has no {choice.protocol.label} server, "
                f"so {other.value.upper()} is the only choice."
            )
    return PROTOCOL_HINT
