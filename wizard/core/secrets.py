"""Passwords in the OS keyring (service ``mailcom-wizard``), remembered with the servers they
were saved for and handed out only for those; without a keyring the wizard simply asks."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from keyring.backend import KeyringBackend

    from wizard.core.provider import Provider

SERVICE = "mailcom-wizard"

log = logging.getLogger(__name__)

# Not a system keyring: a plain-text file is not a safe place for a password, and the
# "encrypted" file backend asks for its own password on the terminal.
_REFUSED_BACKENDS = frozenset(
    """keyrings.alt.file.PlaintextKeyring keyrings.alt.file.EncryptedKeyring
    keyring.backends.fail.Keyring keyring.backends.null.Keyring""".split()  # noqa: SIM905
)


def _backend() -> KeyringBackend | None:
    """The first acceptable keyring backend, or None (the chainer's are walked here, so a
    password never lands in a refused one)."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:
        return None
    for candidate in getattr(backend, "backends", None) or [backend]:
        if f"{type(candidate).__module__}.{type(candidate).__qualname__}" in _REFUSED_BACKENDS:
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


def _call(what: str, call: Callable[[KeyringBackend], object]) -> tuple[bool, object]:
    """``call`` on the keyring backend: (True, its result), or (False, None) when it failed."""
    backend = _backend()
    if backend is None:
        return False, None
    try:
        return True, call(backend)
    except Exception as exc:
        log.info("keyring %s failed: %s", what, type(exc).__name__)
        return False, None


def get_password(email: str) -> str | None:
    """The raw keyring entry for ``email``, or None (also when there is no keyring)."""
    value = _call("lookup", lambda backend: backend.get_password(SERVICE, email.lower()))[1]
    return value if isinstance(value, str) else None


def set_password(email: str, password: str) -> bool:
    """Store the raw keyring entry for ``email``; True when it was stored."""
    return _call("store", lambda backend: backend.set_password(SERVICE, email.lower(), password))[0]


def delete_password(email: str) -> bool:
    """Forget the password; True when one was removed."""
    return _call("delete", lambda backend: backend.delete_password(SERVICE, email.lower()))[0]


def servers_of(provider: Provider) -> frozenset[str]:
    """The server names a password for ``provider`` may be sent to."""
    endpoints = provider.imap + provider.pop3 + provider.smtp
    return frozenset(endpoint.host.lower().rstrip(".") for endpoint in endpoints)


@dataclass(frozen=True)
class Remembered:
    """A remembered password and the provider id and servers it was saved for (``provider``
    None: saved before passwords were bound, so for no server in particular)."""

    password: str = field(repr=False)
    provider: str | None = None
    servers: frozenset[str] = frozenset()

    def fits(self, provider: Provider) -> bool:
        """True when it was saved for ``provider`` and every server it names."""
        return self.provider == provider.id and servers_of(provider) <= self.servers

    @property
    def saved_for(self) -> str:
        """Where it was saved for, in words (server names as they were stored)."""
        if self.provider is None:
            return "no server in particular (it was saved by an older version)"
        return f"{self.provider} ({', '.join(sorted(self.servers))})"


def remember_password(email: str, password: str, provider: Provider) -> bool:
    """Remember ``password`` for ``email``, bound to ``provider``'s servers; True if stored."""
    entry = {"password": password, "provider": provider.id, "servers": sorted(servers_of(provider))}
    return set_password(email, json.dumps(entry))


def remembered(email: str) -> Remembered | None:
    """What is remembered for ``email``, and where it may go; None when nothing is."""
    raw = get_password(email)
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
    except ValueError:
        return Remembered(raw)
    if (
        isinstance(entry, dict)
        and isinstance(entry.get("password"), str)
        and isinstance(entry.get("provider"), str)
        and isinstance(entry.get("servers"), list)
        and all(isinstance(server, str) for server in entry["servers"])
    ):
        return Remembered(entry["password"], entry["provider"], frozenset(entry["servers"]))
    return Remembered(raw)  # stored before passwords were bound to servers
