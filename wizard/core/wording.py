"""The one table of what the wizard says about each status (a row's short words, "port 465 ...",
title, action, advice), in the telling order, and its whole-check variants; ``diagnosis.explain``
picks the row and fills in what the check saw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wizard.core.facts import ios
from wizard.core.models import Status

#: How this computer is told to test another network (the iPhone's words are ``other_network``).
HOTSPOT = "try another network (for example your phone's hotspot)"
_INTERCEPTORS = "an antivirus mail shield, a VPN or a company proxy"
_NO_SSL_OFF = "Do not switch SSL off."
_NOTHING_ANSWERS = (
    f"Nothing answers on {{ports}} from this network: {HOTSPOT}, or turn off a firewall that "
    "blocks mail."
)


@dataclass(frozen=True)
class StatusWords:
    """How one status is said. Templates take {name} (the provider), {host}, {port}, {ports}
    (every port of the half that failed alike), {protocol}, {limit} (the time limit), and a
    certificate's {issuer}, {valid} and {subject}."""

    short: str
    failed: str
    title: str
    action: str
    advice: str


#: Every status, the most telling first: when nothing of a half worked, its first failure
#: in this order is the one told.
STATUS_WORDS: dict[Status, StatusWords] = {
    Status.AUTH_FAILED: StatusWords(
        "login refused",
        "refuses the login",
        "{name} refused the login",
        "{name} refused the login: check, in this order, {causes}.",
        "{protocol} on port {port} refused the address and password.",
    ),
    Status.CERTIFICATE_UNTRUSTED: StatusWords(
        "connection intercepted",
        "shows a certificate that is not trusted",
        "The server's certificate is not trusted",
        "Something on this network intercepts the connection: turn off the antivirus's "
        "email scanning or the VPN, or try another network.",
        "The certificate shown for {host} does not come from an authority this computer "
        f"trusts.{{issuer}} Something on this network ({_INTERCEPTORS}) may be intercepting "
        "encrypted connections. Turn off the antivirus's email scanning (often called Mail "
        "Shield or Email protection), disconnect the VPN, or try another network. Do not "
        "switch SSL off, and do not accept an unknown certificate on the iPhone "
        f"(\u201c{ios.CANNOT_VERIFY.text}\u201d).",
    ),
    Status.CERTIFICATE_EXPIRED: StatusWords(
        "certificate out of date",
        "shows an out-of-date certificate",
        "The server's certificate has expired",
        "The server's certificate is out of date: check this computer's date and time; if "
        "they are right, try another network.",
        "The certificate shown for {host} is out of date.{valid} First check that this "
        "computer's date and time are right; a wrong clock causes exactly this. If the clock "
        "is right, something on this network may be intercepting the connection (an "
        "antivirus mail shield, a VPN or a proxy), or the server has a problem: try another "
        f"network or try again later. {_NO_SSL_OFF}",
    ),
    Status.CERTIFICATE_HOSTNAME_MISMATCH: StatusWords(
        "connection redirected",
        "shows a certificate for another server",
        "The certificate belongs to another server",
        f"This network redirects mail connections to another server: {HOTSPOT}.",
        "The server on port {port} showed a certificate that is not for {host}{subject}: "
        "something on this network redirects mail connections (a hotel or public Wi-Fi login "
        f"page, a proxy or an antivirus). Try another network. {_NO_SSL_OFF}",
    ),
    Status.PLAINTEXT_INJECTED: StatusWords(
        "connection tampered with",
        "receives data slipped in before encryption",
        "Something slipped data into the connection",
        f"Something on this network tampers with mail connections: {HOTSPOT}.",
        "The server on port {port} sent extra data just before the connection was "
        "encrypted: something on the network slipped it in, so the wizard stopped at once, "
        "before sending the password. A network that does this may read or change mail: "
        "use another one. Never set the iPhone up without SSL.",
    ),
    Status.STARTTLS_UNAVAILABLE: StatusWords(
        "encryption removed",
        "offers no encryption",
        "Port {port} does not offer encryption",
        "Something on this network removes encryption from mail connections: try another "
        "network, and never set the iPhone up without SSL.",
        "The server on port {port} did not offer to switch to an encrypted connection, so "
        "the wizard stopped before sending the password. Something on the network may be "
        "removing encryption (some antivirus programs and firewalls do). "
        f"{ios.WITHOUT_SSL.text} on the iPhone, answer No.",
    ),
    Status.TLS_FAILED: StatusWords(
        "encryption failed",
        "cannot be secured",
        "The secure connection failed",
        "Something interferes with encrypted connections: turn off the antivirus's email "
        "scanning or the VPN, or try another network.",
        "{host} answered on port {port}, but an encrypted connection could not be set up. "
        f"Something between this computer and {{name}} may be interfering: {_INTERCEPTORS}. "
        "Turn off the antivirus's email scanning or the VPN, or try another network. Never "
        "switch SSL off on the iPhone to get around this.",
    ),
    Status.PROTOCOL_ERROR: StatusWords(
        "unexpected answer",
        "answers with an error",
        "Unexpected answer from the server",
        "{name}'s server answered in an unexpected way: try again in a few minutes.",
        "{host} on port {port} did not behave as a mail server should. This can be a short "
        "problem at {name}, or something on the network interfering. Try again in a few "
        "minutes.",
    ),
    Status.SERVER_SILENT: StatusWords(
        "stopped answering",
        "accepts the connection, then says nothing",
        "{name}'s server stopped answering",
        "{name}'s server accepted the connection on {ports} and then said nothing: try again "
        "in a few minutes, or from another network.",
        "{host} accepted the connection on port {port} and then said nothing within "
        "{limit} s (no greeting, or no answer to the login), so this computer is online and "
        "reaches the server. This is usually a "
        "passing problem at {name}, or a firewall or proxy on this network that holds mail "
        f"connections open. Try again in a few minutes; if it lasts, {HOTSPOT}.",
    ),
    Status.TLS_STALLED: StatusWords(
        "encryption stalled",
        "stops answering while the connection is secured",
        "Port {port} stopped answering while securing the connection",
        "The server on {ports} accepted the connection but never finished encrypting it: "
        "turn off the antivirus's email scanning or the VPN, or try another network.",
        "{host} accepted the connection on port {port}, but the encrypted connection was "
        "never set up: the server, or something in between, stopped answering within "
        "{limit} s. Some firewalls, proxies and antivirus mail shields hold mail "
        "connections like this. Turn off the antivirus's email scanning or the VPN, or try "
        "another network; if it happens everywhere, {name} may have a passing problem.",
    ),
    Status.TIMEOUT: StatusWords(
        "blocked here",
        "does not answer",
        "No answer on port {port}",
        _NOTHING_ANSWERS,
        "{host} did not answer the connection on port {port} within {limit} s. The "
        "network (or a firewall on this computer) may block this port, or the connection is "
        f"very slow. Try again, or {HOTSPOT}.",
    ),
    Status.CONNECTION_REFUSED: StatusWords(
        "blocked here",
        "is refused",
        "Port {port} is closed or blocked",
        _NOTHING_ANSWERS,
        "{host} did not accept a connection on port {port}. A firewall, the router or an "
        "antivirus may be blocking mail ports. Try another network (for example your "
        "phone's hotspot); if that works, the first network blocks mail.",
    ),
    Status.NO_ROUTE: StatusWords(
        "not reachable from here",
        "cannot be reached from this network",
        "This network cannot reach {host}",
        "This network has no way to reach {name}'s server: check this computer's "
        f"connection (Wi-Fi or cable), or {HOTSPOT}.",
        "This computer's network has no route to {host} (port {port}): the connection "
        "could not even start. The network may be down, may not reach the internet, or may "
        f"reach it over only one kind of address. Check Wi-Fi or the cable, or {HOTSPOT}.",
    ),
    Status.DNS_FAILED: StatusWords(
        "server not found",
        "cannot be looked up",
        "Cannot find {host}",
        "{host} cannot be found from this network: check this computer's internet "
        f"connection, or {HOTSPOT}.",
        "This computer could not look up the server name {host}. The network's name lookup "
        "may be failing, or the network does not reach the internet. Check Wi-Fi or the "
        f"cable and try again, or {HOTSPOT}.",
    ),
    Status.OK: StatusWords("works", "works", "Login works", "", ""),
}
#: Failures that mean nothing answered at all: together, "this computer seems offline".
UNANSWERED = frozenset({Status.DNS_FAILED, Status.NO_ROUTE, Status.TIMEOUT})
#: Failures that ran out of time: a time limit too short to connect looks like these.
OUT_OF_TIME = frozenset({Status.TIMEOUT, Status.TLS_STALLED, Status.SERVER_SILENT})
#: A time limit below this is named when things ran out of time (the default is 10 s).
SHORT_LIMIT_SECONDS = 1.0

