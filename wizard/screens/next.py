"""Where the wizard goes after the check: one name per way on, shared by the check screen,
the result screen and the app's flow."""

from __future__ import annotations

from enum import StrEnum


class Next(StrEnum):
    """After the check: the QR code, the typing steps, a saved profile, the choice of those
    (after continuing without a verified login), or the repair answer. The values are the
    ids of the buttons that choose them."""

    SEND = "send"
    STEPS = "steps"
    EXPORT = "export"
    CHOOSE = "choose"
    REPAIR = "repair"
