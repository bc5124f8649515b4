"""Where the wizard goes after the check: shared by the check and result screens and the app."""

from __future__ import annotations

from enum import StrEnum


class Next(StrEnum):
    """The ways on; the values are the ids of the buttons that choose them (CHOOSE: the
    result screen, after continuing without a verified login)."""

    SEND = "send"
    STEPS = "steps"
    EXPORT = "export"
    CHOOSE = "choose"
    REPAIR = "repair"
