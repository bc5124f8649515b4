"""Provider files in Mozilla's autoconfig format (clientConfig 1.1, Thunderbird's ISPDB), read
with defusedxml and every value checked; entries an iPhone "Other" account cannot use securely
are skipped and said so. The built-in provider is mail.com (``data/mail.com.xml``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from wizard.core.errors import FileReadError, ProviderError
from wizard.core.facts import ios
from wizard.core.files import read_limited
from wizard.core.instructions.ios import LAYOUTS
from wizard.core.models import (
    PLACEHOLDER,
    Auth,
    Endpoint,
    IncomingChoice,
    Protocol,
    Security,
    fill_in,
)
from wizard.core.text import clean_line, control_characters

#: The id of mail.com's record in Thunderbird's ISPDB.
MAILCOM_ID = "mail.com"

#: Larger than any real autoconfig file (the ISPDB's biggest are a few dozen KiB).
MAX_PROVIDER_BYTES = 1024 * 1024
#: Servers of one kind a check tries at most: real files list one to three, and one listing
#: thousands must not open thousands of connections.
MAX_SERVERS_PER_KIND = 3
# Entries of one kind read at most, usable or not (the rest are only counted).
_MAX_READ_PER_KIND = 4 * MAX_SERVERS_PER_KIND

_SOCKET_TYPES = {"SSL": Security.SSL, "STARTTLS": Security.STARTTLS}
_KINDS = {
    "incoming": {"imap": Protocol.IMAP, "pop3": Protocol.POP3},
    "outgoing": {"smtp": Protocol.SMTP},
}
# The login methods an iPhone "Other" account uses ("plain" and "secure": older names).
_LOGINS = {
    "password-cleartext": Auth.PASSWORD,
    "plain": Auth.PASSWORD,
    "password-encrypted": Auth.CRAM_MD5,
    "secure": Auth.CRAM_MD5,
}
# A placeholder-like word, to catch misspelt (``%EMAILADDRESS``) or unknown (``%REALNAME%``) ones.
_PLACEHOLDER_LIKE = re.compile(r"%[A-Z][A-Z0-9_]*%?")
# A host name after IDNA: also the underscore some real names use, and IPv6 colons.
_HOST_ASCII = re.compile(r"^[A-Za-z0-9._:-]+$")


@dataclass(frozen=True)
class Provider:
    """A mail provider: its domains and its usable servers in preference order."""

    id: str
    display_name: str
    domains: tuple[str, ...]
    imap: tuple[Endpoint, ...]
    pop3: tuple[Endpoint, ...]
    smtp: tuple[Endpoint, ...]
    source: str = "built-in"
    #: The file's entries that are not tried, each with why, and the limit when it was hit.
    skipped: tuple[str, ...] = ()
    #: The file offers OAuth2 beside the password (such providers often want an app password).
    oauth_too: bool = False
    #: The address the names were filled in for; None until ``for_address``.
    address: str | None = None
    #: The file's values with their placeholders, when a host or the name holds one.
    template: Provider | None = field(default=None, repr=False, compare=False)

    @property
    def is_mailcom(self) -> bool:
        """Only for mail.com's own record do the texts name its settings (access, Premium)."""
        return self.id == MAILCOM_ID

    def incoming(self, choice: IncomingChoice) -> tuple[Endpoint, ...]:
        return self.imap if choice is IncomingChoice.IMAP else self.pop3

    def endpoints(self, choice: IncomingChoice) -> tuple[Endpoint, ...]:
        return self.incoming(choice) + self.smtp

    def knows_domain(self, domain: str) -> bool:
        return domain.strip().lower().rstrip(".") in self.domains

    def supports(self, choice: IncomingChoice) -> bool:
        return bool(self.incoming(choice))

    def for_address(self, email: str) -> Provider:
        """The provider with its host names and name filled in for ``email``; ProviderError
        when a host name filled in this way is not one (``check_address`` says so first)."""
        template = self.template
        if template is None or email == self.address:
            return self

        def server(endpoint: Endpoint) -> Endpoint:
            where = f"{self.source}: {endpoint.protocol.label} server {endpoint.host}, for {email},"
            return replace(endpoint, host=_ascii_host(fill_in(endpoint.host, email), where))

        return replace(
            template,
            display_name=clean_line(fill_in(template.display_name, email), 80) or self.id,
            imap=tuple(map(server, template.imap)),
            pop3=tuple(map(server, template.pop3)),
            smtp=tuple(map(server, template.smtp)),
            address=email,
            template=template,
        )

    @property
    def app_password_note(self) -> str:
        """Said before the password is asked for, worded as what to look for."""
        if not self.oauth_too:
            return ""
        return (
            f"{self.display_name} also lets mail apps sign in on its own web page (OAuth2), "
            f"which an Other account cannot do; if {self.display_name} offers app-specific "
            "passwords, create one in its security settings first and use it instead of your "
            "usual password."
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Said before step 1: the app-specific password, and what of the file is not used."""
        skipped = f"Not used from {self.source}: " + "; ".join(self.skipped) + "."
        return tuple(filter(None, (self.app_password_note, skipped if self.skipped else "")))


def builtin_provider() -> Provider:
    data = resources.files("wizard.core").joinpath("data", "mail.com.xml").read_bytes()
    return parse_provider(data, source="built-in mail.com")


def load_provider(path: str | Path) -> Provider:
    try:
        data = read_limited(path, MAX_PROVIDER_BYTES, "Provider file")
    except FileReadError as exc:
        raise ProviderError(str(exc)) from None
    return parse_provider(data, source=str(path))


def parse_provider(data: bytes, *, source: str = "provider file") -> Provider:
    provider_el = _provider_element(data, source)
    provider_id = clean_line(provider_el.get("id") or "", 80)
    if not provider_id:
        raise ProviderError(f"{source}: <emailProvider> has no id attribute.")
    name = clean_line(_text(provider_el, "displayName"), 80) or provider_id
    _refuse_unknown_placeholders(name, f"{source}: <displayName>")
    domains = tuple(
        dict.fromkeys(
            _ascii_host(text.lower().rstrip("."), f"{source}: <domain>")
            for el in provider_el.findall("domain")
            if (text := (el.text or "").strip())
        )
    )
    if not domains:
        raise ProviderError(f"{source}: no <domain> listed.")

    chosen: dict[Protocol, list[Endpoint]] = {protocol: [] for protocol in Protocol}
    listed = dict.fromkeys(Protocol, 0)
    read = dict.fromkeys(Protocol, 0)
    skipped: dict[Protocol, list[str]] = {protocol: [] for protocol in Protocol}
    # The kinds whose skipped entries all offered OAuth2 sign-in and nothing else.
    oauth_only = set(Protocol)
    oauth_too = False
    for role, kinds in _KINDS.items():
        for index, server in enumerate(provider_el.findall(f"{role}Server"), start=1):
            protocol = kinds.get(server.get("type", ""))
            if protocol is None:
                continue  # exchange, ews, jmap...: not something an iPhone "Other" account uses
            listed[protocol] += 1
            if (
                len(chosen[protocol]) == MAX_SERVERS_PER_KIND
                or read[protocol] == _MAX_READ_PER_KIND
            ):
                continue  # past the limit: not read, not tried
            read[protocol] += 1
            where = f"{source}: {role} server #{index} ({protocol.label}"
            endpoint, why, methods = _entry(server, protocol, where)
            if endpoint is None:
                skipped[protocol].append(why)
                if methods != {"oauth2"}:
                    oauth_only.discard(protocol)
            elif endpoint not in chosen[protocol]:
                chosen[protocol].append(endpoint)
                oauth_too = oauth_too or "oauth2" in methods
    for protocol, count in listed.items():
        if count > read[protocol]:
            skipped[protocol].append(
                f"{protocol.label}: the file lists {count} servers; the wizard tries at most "
                f"{MAX_SERVERS_PER_KIND}, the first usable ones"
            )
    for role, kinds in _KINDS.items():
        protocols = tuple(kinds.values())
        if not any(chosen[protocol] for protocol in protocols):
            reasons = [why for protocol in protocols for why in skipped[protocol]]
            only_oauth = bool(reasons) and oauth_only.issuperset(protocols)
            raise ProviderError(_nothing_usable(source, name, role, reasons, only_oauth))

    provider = Provider(
        id=provider_id,
        display_name=name,
        domains=domains,
        imap=tuple(chosen[Protocol.IMAP]),
        pop3=tuple(chosen[Protocol.POP3]),
        smtp=tuple(chosen[Protocol.SMTP]),
        source=source,
        skipped=tuple(why for protocol in Protocol for why in skipped[protocol]),
        oauth_too=oauth_too,
    )
    endpoints = provider.imap + provider.pop3 + provider.smtp
    if not PLACEHOLDER.search(name) and not any(PLACEHOLDER.search(e.host) for e in endpoints):
        return provider
    # Until the address is known, the name is given for the first domain (inbox.lv's file
    # calls itself %EMAILDOMAIN%).
    early = clean_line(fill_in(name, "@" + domains[0]), 80).strip("@ ") or provider_id
    return replace(provider, display_name=early, template=provider)


def _provider_element(data: bytes, source: str) -> ET.Element:
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DTDForbidden:
        raise ProviderError(
            f"{source}: refused, it contains a document type declaration (DTD), "
            "which autoconfig files never need."
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise ProviderError(f"{source}: refused, unsafe XML ({type(exc).__name__}).") from None
    except ET.ParseError as exc:
        raise ProviderError(f"{source}: not well-formed XML ({exc}).") from None
    except (ValueError, LookupError) as exc:  # for example an unknown encoding declaration
        raise ProviderError(f"{source}: cannot be read as XML ({exc}).") from None
    if root.tag != "clientConfig":
        raise ProviderError(
            f"{source}: not an autoconfig file (the root element is <{clean_line(root.tag, 40)}>,"
            " expected <clientConfig>)."
        )
    provider_el = root.find("emailProvider")
    if provider_el is None:
        raise ProviderError(f"{source}: no <emailProvider> element.")
    return provider_el


def _text(element: ET.Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _entry(
    server: ET.Element, protocol: Protocol, where: str
) -> tuple[Endpoint | None, str, set[str]]:
    """A server element's endpoint (None when skipped), why it is skipped, and its login
    methods; ProviderError for an entry that is broken rather than unusable."""
    host = _text(server, "hostname")
    if not host:
        raise ProviderError(f"{where}) has no <hostname>.")
    shown = clean_line(host, 80)
    _refuse_unknown_placeholders(host, f"{where}) <hostname>")
    # Checked now for a sample address, and again for the user's (``for_address``).
    checked = _ascii_host(fill_in(host, "name@example.com"), f"{where})", shown)
    port_text = _text(server, "port")
    port = int(port_text) if port_text.isascii() and port_text.isdigit() else 0
    if not 1 <= port <= 65535:
        raise ProviderError(
            f"{where} {shown}) needs a <port> from 1 to 65535, not {clean_line(port_text, 20)!r}."
        )
    entry = f"{protocol.label} {shown}:{port}"
    socket_type = _text(server, "socketType")
    if socket_type.lower() == "plain":
        why = "not encrypted (socketType plain), so the password would cross the network readable"
        return None, f"{entry}: {why}", set()
    security = _SOCKET_TYPES.get(socket_type.upper())
    if security is None:
        raise ProviderError(
            f"{where} {shown}:{port}) has socketType {clean_line(socket_type, 20) or '(none)'!r};"
            " expected SSL or STARTTLS."
        )
    named = [clean_line(el.text or "", 30) for el in server.findall("authentication")]
    methods = [name.lower() for name in named]
    # The first usable method the file lists; none listed means the password (the default).
    auth = next((_LOGINS[m] for m in methods if m in _LOGINS), None if methods else Auth.PASSWORD)
    if auth is None:  # OAuth2, NTLM, GSSAPI, a client certificate, no login at all...
        why = f"logs in only with {', '.join(named)}, and this wizard sets up password logins"
        return None, f"{entry}: {why}", set(methods)
    username = _text(server, "username") or "%EMAILADDRESS%"
    if control_characters(username):
        # A line break would end the login command and start another (USER, then DELE 1).
        raise ProviderError(
            f"{where} {shown}:{port}) has a <username> with a line break or another control "
            "character; a user name cannot contain one."
        )
    _refuse_unknown_placeholders(username, f"{where} {shown}:{port}) <username>")
    host = host if PLACEHOLDER.search(host) else checked
    endpoint = Endpoint(protocol, host, port, security, username_template=username, auth=auth)
    return endpoint, "", set(methods)


def _refuse_unknown_placeholders(text: str, where: str) -> None:
    for match in _PLACEHOLDER_LIKE.finditer(text):
        if not PLACEHOLDER.fullmatch(match.group()):
            raise ProviderError(
                f"{where} has the placeholder {clean_line(match.group(), 40)}, which is not "
                "one of %EMAILADDRESS%, %EMAILLOCALPART% or %EMAILDOMAIN%."
            )


def _ascii_host(host: str, where: str, shown: str | None = None) -> str:
    """``host`` in the IDNA form Python's resolver and TLS use, so the profile and steps hold
    what was checked (``faß.example`` is ``fass.example``); bad names are refused here."""
    shown = clean_line(host, 80) if shown is None else shown
    if control_characters(host):
        raise ProviderError(
            f"{where} has an invalid host name {shown!r}: it contains an invisible or "
            "control character."
        )
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
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
    return ascii_host


def _nothing_usable(source: str, name: str, role: str, reasons: list[str], oauth: bool) -> str:
    if oauth:
        paths = "; ".join(
            f"{layout.label}: Settings > {layout.accounts.text} > Add Account" for layout in LAYOUTS
        )
        return (
            f"{source}: {name} does not allow password logins from other programs (its file "
            f"offers only OAuth2 sign-in for {role} mail), so an Other account cannot work. "
            f"iOS has its own account type for it: {paths}; then tap the entry for {name} if "
            f"the list has one ({ios.PROVIDER_BUTTONS.text})."
        )
    kinds = "IMAP or POP3" if role == "incoming" else "SMTP"
    if not reasons:
        return f"{source}: no usable {role} server ({kinds}) is listed."
    more = f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
    return f"{source}: no usable {role} server ({kinds}): " + "; ".join(reasons[:3]) + more + "."
