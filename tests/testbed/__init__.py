"""The test bed: real Dovecot and Postfix on loopback, fault listeners, a delay proxy.

Fixtures (tests/conftest.py):

- ``testbed`` (session, mark tests ``@pytest.mark.servers``): a ``Testbed``.
  ``cafile`` (str), ``client_context()``, ``host`` ("127.0.0.2"), the endpoints
  ``imap_ssl``, ``imap_starttls``, ``pop3_ssl``, ``pop3_starttls``, ``smtp_ssl``,
  ``smtp_starttls`` (``Endpoint``; the SMTP ones need Postfix: call
  ``require_postfix()`` first), ``real_imap``/``real_pop3``/``real_smtp`` (tuples),
  users ``alice``, ``bob``, ``imaponly``, ``keeper`` (``MailUser``: ``.email``,
  ``.password``, ``.account(incoming)``), ``provider_file(folder, imap=, pop3=, smtp=) ->
  Path``, ``provider(...) -> Provider``, ``inbox_subjects(user) -> list[str]``,
  ``inbox(user)`` (subjects and flags), ``fill_inbox(user, [(subject, flags)])``,
  ``imap(user)`` (an imaplib session), ``faults``,
  ``dovecot.log``, ``postfix.log``.
- ``faults`` (per test, no servers needed): a ``FaultListeners`` with recordings cleared.
  ``silent``, ``stall_tls``, ``closed_port`` (``Listener``: ``.port``,
  ``.endpoint(protocol, security)``), ``dns_host``, ``close_after_greeting(protocol)``,
  ``no_starttls(protocol)`` / ``smtp_no_starttls`` / ``imap_no_starttls`` /
  ``pop3_no_starttls``, ``bad_certificate("untrusted" | "expired" | "wrong_host",
  protocol, security)``, ``hostile(protocol, security)`` (escape sequences in every
  answer: ``HOSTILE_WORDS``), ``stall_login(protocol)``, ``old_tls(protocol)`` (TLS 1.1
  at most); each a ``FakeMailServer``: ``.listener``, ``.endpoint()``, ``.commands``,
  ``.verbs``, ``.saw_login``, ``.connections``.
- ``testbed_certificates`` (session): the CA and certificates.
- ``dual_stack`` (session, needs root and nft): a ``DualStack`` whose ``host``
  (``DUAL_STACK_HOST``) resolves to ``::1``, where SYNs to the bed's ports are dropped,
  and to ``127.0.0.2``, where the bed's servers answer; ``drop_syn(address, ports)``.

``DelayProxy(host, port, delay)`` (``with`` or ``start()``/``stop()``) adds latency.
"""

from __future__ import annotations

from .bed import ALICE, BOB, DOMAINS, IMAPONLY, KEEPER, Testbed, start_testbed
from .certs import (
    DUAL_STACK_HOST,
    INTERCEPTOR_NAME,
    WRONG_HOST,
    TestCertificates,
    make_certificates,
)
from .dualstack import DualStack, DualStackUnavailable, missing_prerequisite
from .faults import (
    DNS_FAILURE_HOST,
    FAKE_CLAIM,
    HOSTILE_WORDS,
    FakeMailServer,
    FaultListeners,
    Listener,
)
from .proxy import DelayProxy
from .servers import MailUser, TestbedError, missing_binaries, server_unavailable, under_ci

__all__ = [
    "ALICE",
    "BOB",
    "DNS_FAILURE_HOST",
    "DOMAINS",
    "DUAL_STACK_HOST",
    "FAKE_CLAIM",
    "HOSTILE_WORDS",
    "IMAPONLY",
    "INTERCEPTOR_NAME",
    "KEEPER",
    "WRONG_HOST",
    "DelayProxy",
    "DualStack",
    "DualStackUnavailable",
    "FakeMailServer",
    "FaultListeners",
    "Listener",
    "MailUser",
    "TestCertificates",
    "Testbed",
    "TestbedError",
    "make_certificates",
    "missing_binaries",
    "missing_prerequisite",
    "server_unavailable",
    "start_testbed",
    "under_ci",
]
