"""Passwords in the OS keyring (service ``mailcom-wizard``).

Secrets at rest live only in the keyring. Everything here degrades quietly when no keyring
backend exists: the wizard then simply asks for the password each time.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "mailcom-wizard"

log = logging.getLogger(__name__)


# Backends that are not a system keyring: a plain-text file is not a safe place for a
# password, and the "encrypted" file backend asks for its own password on the terminal.
_REFUSED_BACKENDS = frozenset(
    {
        "keyrings.alt.file.PlaintextKeyring",
        "keyrings.alt.file.EncryptedKeyring",
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
    }
)


def _backend() -> KeyringBackend | None:
    """The keyring backend to use: the first acceptable one, or None."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:
        return None
    # keyring's ChainerBackend tries several backends in priority order; pick the first
    # acceptable one ourselves so a password never lands in a refused one.
    candidates = getattr(backend, "backends", None) or [backend]
    for candidate in candidates:
        name = f"{type(candidate).__module__}.{type(candidate).__qualname__}"
        if name in _REFUSED_BACKENDS:
            continue
        try:
            priority = float(candidate.priority)
        except Exception:  # noqa: S112 - a backend that cannot say its priority is not used
            continue
        if priority > 0:
            return candidate  # type: ignore[no-any-return]
    return None


def keyring_available() -> bool:
    """True when a real system keyring is there (not a file, 'fail' or 'null' backend)."""
    return _backend() is not None


def keyring_unavailable_reason() -> str:
    """Why remembering passwords is off, for people."""
    return (
        "No system keyring was found on this computer (such as GNOME Keyring, KWallet or the "
        "macOS Keychain), so the password cannot be remembered. You will be asked for it "
        "each time."
    )


def get_password(email: str) -> str | None:
    """The remembered password for ``email``, or None (also when there is no keyring)."""
    backend = _backend()
    if backend is None:
        return None
    try:
        value: str | None = backend.get_password(SERVICE, email.lower())
        return value
    except Exception as exc:
        log.info("keyring lookup failed: %s", type(exc).__name__)
        return None


def set_password(email: str, password: str) -> bool:
    """Remember the password; True when it was stored."""
    backend = _backend()
    if backend is None:
        return False
    try:
        backend.set_password(SERVICE, email.lower(), password)
    except Exception as exc:
        log.info("keyring store failed: %s", type(exc).__name__)
        return False
    return True


def delete_password(email: str) -> bool:
    """Forget the password; True when one was removed."""
    backend = _backend()
    if backend is None:
        return False
    try:
        backend.delete_password(SERVICE, email.lower())
    except Exception:
        return False
    return True
