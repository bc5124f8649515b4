"""Shared fixtures: the loopback mail test bed (Dovecot, Postfix, fault listeners).

- ``testbed`` (session): running servers; see ``tests/testbed/bed.py`` for attributes.
- ``faults`` (per test): the fault listeners, with recorded commands cleared; they need no
  installed server, so fault tests run everywhere.
- ``testbed_certificates`` (session): the test CA and certificates.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The test bed is imported as ``tests.testbed`` everywhere (also by the benchmarks), so the
# repository root must be importable however pytest was started.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.testbed import (  # noqa: E402
    FaultListeners,
    Testbed,
    TestCertificates,
    make_certificates,
    missing_binaries,
    server_unavailable,
    start_testbed,
)


@pytest.fixture(scope="session")
def testbed_certificates(tmp_path_factory: pytest.TempPathFactory) -> TestCertificates:
    """The throwaway test CA, the server certificate and the bad certificates."""
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def fault_listeners(testbed_certificates: TestCertificates) -> Iterator[FaultListeners]:
    """Every fault listener, for the whole session (always closed at the end)."""
    listeners = FaultListeners(testbed_certificates)
    try:
        yield listeners
    finally:
        listeners.close()


@pytest.fixture
def faults(fault_listeners: FaultListeners) -> FaultListeners:
    """The fault listeners, with what the recording fakes saw cleared for this test."""
    fault_listeners.reset()
    return fault_listeners


@pytest.fixture(scope="session")
def testbed(
    testbed_certificates: TestCertificates, fault_listeners: FaultListeners
) -> Iterator[Testbed]:
    """Dovecot (and, as root, Postfix) on loopback for the whole session.

    Missing server programs fail the run under CI and skip elsewhere; either way the
    message says to run scripts/test.sh, which installs them.
    """
    missing = missing_binaries()
    if missing:
        message = (
            f"the mail test bed needs {', '.join(missing)}: run scripts/test.sh, which "
            "installs dovecot-imapd, dovecot-pop3d, dovecot-lmtpd and postfix"
        )
        server_unavailable(message)
    bed = start_testbed(testbed_certificates, fault_listeners)
    try:
        yield bed
    finally:
        bed.stop()
