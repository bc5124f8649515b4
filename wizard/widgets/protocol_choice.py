"""IMAP or POP, as the provider offers them: the choice and the line that explains it."""

from __future__ import annotations

from textual.widgets import RadioButton, RadioSet

from wizard.core.models import IncomingChoice
from wizard.core.provider import Provider

PROTOCOL_HINT = "IMAP keeps mail in sync on all your devices; POP downloads it to the phone."


def protocol_choice(provider: Provider, current: IncomingChoice | None) -> RadioSet:
    """IMAP (preselected) or POP; a protocol the provider lacks cannot be picked."""
    offered = [choice for choice in IncomingChoice if provider.supports(choice)]
    chosen = current if current in offered else (offered[0] if offered else None)
    return RadioSet(
        RadioButton(
            "IMAP (recommended)",
            value=chosen is IncomingChoice.IMAP,
            id="imap",
            disabled=not provider.supports(IncomingChoice.IMAP),
        ),
        RadioButton(
            "POP",
            value=chosen is IncomingChoice.POP,
            id="pop",
            disabled=not provider.supports(IncomingChoice.POP),
        ),
        id="protocol",
    )


def protocol_hint(provider: Provider) -> str:
    """What the choice means, or why only one protocol can be picked."""
    for choice, other in (
        (IncomingChoice.IMAP, IncomingChoice.POP),
        (IncomingChoice.POP, IncomingChoice.IMAP),
    ):
        if not provider.supports(choice):
            return (
                f"{provider.display_name} has no {choice.protocol.label} server, "
                f"so {other.value.upper()} is the only choice."
            )
    return PROTOCOL_HINT
