"""The options the wizard and every headless command share: the provider and the CA file.

Kept apart from ``inputs.py`` (passwords, addresses) so that starting the wizard imports
only what its first screen needs.
"""

from __future__ import annotations

import os

from wizard.core.errors import ProviderError, UsageError
from wizard.core.provider import Provider, builtin_provider, load_provider


def load_selected_provider(path: str | None) -> Provider:
    """--provider FILE, or the built-in mail.com record."""
    try:
        return load_provider(path) if path else builtin_provider()
    except ProviderError as exc:
        raise UsageError(str(exc)) from None


def check_cafile(cafile: str | None) -> str | None:
    """--cafile must name a readable file."""
    if cafile is None:
        return None
    if not os.path.isfile(cafile):
        raise UsageError(f"--cafile {cafile}: no such file.")
    if not os.access(cafile, os.R_OK):
        raise UsageError(f"--cafile {cafile}: cannot be read (permission denied).")
    return cafile
