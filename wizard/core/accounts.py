"""Checking what the user typed (address, password, name), with messages that say what to fix."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from wizard.core.errors import ProviderError
from wizard.core.provider import Provider

# RFC 5322 "atext" for the local part, without quoted strings (no mail.com address uses them).
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_NOT_SENDABLE = (
    "The password contains {}, which no mail server accepts; check what was pasted or typed."
)

#: Other providers' domains: typed on purpose, so never "corrected" to a mail.com domain
#: (gmail.com is one letter from mail.com, but it is Google's).
_OTHER_PROVIDERS = frozenset(
    """gmail.com googlemail.com gmx.com gmx.net gmx.de web.de yahoo.com ymail.com aol.com
    outlook.com hotmail.com live.com msn.com icloud.com me.com mac.com proton.me
    protonmail.com yandex.com zoho.com""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class AddressCheck:
    """The verdict on a typed address: an ``error`` blocks going on, a ``warning`` (an unknown
    domain) does not; ``address`` is normalised (domain in lower case) when there is no error."""

    address: str
    error: str | None = None
    warning: str | None = None
    confirmation: str | None = None
    #: For a domain that looks like a typo of a known one: "name@mail.com" for "name@mail.co".
    suggestion: str | None = None

    @property
    def ok(self) -> bool:
        """True when the address can be used (perhaps with a warning)."""
        return self.error is None


def check_address(text: str, provider: Provider) -> AddressCheck:
    """Validate an address's syntax and say whether the provider knows its domain."""
    address = text.strip()
    local, _, domain = address.partition("@")
    example = "for example name@mail.com."
    checks = (
        (not address, f"Enter your email address, {example}"),
        (any(ch.isspace() for ch in address), "An email address cannot contain spaces."),
        ("@" not in address, f"The address needs an @, {example}"),
        ("@" in domain, "The address has more than one @; keep only one."),
        (not local, f"Add your name before the @, {example}"),
        (not domain, f"Add the domain after the @, {example}"),
        # Only ASCII addresses are checked: others would need SMTPUTF8, which is not.
        (
            not address.isascii(),
            "The address contains letters outside a-z (such as ä or é); type it exactly "
            f"as {provider.display_name} shows it.",
        ),
        (len(local) > 64, "The part before the @ is too long (64 characters at most)."),
        (
            not _LOCAL_RE.match(local),
            "The part before the @ is not valid: check for a dot at its start or end, "
            "two dots in a row, or unusual characters.",
        ),
    )
    error = next((message for failed, message in checks if failed), None)
    if error is not None:
        return AddressCheck(text, error=error)
    domain = domain.lower().rstrip(".")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels) or len(domain) > 253:
        return AddressCheck(
            text, error=f"'{domain}' is not a valid domain; check the part after the @."
        )
    normalised = f"{local}@{domain}"
    try:  # a provider whose servers are named after the domain (mail.%EMAILDOMAIN%)
        provider.for_address(normalised)
    except ProviderError as exc:
        return AddressCheck(text, error=str(exc))
    name = provider.display_name
    if provider.knows_domain(domain):
        return AddressCheck(normalised, confirmation=f"{domain} is a {name} address.")
    typo_of = difflib.get_close_matches(domain, provider.domains, n=1, cutoff=0.75)
    if typo_of and domain not in _OTHER_PROVIDERS:  # mail.co, gmial.com
        return AddressCheck(
            normalised,
            warning=f"{domain} is not a {name} domain this wizard knows. "
            f"Did you mean {local}@{typo_of[0]}?",
            suggestion=f"{local}@{typo_of[0]}",
        )
    return AddressCheck(
        normalised,
        warning=f"{domain} is not one of the {len(provider.domains)} {name} domains this wizard "
        f"knows. If it is a {name} address, you can go on: the {name} servers will be checked.",
    )


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be sent to a mail server, or None when it can."""
    # Line-based protocols: a CR or LF would end the login command, a NUL cuts SASL short.
    if "\r" in password or "\n" in password:
        return _NOT_SENDABLE.format("a line break (CR or LF)")
    if "\0" in password:
        return _NOT_SENDABLE.format("a NUL character")
    if any(0xD800 <= ord(char) <= 0xDFFF for char in password):
        return "The password contains a byte that is not valid text (UTF-8); type it again."
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` (the sender name) cannot go into a profile or the steps, or None: a
    profile cannot store control characters or invalid bytes, and a terminal acts on them."""
    for char in name:
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            return "The name contains a control character; use letters, spaces and punctuation."
        if 0xD800 <= ord(char) <= 0xDFFF or char in "\ufffe\uffff":
            return (
                "The name contains a byte that is not valid text (UTF-8); type it again, "
                "using letters, spaces and punctuation."
            )
    return None
