"""The options the wizard and every headless command share: the provider and the CA file.

Kept apart from ``inputs.py`` (passwords, addresses) so that starting the wizard imports
only what its first screen needs.
"""

from __future__ import annotations

from wizard.core.errors import FileReadError, ProviderError, ReadProblem, UsageError
from wizard.core.files import MAX_CA_BYTES, read_limited
from wizard.core.provider import Provider, builtin_provider, load_provider


def load_selected_provider(path: str | None) -> Provider:
    """--provider FILE, or the built-in mail.com record."""
    try:
        return load_provider(path) if path else builtin_provider()
    except ProviderError as exc:
        raise UsageError(str(exc)) from None


def check_cafile(cafile: str | None) -> str | None:
    """--cafile must name a readable regular file (checked now, read again by the check)."""
    if cafile is None:
        return None
    try:
        read_limited(cafile, MAX_CA_BYTES, "--cafile")
    except FileReadError as exc:
        if exc.problem is ReadProblem.MISSING:
            raise UsageError(f"--cafile {cafile}: no such file.") from None
        raise UsageError(str(exc)) from None
    return cafile