#: Nothing at all answered, on any server or port: one explanation says everything.
OFFLINE = StatusWords(
    "blocked here",
    "does not answer",
    "{name} cannot be reached",
    "None of {name}'s servers answered: check this computer's internet connection (Wi-Fi "
    f"or cable), or {HOTSPOT}.",
    "Nothing answered on any of {name}'s servers ({host} and the others), on any port, so "
    "this computer is probably not connected to the internet, or its network drops every "
    "mail connection. Check Wi-Fi or the network cable, then try again. If a web browser "
    f"can open other sites, restart the router or {HOTSPOT}.",
)
#: Ran out of a time limit too short to connect (``check --timeout 0.001``).
SHORT_LIMIT = StatusWords(
    "time limit too short",
    "does not answer within the time limit",
    "No answer within {limit} s",
    "The time limit of {limit} s is too short to connect: check again with a longer one "
    "(the default is 10 s).",
    "{host} did not answer on port {port} within the time limit of {limit} s, which is "
    "too short for a connection over the internet. Check again with a longer time limit "
    "(the default is 10 s); if the server still does not answer, the network may block it.",
)
#: A refusal while another server of this check accepted the same password.
ACCESS_REFUSED = StatusWords(
    "access refused",
    "refuses the login",
    "{name} refused {protocol} for this account",
    "{name} accepted your password for {accepted} but refused {protocol}: check, in this "
    "order, {causes}.",
    "{protocol} on port {port} refused the login, but {accepted_label} accepted the same "
    "address and password, so the password is right: {name} refuses {protocol} for this "
    "account.",
)
#: Refusals whose reply says more than "wrong password" (by ``refusal_kind``).
REFUSALS: dict[str, StatusWords] = {
    "too_many": StatusWords(
        "too many connections",
        "refuses: too many connections",
        "Too many connections to this mailbox",
        "Too many devices are connected to this mailbox: close mail on the others, wait a "
        "few minutes, then retry.",
        "{name} refused the login because too many devices or apps are connected to the "
        "mailbox at once.{said} Close mail on other devices (or remove old accounts in the "
        "iPhone's Mail settings), wait a few minutes, then try again.",
    ),
    "unavailable": StatusWords(
        "temporarily unavailable",
        "is temporarily unavailable",
        "{name} is temporarily unavailable",
        "{name} could not check the login just now: try again in a few minutes.",
        "{name} could not check the login right now.{said} This is on the server's side and "
        "usually passes: try again in a few minutes.",
    ),
    "in_use": StatusWords(
        "mailbox in use",
        "refuses: the mailbox is in use",
        "The mailbox is in use by another device",
        "Another device is downloading this mailbox: close mail there, wait a minute, then retry.",
        "Another device or program is downloading this mailbox over POP3 right now.{said} "
        "Close mail on that device, wait a minute, then try again.",
    ),
}


def other_network(*, checked_here: bool = False) -> str:
    """The one wording of "try the iPhone on another network"; ``checked_here``: the check
    just worked from this computer's network, so that network is a good one to try."""
    here = ", such as the one this computer is on (mail works there)" if checked_here else ""
    return (
        "If the iPhone cannot connect, try it on another network: if it is on Wi-Fi, turn "
        f"Wi-Fi off so that it uses mobile data, or join another Wi-Fi{here}. A guest, hotel "
        "or office Wi-Fi may block or intercept mail."
    )


def listed(items: Sequence[object]) -> str:
    """Items named in a sentence: ``465``, ``465 and 587``, ``a, b and c``."""
    shown = [str(item) for item in items]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def ports_words(ports: Sequence[int]) -> str:
    """``port 465`` or ``ports 465 and 587``."""
    return f"{'port' if len(ports) == 1 else 'ports'} {listed(ports)}"
