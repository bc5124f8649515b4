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


@dataclass(frozen=True)
class AddressCheck:
    """The verdict on a typed address: an ``error`` blocks going on, a ``warning`` (an unknown
    domain) does not; ``address`` is normalised (domain in lower case) when there is no error."""

    address: str
    error: str | None = None
    warning: str | None = None
    confirmation: str | None = None
    #: For an unknown domain that looks like a typo of a known one: the address with the
    #: known domain ("name@mail.com" for "name@mail.co").
    suggestion: str | None = None

    @property
    def ok(self) -> bool:
        """True when the address can be used (perhaps with a warning)."""
        return self.error is None


def check_address(text: str, provider: Provider) -> AddressCheck:
    """Validate an address's syntax and say whether the provider knows its domain."""
    address = text.strip()
    if not address:
        return AddressCheck(text, error="Enter your email address, for example name@mail.com.")
    if any(ch.isspace() for ch in address):
        return AddressCheck(text, error="An email address cannot contain spaces.")
    if address.count("@") != 1:
        if "@" not in address:
            return AddressCheck(text, error="The address needs an @, for example name@mail.com.")
        return AddressCheck(text, error="The address has more than one @; keep only one.")
    local, domain = address.split("@")
    if not local:
        return AddressCheck(text, error="Add your name before the @, for example name@mail.com.")
    if not domain:
        return AddressCheck(text, error="Add the domain after the @, for example name@mail.com.")
    if not address.isascii():
        # Only the ASCII forms of addresses are checked (RFC 5322 atext, below); an address
        # with accented or non-Latin letters would need SMTPUTF8, which is not checked here.
        return AddressCheck(
            text,
            error="The address contains letters outside a-z (such as ä or é); type it exactly "
            f"as {provider.display_name} shows it.",
        )
    if len(local) > 64:
        return AddressCheck(
            text, error="The part before the @ is too long (64 characters at most)."
        )
    if not _LOCAL_RE.match(local):
        return AddressCheck(
            text,
            error="The part before the @ is not valid: check for a dot at its start or end, "
            "two dots in a row, or unusual characters.",
        )
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
    if provider.knows_domain(domain):
        return AddressCheck(
            normalised, confirmation=f"{domain} is a {provider.display_name} address."
        )
    close = _close_domain(domain, provider)
    if close is not None:
        return AddressCheck(
            normalised,
            warning=f"{domain} is not a {provider.display_name} domain this wizard knows. "
            f"Did you mean {local}@{close}?",
            suggestion=f"{local}@{close}",
        )
    return AddressCheck(
        normalised,
        warning=f"{domain} is not one of the {len(provider.domains)} {provider.display_name} "
        f"domains this wizard knows. If it is a {provider.display_name} address, you can go on: "
        f"the {provider.display_name} servers will be checked.",
    )


#: Other providers' domains: typed on purpose, so never "corrected" to a mail.com domain
#: (gmail.com is one letter from mail.com, but it is Google's).
_OTHER_PROVIDERS = frozenset(
    """gmail.com googlemail.com gmx.com gmx.net gmx.de web.de yahoo.com ymail.com aol.com
    outlook.com hotmail.com live.com msn.com icloud.com me.com mac.com proton.me
    protonmail.com yandex.com zoho.com""".split()  # noqa: SIM905
)


def _close_domain(domain: str, provider: Provider) -> str | None:
    """The known domain ``domain`` most likely is a typo of (``mail.co``, ``gmial.com``)."""
    if domain in _OTHER_PROVIDERS:
        return None
    matches = difflib.get_close_matches(domain, provider.domains, n=1, cutoff=0.75)
    return matches[0] if matches else None


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be sent to a mail server, or None when it can."""
    # The protocols are line-based: a CR or LF would end the login command and start
    # another, and a NUL cuts a SASL message short.
    if "\r" in password or "\n" in password:
        return (
            "The password contains a line break (CR or LF), which no mail server accepts; "
            "check what was pasted or typed."
        )
    if "\0" in password:
        return (
            "The password contains a NUL character, which no mail server accepts; "
            "check what was pasted or typed."
        )
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
