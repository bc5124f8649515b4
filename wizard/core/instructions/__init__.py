"""iPhone Settings steps, as data, built from the settings a check verified.

The CLI prints them (``render_text``, ``render_markdown``); the TUI shows the same
``Instructions`` and lets the user copy one ``Value`` at a time. Steps are written per
Settings layout (``LAYOUTS``: iOS 18, 26, 27; iOS 14-17; iOS 11-13), and every path, label
and message they name comes from the fact registry (``wizard.core.facts``).
"""

from __future__ import annotations

from wizard.core.instructions.ios import (
    IOS_11,
    IOS_14,
    IOS_18,
    LAYOUTS,
    NEWEST_KNOWN_IOS,
    OLDEST_IOS,
    IosLayout,
    layout_for,
)
from wizard.core.instructions.model import Instructions, Step, Value
from wizard.core.instructions.render import render_markdown, render_text
from wizard.core.instructions.steps import (
    authentication,
    authentication_facts,
    build_instructions,
    install_password_hint,
    password_hint,
    ssl_facts,
    ssl_note,
    user_name,
)

__all__ = [
    "IOS_11",
    "IOS_14",
    "IOS_18",
    "LAYOUTS",
    "NEWEST_KNOWN_IOS",
    "OLDEST_IOS",
    "Instructions",
    "IosLayout",
    "Step",
    "Value",
    "authentication",
    "authentication_facts",
    "build_instructions",
    "install_password_hint",
    "layout_for",
    "password_hint",
    "render_markdown",
    "render_text",
    "ssl_facts",
    "ssl_note",
    "user_name",
]
