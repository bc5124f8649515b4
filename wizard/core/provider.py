"""Provider data in Mozilla's autoconfig format (clientConfig 1.1, as in Thunderbird's ISPDB).

The built-in provider is mail.com (``data/mail.com.xml``). ``load_provider(path)`` reads any
other autoconfig file; that is how the tests point the wizard at local servers. Files are
parsed with defusedxml, so entity expansion, external entities and DTDs are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from wizard.core.errors import FileReadError, ProviderError
from wizard.core.files import read_limited
from wizard.core.models import Endpoint, IncomingChoice, Protocol, Security
from wizard.core.text import clean_line, control_characters

#: The id of mail.com's record in Thunderbird's ISPDB (``<emailProvider id="mail.com">``).
MAILCOM_ID = "mail.com"

#: Larger than any real autoconfig file (the ISPDB's biggest are a few dozen KiB).
MAX_PROVIDER_BYTES = 1024 * 1024

_SOCKET_TYPES = {"SSL": Security.SSL, "STARTTLS": Security.STARTTLS}
_INCOMING_TYPES = {"imap": Protocol.IMAP, "pop3": Protocol.POP3}
# Authentication methods we can honour: a password sent inside TLS (AUTH PLAIN / LOGIN).
_PASSWORD_AUTH = {"password-cleartext", "plain"}


@dataclass(frozen=True)
class Provider:
    """A mail provider: its domains and its servers in preference order."""

    id: str
    display_name: str
    domains: tuple[str, ...]
    imap: tuple[Endpoint, ...]
    pop3: tuple[Endpoint, ...]
    smtp: tuple[Endpoint, ...]
    source: str = "built-in"

    @property
    def is_mailcom(self) -> bool:
        """True for mail.com's own record (the ISPDB's id), which the demo also uses.

        Only then do the wizard's texts name mail.com's settings (its POP3 & IMAP switch,
        Premium, its app-specific password menu); any other provider gets general advice.
        """
        return self.id == MAILCOM_ID

    def incoming(self, choice: IncomingChoice) -> tuple[Endpoint, ...]:
        """Incoming endpoints for IMAP or POP, most preferred first."""
        return self.imap if choice is IncomingChoice.IMAP else self.pop3

    def endpoints(self, choice: IncomingChoice) -> tuple[Endpoint, ...]:
        """Every endpoint a check of ``choice`` tries: incoming first, then SMTP."""
        return self.incoming(choice) + self.smtp

    def knows_domain(self, domain: str) -> bool:
        """True when ``domain`` is one of the provider's own domains."""
        return domain.strip().lower().rstrip(".") in self.domains

    def supports(self, choice: IncomingChoice) -> bool:
        """True when the provider has servers for ``choice``."""
        return bool(self.incoming(choice))


def builtin_provider() -> Provider:
    """mail.com, as shipped inside the package."""
    data = resources.files("wizard.core").joinpath("data", "mail.com.xml").read_bytes()
    return parse_provider(data, source="built-in mail.com")


def load_provider(path: str | Path) -> Provider:
    """Read an autoconfig file, or raise ProviderError saying what is wrong with it."""
    try:
        data = read_limited(path, MAX_PROVIDER_BYTES, "Provider file")
    except FileReadError as exc:
        raise ProviderError(str(exc)) from None
    return parse_provider(data, source=str(path))


