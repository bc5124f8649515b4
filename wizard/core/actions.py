"""The one thing to do first about a failed attempt, in one sentence a user can act on.

The advice (``diagnosis.describe``) explains; the action leads. Screens show it first, above
everything else, so the fix is visible at 80x24 without scrolling: it names the problem in
plain words, then the action ("mail.com refused the password: retype it, or ...").
"""

from __future__ import annotations

from wizard.core.diagnosis import Context, refusal_kind
from wizard.core.facts import mailcom
from wizard.core.models import Endpoint, Status


def action_for(endpoint: Endpoint, status: Status, *, reply: str | None, context: Context) -> str:
    """The sentence to show first for one attempt; empty for an attempt that worked."""
    name = context.provider_name
    port = endpoint.port
    if status is Status.OK:
        return ""
    if context.fallback is not None:
        return (
            f"Port {port} does not work on this network, but port {context.fallback.port} "
            "does and is used instead: nothing to do."
        )
    if status is Status.AUTH_FAILED:
        return _refused(reply, context)
    if status is Status.DNS_FAILED:
        if context.everything_failed_alike:
            return (
                f"This computer cannot reach {name}: check its internet connection (Wi-Fi or "
                "cable), then retry."
            )
        return f"{endpoint.host} cannot be found: check its spelling, or try another network."
    if status in (Status.TIMEOUT, Status.CONNECTION_REFUSED):
        if context.everything_failed_alike:
            return (
                f"None of {name}'s servers answered: check this computer's internet "
                "connection, or try another network (for example your phone's hotspot)."
            )
        return (
            f"Port {port} is blocked on this network: try another network (for example your "
            "phone's hotspot), or turn off a firewall that blocks mail."
        )
    if status is Status.CERTIFICATE_UNTRUSTED:
        return (
            "Something on this network intercepts the connection: turn off the antivirus's "
            "email scanning or the VPN, or try another network."
        )
    if status is Status.CERTIFICATE_EXPIRED:
        return (
            "The server's certificate is out of date: check this computer's date and time; "
            "if they are right, try another network."
        )
    if status is Status.CERTIFICATE_HOSTNAME_MISMATCH:
        return (
            "This network redirects mail connections to another server: try another network "
            "(for example your phone's hotspot)."
        )
    if status is Status.STARTTLS_UNAVAILABLE:
        return (
            "Something on this network removes encryption from mail connections: try another "
            "network, and never set the iPhone up without SSL."
        )
    if status is Status.TLS_FAILED:
        return (
            "Something interferes with encrypted connections: turn off the antivirus's email "
            "scanning or the VPN, or try another network."
        )
    return f"{name}'s server answered in an unexpected way: try again in a few minutes."


def _refused(reply: str | None, context: Context) -> str:
    """A refused login: what the server's words point to, or the usual causes."""
    name = context.provider_name
    kind = refusal_kind(reply)
    if kind == "too_many":
        return (
            "Too many devices are connected to this mailbox: close mail on the others, wait "
            "a few minutes, then retry."
        )
    if kind == "unavailable":
        return f"{name} could not check the login just now: try again in a few minutes."
    if kind == "in_use":
        return (
            "Another device is downloading this mailbox: close mail there, wait a minute, "
            "then retry."
        )
    if context.mailcom:
        # The refusal may also mean the access switch is off (facts: mailcom.same-reply).
        return (
            f"{name} refused the password: retype it, or switch on POP3 & IMAP access in "
            f"mail.com's web settings ({mailcom.ACCESS_SWITCH_PATH.text})."
        )
    return (
        f"{name} refused the password: retype it, or check that {name} allows mail apps "
        "(IMAP or POP access) for this account."
    )
