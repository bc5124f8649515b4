"""Shared fixtures: the loopback mail test bed (Dovecot, Postfix, fault listeners).

- ``testbed`` (session): running servers; see ``tests/testbed/bed.py`` for attributes.
- ``faults`` (per test): the fault listeners, with recorded commands cleared; they need no
  installed server, so fault tests run everywhere.
- ``testbed_certificates`` (session): the test CA and certificates.
- ``stdin_password``: standard input holding ``tests.builders.CLI_PASSWORD``, as with
  ``printf '%s\\n' "$PW" | mailcom-wizard ...``.
- ``profile_path``, ``profile``: a verified profile written in the test's folder, and as
  the hand-off loads it (``tests/serving.py`` writes it).
- ``pki`` (session): a throwaway CA issuing profile-signing certificates (``tests/pki.py``).
- ``dual_stack`` (session): the bed's servers also under a name whose IPv6 address (::1)
  drops every connection attempt; needs root and nft.
- ``memory_keyring``: a real keyring backend keeping secrets in memory (returned), the
  process-wide choice restored afterwards.
- ``no_keyring``: no system keyring for the test (keyring's "fail" backend), the
  process-wide choice restored afterwards; a module uses it for every test with
  ``pytestmark = pytest.mark.usefixtures("no_keyring")``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

# The test bed is imported as ``tests.testbed`` everywhere (also by the benchmarks), so the
# repository root must be importable however pytest was started.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.builders import CLI_PASSWORD  # noqa: E402
from tests.keyring_backends import MemoryKeyring  # noqa: E402
from tests.pki import Pki  # noqa: E402
from tests.serving import write_profile  # noqa: E402
from tests.testbed import (  # noqa: E402
    DualStack,
    FaultListeners,
    Testbed,
    TestCertificates,
    make_certificates,
    missing_binaries,
    missing_prerequisite,
    server_unavailable,
    start_testbed,
)
from wizard.core.export import ExportedProfile  # noqa: E402
from wizard.core.handoff.profile_file import load_profile_file  # noqa: E402


@pytest.fixture(scope="session")
def testbed_certificates(tmp_path_factory: pytest.TempPathFactory) -> TestCertificates:
    """The throwaway test CA, the server certificate and the bad certificates."""
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def stdin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input holding the command-line tests' password."""
    monkeypatch.setattr("sys.stdin", io.StringIO(CLI_PASSWORD + "\n"))


@pytest.fixture(scope="session")
def pki() -> Pki:
    """A throwaway CA for signing profiles, shared by the session."""
    return Pki()


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


@pytest.fixture(scope="session")
def dual_stack(testbed: Testbed) -> Iterator[DualStack]:
    """The bed's servers under a name that resolves to ::1 first, where every connection
    attempt to their ports is silently dropped, and to 127.0.0.2, where they answer.

    Needs root and nft: a missing one fails the run under CI and skips elsewhere. The
    hosts entry and the nftables table are removed at the end (or by the next run).
    """
    reason = missing_prerequisite()
    if reason is not None:
        server_unavailable(reason)
    ports = list(testbed.dovecot.ports)
    if testbed.postfix is not None:
        ports += testbed.postfix.ports
    with DualStack() as stack:
        stack.drop_syn("::1", ports)
        yield stack


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A real keyring backend that keeps secrets in memory, for this test only."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No system keyring for this test; the process-wide choice is restored afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    """A verified profile for someone@mail.com, written in ``tmp_path``."""
    return write_profile(tmp_path / "someone@mail.com.mobileconfig")


@pytest.fixture
def profile(profile_path: Path) -> ExportedProfile:
    """That profile, as the hand-off loads it."""
    return load_profile_file(profile_path)
