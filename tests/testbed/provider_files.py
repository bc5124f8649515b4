"""Autoconfig (clientConfig) files for the test bed's servers: what the tests hand to
``--provider``, written the way Thunderbird's ISPDB writes them."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from wizard.core.models import Auth, Endpoint, Protocol, Security

#: The file's word for each login method (``<authentication>``).
_AUTHENTICATION = {Auth.PASSWORD: "password-cleartext", Auth.CRAM_MD5: "password-encrypted"}


def render_provider(
    provider_id: str,
    domains: list[str],
    endpoints: list[Endpoint],
    *,
    display_name: str | None = None,
) -> str:
    """An autoconfig document listing ``endpoints`` in this order."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<clientConfig version="1.1">',
        f"  <emailProvider id={quoteattr(provider_id)}>",
        *(f"    <domain>{escape(domain)}</domain>" for domain in domains),
        f"    <displayName>{escape(display_name or provider_id)}</displayName>",
    ]
    for endpoint in endpoints:
        outgoing = endpoint.protocol is Protocol.SMTP
        tag = "outgoingServer" if outgoing else "incomingServer"
        socket_type = "SSL" if endpoint.security is Security.SSL else "STARTTLS"
        lines += [
            f'    <{tag} type="{endpoint.protocol.value}">',
            f"      <hostname>{escape(endpoint.host)}</hostname>",
            f"      <port>{endpoint.port}</port>",
            f"      <socketType>{socket_type}</socketType>",
            f"      <username>{escape(endpoint.username_template)}</username>",
            f"      <authentication>{_AUTHENTICATION[endpoint.auth]}</authentication>",
            f"    </{tag}>",
        ]
    return "\n".join([*lines, "  </emailProvider>", "</clientConfig>", ""])
