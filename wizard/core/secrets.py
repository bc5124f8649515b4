"""Passwords: the OS keyring (service ``mailcom-wizard``) and scrubbing them from text.

Secrets at rest live only in the keyring. Everything here degrades quietly when no keyring
backend exists: the wizard then simply asks for the password each time.
"""

from __future__ import annotations

import logging

SERVICE = "mailcom-wizard"

log = logging.getLogger(__name__)


def keyring_available() -> bool:
    """True when a real keyring backend is there (not the 'fail' or 'null' backends)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:
        return False
    if isinstance(backend, fail.Keyring):
        return False
    try:
        priority = float(backend.priority)
    except Exception:
        return False
    return priority > 0


def keyring_unavailable_reason() -> str:
    """Why remembering passwords is off, for people."""
    return (
        "No system keyring was found on this computer (such as GNOME Keyring, KWallet or the "
        "macOS Keychain), so the password cannot be remembered. You will be asked for it "
        "each time."
    )


def get_password(email: str) -> str | None:
    """The remembered password for ``email``, or None (also when there is no keyring)."""
    if not keyring_available():
        return None
    try:
        import keyring

        value: str | None = keyring.get_password(SERVICE, email.lower())
        return value
    except Exception as exc:
        log.info("keyring lookup failed: %s", type(exc).__name__)
        return None


def set_password(email: str, password: str) -> bool:
    """Remember the password; True when it was stored."""
    if not keyring_available():
        return False
    try:
        import keyring

        keyring.set_password(SERVICE, email.lower(), password)
    except Exception as exc:
        log.info("keyring store failed: %s", type(exc).__name__)
        return False
    return True


def delete_password(email: str) -> bool:
    """Forget the password; True when one was removed."""
    if not keyring_available():
        return False
    try:
        import keyring

        keyring.delete_password(SERVICE, email.lower())
    except Exception:
        return False
    return True


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every given secret replaced by a placeholder (for errors and reports)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[password removed]")
    return text
