"""iPhone Settings steps as data, per Settings layout, built from the settings a check
verified: the CLI renders them, the TUI shows them and copies one ``Value`` at a time."""

from __future__ import annotations

from wizard.core.instructions.ios import (
    IOS_11_13,
    IOS_14_17,
    IOS_18_26_27,
    LAYOUTS,
    IosLayout,
    layout_for,
)
from wizard.core.instructions.model import Instructions, Step, Value
from wizard.core.instructions.render import render_markdown, render_text
from wizard.core.instructions.steps import (
    build_instructions,
    install_password_hint,
    login_values,
    port_facts,
    port_values,
    test_message,
    user_name,
)

__all__ = [
    "IOS_11_13",
    "IOS_14_17",
    "IOS_18_26_27",
    "LAYOUTS",
    "Instructions",
    "IosLayout",
    "Step",
    "Value",
    "build_instructions",
    "install_password_hint",
    "layout_for",
    "login_values",
    "port_facts",
    "port_values",
    "render_markdown",
    "render_text",
    "test_message",
    "user_name",
]
