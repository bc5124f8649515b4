"""The protocol sessions against the real Dovecot and Postfix, and against silent fakes.

Each session tells the phases it goes through, so a time limit that runs out is named by
where it stopped: the TLS handshake (``securing``) or the server's silence once connected
and secured (``greeting``). The check turns those into ``tls_stalled`` and
``server_silent``.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.testbed import FaultListeners, Testbed
from wizard.core.models import Endpoint, Phase, Protocol, Security
from wizard.core.probes import open_mail_session
from wizard.core.tls import make_tls_context

PROTOCOLS = [Protocol.IMAP, Protocol.POP3, Protocol.SMTP]


async def _phases(endpoint: Endpoint, cafile: str, limit: float = 5.0) -> list[Phase]:
    """The phases an opening session goes through, until it is open or ``limit`` runs out."""
    phases: list[Phase] = []
    context = make_tls_context(cafile)
    try:
        async with asyncio.timeout(limit):
            session = await open_mail_session(endpoint, context, phases.append)
    except TimeoutError:
        return phases
    await session.close()
    return phases


def _real(testbed: Testbed, protocol: Protocol, security: Security) -> Endpoint:
    if protocol is Protocol.SMTP:
        testbed.require_postfix()
    return {
        (Protocol.IMAP, Security.SSL): testbed.imap_ssl,
        (Protocol.IMAP, Security.STARTTLS): testbed.imap_starttls,
        (Protocol.POP3, Security.SSL): testbed.pop3_ssl,
        (Protocol.POP3, Security.STARTTLS): testbed.pop3_starttls,
        (Protocol.SMTP, Security.SSL): testbed.smtp_ssl,
        (Protocol.SMTP, Security.STARTTLS): testbed.smtp_starttls,
    }[protocol, security]


@pytest.mark.servers
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_session_tells_each_phase_it_enters(testbed: Testbed, protocol: Protocol) -> None:
    implicit = await _phases(_real(testbed, protocol, Security.SSL), testbed.cafile)
    assert implicit == [Phase.CONNECTING, Phase.SECURING, Phase.GREETING]
    upgraded = await _phases(_real(testbed, protocol, Security.STARTTLS), testbed.cafile)
    assert upgraded == [Phase.CONNECTING, Phase.GREETING, Phase.SECURING, Phase.GREETING]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_where_a_session_stalls_is_the_last_phase_it_told(
    faults: FaultListeners, protocol: Protocol
) -> None:
    cafile = str(faults.certificates.cafile)
    stalls = {
        # The handshake never answered: still securing.
        Phase.SECURING: [faults.stall_tls.endpoint(protocol, Security.SSL)],
        # Connected (and secured, where TLS comes first), then nothing: greeting.
        Phase.GREETING: [
            faults.silent.endpoint(protocol, Security.STARTTLS),
            faults.scripted("mute", protocol, Security.SSL, mute="greeting").endpoint(),
            faults.scripted(
                "mute_after_tls", protocol, Security.STARTTLS, mute="after_tls"
            ).endpoint(),
        ],
    }
    for last, endpoints in stalls.items():
        for endpoint in endpoints:
            phases = await _phases(endpoint, cafile, limit=1.0)
            assert phases and phases[-1] is last, (endpoint, phases)
