"""The failures the demo can practise (``--demo-fault``): no imports, so the command line
lists them without loading the practice servers."""

from __future__ import annotations

FAULT_DESCRIPTIONS: dict[str, str] = {
    "blocked-465": "Port 465 is blocked: sending mail there never gets an answer.",
    "blocked-587": "Port 587 is blocked: sending mail there never gets an answer (465 still "
    "works, so the check passes; D shows 587).",
    "intercepted": "An antivirus mail shield intercepts the connections with its own certificate.",
    "expired": "The server's certificate has expired.",
    "wrong-host": "The server presents a certificate made for another server name.",
    "wrong-password": "The server refuses the password (as when it was changed, or an app "
    "password is needed).",
    "no-starttls": "Port 587 offers no encryption, so no password is sent there (465 still "
    "works, so the check passes; D shows 587).",
    "silent": "Every server accepts the connection and then says nothing.",
}

DEMO_FAULTS: tuple[str, ...] = tuple(FAULT_DESCRIPTIONS)
