"""The test bed: real Dovecot and Postfix on loopback, fault listeners, a delay proxy.

Used through the fixtures in ``tests/conftest.py`` (``testbed``, ``faults``); see
``bed.Testbed`` for the attributes.
"""

from __future__ import annotations

from .bed import ALICE, BOB, DOMAINS, IMAPONLY, Testbed, start_testbed
from .certs import INTERCEPTOR_NAME, WRONG_HOST, TestCertificates, make_certificates
from .faults import DNS_FAILURE_HOST, FakeMailServer, FaultListeners, Listener
from .proxy import DelayProxy
from .servers import MailUser, TestbedError, missing_binaries

__all__ = [
    "ALICE",
    "BOB",
    "DNS_FAILURE_HOST",
    "DOMAINS",
    "IMAPONLY",
    "INTERCEPTOR_NAME",
    "WRONG_HOST",
    "DelayProxy",
    "FakeMailServer",
    "FaultListeners",
    "Listener",
    "MailUser",
    "TestCertificates",
    "Testbed",
    "TestbedError",
    "make_certificates",
    "missing_binaries",
    "start_testbed",
]