def parse_provider(data: bytes, *, source: str = "provider file") -> Provider:
    """Parse autoconfig XML into a Provider, or raise ProviderError naming the problem."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DTDForbidden:
        raise ProviderError(
            f"{source}: refused, it contains a document type declaration (DTD), "
            "which autoconfig files never need."
        ) from None
    except defusedxml.EntitiesForbidden:
        raise ProviderError(f"{source}: refused, it declares XML entities.") from None
    except defusedxml.DefusedXmlException as exc:
        raise ProviderError(f"{source}: refused, unsafe XML ({type(exc).__name__}).") from None
    except ET.ParseError as exc:
        raise ProviderError(f"{source}: not well-formed XML ({exc}).") from None
    except (ValueError, LookupError) as exc:  # for example an unknown encoding declaration
        raise ProviderError(f"{source}: cannot be read as XML ({exc}).") from None

    if root.tag != "clientConfig":
        raise ProviderError(
            f"{source}: not an autoconfig file (the root element is <{root.tag}>, "
            "expected <clientConfig>)."
        )
    provider_el = root.find("emailProvider")
    if provider_el is None:
        raise ProviderError(f"{source}: no <emailProvider> element.")

    # The names are shown on screens and in reports: cleaned like any text from outside.
    provider_id = clean_line(provider_el.get("id") or "")
    if not provider_id:
        raise ProviderError(f"{source}: <emailProvider> has no id attribute.")
    display_name = clean_line(_text(provider_el, "displayName")) or provider_id
    domains = tuple(
        dict.fromkeys(
            (el.text or "").strip().lower().rstrip(".")
            for el in provider_el.findall("domain")
            if (el.text or "").strip()
        )
    )
    if not domains:
        raise ProviderError(f"{source}: no <domain> listed.")

    imap: list[Endpoint] = []
    pop3: list[Endpoint] = []
    for index, server in enumerate(provider_el.findall("incomingServer"), start=1):
        server_type = server.get("type", "")
        protocol = _INCOMING_TYPES.get(server_type)
        if protocol is None:
            continue  # exchange, ews, jmap...: not something an iPhone "Other" account uses
        endpoint = _endpoint(server, protocol, f"{source}: incoming server #{index}")
        if endpoint is not None:
            (imap if protocol is Protocol.IMAP else pop3).append(endpoint)
    smtp: list[Endpoint] = []
    for index, server in enumerate(provider_el.findall("outgoingServer"), start=1):
        if server.get("type", "") != "smtp":
            continue
        endpoint = _endpoint(server, Protocol.SMTP, f"{source}: outgoing server #{index}")
        if endpoint is not None:
            smtp.append(endpoint)

    if not imap and not pop3:
        raise ProviderError(
            f"{source}: no usable incoming server (IMAP or POP3 with password login)."
        )
    if not smtp:
        raise ProviderError(f"{source}: no usable outgoing server (SMTP with password login).")
    return Provider(
        id=provider_id,
        display_name=display_name,
        domains=domains,
        imap=tuple(imap),
        pop3=tuple(pop3),
        smtp=tuple(smtp),
        source=source,
    )


def _text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return "" if child is None or child.text is None else child.text.strip()


def _endpoint(server: ET.Element, protocol: Protocol, where: str) -> Endpoint | None:
    """One server element as an Endpoint; None when it needs a login method we do not use."""
    host = _text(server, "hostname")
    if not host:
        raise ProviderError(f"{where} ({protocol.label}) has no <hostname>.")
    _check_host(host, f"{where} ({protocol.label})")
    port_text = _text(server, "port")
    if not port_text:
        raise ProviderError(f"{where} ({protocol.label} {host}) has no <port>.")
    try:
        port = int(port_text)
    except ValueError:
        raise ProviderError(
            f"{where} ({protocol.label} {host}) has a port that is not a number: {port_text!r}."
        ) from None
    if not 1 <= port <= 65535:
        raise ProviderError(f"{where} ({protocol.label} {host}) has port {port}, out of range.")
    socket_type = _text(server, "socketType")
    if socket_type.lower() == "plain":
        raise ProviderError(
            f"{where} ({protocol.label} {host}:{port}) uses socketType plain. "
            "mailcom-wizard never sends a password unencrypted; use SSL or STARTTLS."
        )
    security = _SOCKET_TYPES.get(socket_type.upper())
    if security is None:
        raise ProviderError(
            f"{where} ({protocol.label} {host}:{port}) has socketType {socket_type or '(none)'!r};"
            " expected SSL or STARTTLS."
        )
    methods = {(el.text or "").strip().lower() for el in server.findall("authentication")}
    if methods and not methods & _PASSWORD_AUTH:
        return None  # OAuth2-only or similar: the iPhone "Other" account cannot use it
    username = _text(server, "username") or "%EMAILADDRESS%"
    if control_characters(username):
        # A line break here would end the login command and start another one
        # (``%EMAILADDRESS%&#13;&#10;DELE 1`` sends USER, then DELE).
        raise ProviderError(
            f"{where} ({protocol.label} {host}:{port}) has a <username> with a line break or "
            "another control character; a user name cannot contain one."
        )
    return Endpoint(
        protocol=protocol, host=host, port=port, security=security, username_template=username
    )


# What a host name may hold once IDNA has turned it into ASCII: letters, digits, dots and
# hyphens, the underscore some real names use, and colons for an IPv6 address.
_HOST_ASCII = re.compile(r"^[A-Za-z0-9._:-]+$")


def _check_host(host: str, where: str) -> None:
    """Raise ProviderError unless ``host`` is a name or address a resolver can take.

    Checked with the same IDNA encoding the resolver uses, so ``a..b`` or a 70-character
    label is refused here, in one sentence, instead of failing at connect time.
    """
    shown = clean_line(host, 80)
    if control_characters(host):
        raise ProviderError(
            f"{where} has an invalid host name {shown!r}: it contains an invisible or "
            "control character."
        )
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ProviderError(
            f"{where} has an invalid host name {shown!r}: every part between dots must have "
            "1 to 63 characters, and only characters host names may have."
        ) from None
    if not _HOST_ASCII.match(ascii_host) or len(ascii_host.rstrip(".")) > 253:
        raise ProviderError(
            f"{where} has an invalid host name {shown!r}: use letters, digits, dots and "
            "hyphens, at most 253 characters."
        )


def render_provider(
    provider_id: str,
    domains: list[str],
    endpoints: list[Endpoint],
    *,
    display_name: str | None = None,
) -> str:
    """Write an autoconfig document for ``endpoints`` (used by the demo and the tests)."""
    from xml.sax.saxutils import escape

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<clientConfig version="1.1">',
        f'  <emailProvider id="{escape(provider_id)}">',
    ]
    lines += [f"    <domain>{escape(domain)}</domain>" for domain in domains]
    name = escape(display_name or provider_id)
    lines += [f"    <displayName>{name}</displayName>"]
    for endpoint in endpoints:
        if endpoint.protocol is Protocol.SMTP:
            tag, kind = "outgoingServer", "smtp"
        else:
            tag, kind = "incomingServer", endpoint.protocol.value
        socket_type = "SSL" if endpoint.security is Security.SSL else "STARTTLS"
        lines += [
            f'    <{tag} type="{kind}">',
            f"      <hostname>{escape(endpoint.host)}</hostname>",
            f"      <port>{endpoint.port}</port>",
            f"      <socketType>{socket_type}</socketType>",
            f"      <username>{escape(endpoint.username_template)}</username>",
            "      <authentication>password-cleartext</authentication>",
            f"    </{tag}>",
        ]
    lines += ["  </emailProvider>", "</clientConfig>", ""]
    return "\n".join(lines)
