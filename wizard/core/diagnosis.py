"""From a status code to words for people: a plain title and a fix they can act on.

Written for someone setting up mail.com on an iPhone, not for a mail administrator. The
advice never suggests switching SSL off.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wizard.core.facts import ios, mailcom
from wizard.core.models import CertificateInfo, Endpoint, Status


@dataclass(frozen=True)
class Context:
    """What else the check learned, so one attempt's advice can mention the others."""

    email: str
    provider_name: str = "mail.com"
    #: The provider is mail.com's own record (or the demo standing in for it): only then
    #: does the advice name mail.com's settings (its access switch, Premium, its menus).
    mailcom: bool = True
    #: Another endpoint of the same role verified and will be used instead.
    fallback: Endpoint | None = None
    #: Where the role's one login was tried, when this endpoint was not logged in to.
    login_tried_on: Endpoint | None = None
    #: The login tried elsewhere was refused (so it was not repeated here).
    login_refused_elsewhere: bool = False
    #: Every attempt of the whole check failed the same way (e.g. no internet at all).
    everything_failed_alike: bool = False


def failed_alike(statuses: Iterable[Status | None]) -> bool:
    """True when every attempt failed the same way for want of a network (no DNS, no answer).

    Then one explanation ("this computer seems offline") says everything, instead of one
    per server and port.
    """
    seen = set(statuses)
    return len(seen) == 1 and seen <= {Status.DNS_FAILED, Status.TIMEOUT}


def address_families_sentence(host: str, families: Sequence[str]) -> str:
    """A sentence saying which kinds of address of ``host`` were tried and all failed.

    Empty for a host typed as an address (nothing was looked up) and when nothing was.
    """
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return ""
    if not families:
        return ""
    if len(families) == 1:
        other = {"IPv4": "IPv6", "IPv6": "IPv4"}.get(families[0], "other kind of")
        return f" The wizard tried {host} over {families[0]} (it has no {other} address)."
    kinds = sorted(families, key=lambda family: (family != "IPv6", family))
    return f" The wizard tried {host} over both {' and '.join(kinds)}; neither worked."


def _reply_kind(reply: str | None) -> str | None:
    """Recognise server replies that mean something other than 'wrong password'."""
    if not reply:
        return None
    text = reply.lower()
    if "too many" in text or "maximum number of connections" in text:
        return "too_many"
    if "[unavailable]" in text or "[sys/temp]" in text or "temporar" in text:
        return "unavailable"
    if "[in-use]" in text:
        return "in_use"
    if "[alert]" in text:
        return "alert"
    if re.search(r"\b(disabled|not enabled|not activated|not allowed)\b", text):
        return "disabled"
    return None


def refusal_kind(reply: str | None) -> str | None:
    """What a refused login's reply says besides "wrong password", or None for a plain refusal.

    One of ``too_many``, ``unavailable``, ``in_use``, ``alert``, ``disabled``.
    """
    return _reply_kind(reply)


def _fallback_sentence(endpoint: Endpoint, context: Context) -> str:
    if context.fallback is None:
        return ""
    return (
        f" Port {context.fallback.port} works and will be used instead, so you do not need "
        "to do anything."
    )


def _because(detail: str, status: Status) -> str:
    """The technical detail in brackets for a sentence, or nothing.

    A bare status code (``tls_failed``) says nothing a person can use, so it is never put
    into a sentence; the code itself is shown where codes belong (the JSON, the table).
    """
    if not detail or detail == status.value:
        return ""
    return f" ({detail})"


def _cert_lines(certificate: CertificateInfo | None) -> str:
    if certificate is None:
        return ""
    return (
        f"\nCertificate presented: {certificate.subject}\n"
        f"Issued by: {certificate.issuer}\n"
        f"Valid from {certificate.not_before:%Y-%m-%d} to {certificate.not_after:%Y-%m-%d}"
    )


