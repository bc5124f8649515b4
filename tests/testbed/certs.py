"""Throwaway certificates for the test bed: a trusted test CA, and the bad certificates.

Every server certificate names ``localhost``, ``127.0.0.1``, ``127.0.0.2`` (where the real
servers listen), ``::1`` and the dual-stack test name (dualstack.py), so a client may
connect by any of them and still pass its host name check; only the ``wrong_host``
certificate names something else on purpose.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

#: The name that resolves to a dead IPv6 address and a working IPv4 one (dualstack.py).
DUAL_STACK_HOST = "dualstack.mailcom-wizard.test"

#: The names every good server certificate covers.
SERVER_NAMES = ("localhost", "127.0.0.1", "127.0.0.2", "::1", DUAL_STACK_HOST)

#: What an antivirus "mail shield" that intercepts TLS calls its root; the diagnosis
#: code recognises interception by an issuer like this one.
INTERCEPTOR_NAME = "Avast Web/Mail Shield Root"

#: The name the wrong-host certificate is issued for.
WRONG_HOST = "wrong.example"


@dataclass(frozen=True)
class CertPair:
    """A certificate chain and its key, as PEM files on disk."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context presenting this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert), str(self.key))
        return context


@dataclass(frozen=True)
class TestCertificates:
    """The test CA (``cafile``) and every certificate the bed presents."""

    __test__ = False  # not a pytest test class, despite the name

    cafile: Path
    server: CertPair
    untrusted: CertPair
    expired: CertPair
    wrong_host: CertPair

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts the test CA only."""
        return ssl.create_default_context(cafile=str(self.cafile))


def _write(leaf: trustme.LeafCert, folder: Path, name: str) -> CertPair:
    cert = folder / f"{name}.pem"
    key = folder / f"{name}.key"
    leaf.private_key_pem.write_to_path(str(key))
    key.chmod(0o644)  # Dovecot reads it as root, Postfix as root: readable is fine here
    # Chain file: the leaf first, then the issuing CA, as servers send it.
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    return CertPair(cert=cert, key=key)


def make_certificates(folder: Path) -> TestCertificates:
    """Create the test CA and all certificates under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="mailcom-wizard test bed")
    cafile = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(cafile))

    interceptor = trustme.CA(
        organization_name="AVAST Software s.r.o.", organization_unit_name=INTERCEPTOR_NAME
    )
    now = dt.datetime.now(dt.UTC)
    return TestCertificates(
        cafile=cafile,
        server=_write(ca.issue_cert(*SERVER_NAMES), folder, "server"),
        untrusted=_write(interceptor.issue_cert(*SERVER_NAMES), folder, "untrusted"),
        expired=_write(
            ca.issue_cert(
                *SERVER_NAMES,
                not_before=now - dt.timedelta(days=400),
                not_after=now - dt.timedelta(days=35),
            ),
            folder,
            "expired",
        ),
        wrong_host=_write(ca.issue_cert(WRONG_HOST), folder, "wrong-host"),
    )