def describe(
    endpoint: Endpoint,
    status: Status,
    *,
    detail: str,
    reply: str | None,
    login_tested: bool,
    certificate: CertificateInfo | None,
    context: Context,
) -> tuple[str, str]:
    """The title and the advice for one attempt."""
    port = endpoint.port
    host = endpoint.host
    name = context.provider_name
    fallback = _fallback_sentence(endpoint, context)
    because = _because(detail, status)

    if status is Status.OK:
        if login_tested:
            return (
                "Login works",
                f"{endpoint.label} accepted the address and password over an encrypted connection.",
            )
        if context.login_refused_elsewhere and context.login_tried_on is not None:
            return (
                "Reachable (login not repeated)",
                f"A secure connection works. The password was already refused on port "
                f"{context.login_tried_on.port}, so it was not tried again here: "
                f"{name} may lock an account after repeated failed logins.",
            )
        tried = (
            f" on port {context.login_tried_on.port}" if context.login_tried_on else " elsewhere"
        )
        return (
            "Reachable (login tested" + tried + ")",
            "A secure connection works. The password is tested on one port per server "
            "only, so that a wrong password never counts twice against the account.",
        )

    if status is Status.DNS_FAILED:
        if context.everything_failed_alike:
            return (
                f"{name} cannot be reached",
                f"This computer cannot look up {name}'s servers ({host}), so it is probably "
                "not connected to the internet, or its DNS is not working. Check Wi-Fi or the "
                "network cable, then try again. If a web browser can open other sites, "
                "restart the router or try another network.",
            )
        return (
            f"Cannot find {host}",
            f"The server name {host} could not be looked up. Check that it is spelled exactly "
            f"{host}; if it is, the network's DNS may be failing.{fallback}",
        )

    if status is Status.CONNECTION_REFUSED:
        if context.fallback is not None:
            return (
                f"Port {port} is blocked on this network",
                f"{host} did not accept connections on port {port}: this network (or a "
                f"firewall on this computer) seems to block it.{fallback}",
            )
        if "refused the connection" in detail:
            because = ""  # the plain refusal: the sentence already says it
        return (
            f"Port {port} is closed or blocked",
            f"{host} did not accept a connection on port {port}{because}. A firewall, the "
            "router or an antivirus may be blocking mail ports. Try another network (for "
            "example your phone's hotspot); if that works, the first network blocks mail.",
        )

    if status is Status.TIMEOUT:
        if context.fallback is not None:
            return (
                f"Port {port} seems blocked on this network",
                f"{host} did not answer on port {port} in time: this network seems to block "
                f"port {port}.{fallback}",
            )
        if context.everything_failed_alike:
            return (
                f"{name} does not answer",
                f"None of {name}'s servers answered in time. This computer may be offline, or "
                "a firewall drops mail connections. Check the internet connection and try "
                "again, or try another network (for example your phone's hotspot).",
            )
        return (
            f"No answer on port {port}",
            f"{host} did not answer on port {port} in time{because}. The network may block "
            "this port, or the connection is very slow. Try again, or try another network "
            "(for example your phone's hotspot).",
        )

    if status is Status.TLS_FAILED:
        return (
            "The secure connection failed",
            f"{host} answered on port {port}, but an encrypted connection could not be set "
            f"up{because}. Something between this computer and {name} may be interfering: "
            "an antivirus mail shield, a VPN or a company proxy. Turn off the antivirus's "
            "email scanning or the VPN, or try another network. Never switch SSL off on the "
            f"iPhone to get around this.{fallback}",
        )

    if status is Status.CERTIFICATE_UNTRUSTED:
        issuer = f" It was issued by \u201c{certificate.issuer_name}\u201d." if certificate else ""
        return (
            "The server's certificate is not trusted",
            f"The certificate shown for {host} does not come from an authority this computer "
            f"trusts.{issuer} Something on this network (an antivirus mail shield, a VPN or a "
            "company proxy) may be intercepting encrypted connections. Turn off the "
            "antivirus's email scanning (often called Mail Shield or Email protection), "
            "disconnect the VPN, or try another network. Do not switch SSL off, and do not "
            "accept an unknown certificate on the iPhone (\u201c"
            f"{ios.CANNOT_VERIFY.text}\u201d).{fallback}{_cert_lines(certificate)}",
        )

    if status is Status.CERTIFICATE_EXPIRED:
        when = ""
        if certificate is not None:
            when = (
                f" It is valid from {certificate.not_before:%Y-%m-%d} to "
                f"{certificate.not_after:%Y-%m-%d}."
            )
        return (
            "The server's certificate has expired",
            f"The certificate shown for {host} is out of date.{when} First check that this "
            "computer's date and time are right; a wrong clock causes exactly this. If the "
            "clock is right, something on this network may be intercepting the connection "
            "(an antivirus mail shield, a VPN or a proxy), or the server has a problem: try "
            f"another network or try again later. Do not switch SSL off.{fallback}"
            f"{_cert_lines(certificate)}",
        )

    if status is Status.CERTIFICATE_HOSTNAME_MISMATCH:
        subject = f" (it names {certificate.subject_name})" if certificate else ""
        return (
            "The certificate belongs to another server",
            f"The server on port {port} showed a certificate that is not for {host}{subject}. "
            f"Check the server name is exactly {host}. If it is, something on this network "
            "redirects mail connections: a hotel or public Wi-Fi login page, a proxy or an "
            f"antivirus. Try another network. Do not switch SSL off.{fallback}"
            f"{_cert_lines(certificate)}",
        )

    if status is Status.STARTTLS_UNAVAILABLE:
        return (
            f"Port {port} does not offer encryption",
            f"The server on port {port} did not offer to switch to an encrypted connection "
            "(STARTTLS), so the wizard stopped before sending the password. Something on the "
            "network may be removing encryption (some antivirus programs and firewalls do). "
            f"{ios.WITHOUT_SSL.text} on the iPhone, answer No.{fallback}",
        )

    if status is Status.AUTH_FAILED:
        return _auth_advice(endpoint, reply, context)

    return (
        "Unexpected answer from the server",
        f"{host} on port {port} did not behave as a mail server should{because}. This can "
        f"be a short problem at {name}, or something on the network interfering. Try again "
        f"in a few minutes.{fallback}",
    )


def _auth_advice(endpoint: Endpoint, reply: str | None, context: Context) -> tuple[str, str]:
    name = context.provider_name
    kind = _reply_kind(reply)
    said = f" The server said: \u201c{reply.rstrip('.')}\u201d." if reply else ""
    if kind == "too_many":
        return (
            "Too many connections to this mailbox",
            f"{name} refused the login because too many devices or apps are connected to the "
            "mailbox at once." + said + " Close mail on other devices (or remove old accounts "
            "in the iPhone's Mail settings), wait a few minutes, then try again.",
        )
    if kind == "unavailable":
        return (
            f"{name} is temporarily unavailable",
            f"{name} could not check the login right now." + said + " This is on the server's "
            "side and usually passes: try again in a few minutes.",
        )
    if kind == "in_use":
        return (
            "The mailbox is in use by another device",
            "Another device or program is downloading this mailbox over POP3 right now."
            + said
            + " Close mail on that device, wait a minute, then try again.",
        )
    alert = ""
    if kind == "alert":
        alert = f" {name} sent an alert with its refusal; read it carefully:" + said
        said = ""
    if kind is None:
        said = ""  # the reply is shown on its own line next to the advice
    checklist = _mailcom_checklist(context) if context.mailcom else _checklist(endpoint, context)
    return (
        f"{name} refused the login",
        f"{endpoint.protocol.label} on port {endpoint.port} refused the address and "
        f"password.{alert}{said}\n{checklist}",
    )


def _mailcom_checklist(context: Context) -> str:
    """Every cause mail.com's refusal may stand for, with mail.com's own names and menus."""
    # A refusal may not say whether the password or the access switch is the cause (as at
    # mail.com's sister service GMX), so every cause is listed (facts: mailcom.same-reply).
    return (
        f"{mailcom.SAME_REPLY.text}, so please check each:\n"
        f"1. {mailcom.ACCESS_SWITCH_NEEDED.capitalized}: in mail.com webmail, "
        f"{mailcom.ACCESS_SWITCH_PATH.text} and allow access there, then save (help: "
        f"{mailcom.ACCESS_SWITCH_HELP.text}). It is {mailcom.PREMIUM.text}.\n"
        f"2. If {mailcom.TWO_FACTOR.text} is on, your normal password will not work here: "
        f"create an application-specific password ({mailcom.APP_PASSWORD_PATH.text}) and use "
        f"that; {mailcom.APP_PASSWORD_ONCE.text}, so type it in right away.\n"
        f"3. The user name must be the full address, {context.email} (the wizard uses it).\n"
        "4. The password is right: check Caps Lock and the keyboard layout, and try logging "
        "in at www.mail.com. If webmail asks you to confirm something, do that first."
    )


def _checklist(endpoint: Endpoint, context: Context) -> str:
    """The causes of a refused login at any provider: nothing here is mail.com's."""
    name = context.provider_name
    return (
        "A refusal can have several causes, so please check each:\n"
        "1. The password is right: check Caps Lock and the keyboard layout, and try logging "
        f"in to {name}'s webmail.\n"
        f"2. If two-factor authentication is on, {name} may require an app-specific "
        f"password for mail apps: look for one in {name}'s security settings.\n"
        f"3. The wizard logs in as {endpoint.username(context.email)}; check that {name} "
        "expects this user name.\n"
        f"4. {name} may require mail apps (IMAP or POP access) to be allowed in its web "
        "settings first."
    )
