"""TLS settings and certificate details: always verified (system store, plus ``--cafile``
or ``SSL_CERT_FILE``), the host name always checked, TLS 1.2 the floor."""

from __future__ import annotations

import os
import re
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from wizard.core.errors import FileReadError, TLSConfigError
from wizard.core.files import MAX_CA_BYTES, read_limited
from wizard.core.models import CertificateInfo
from wizard.core.text import clean_line


def make_tls_context(cafile: str | None = None) -> ssl.SSLContext:
    """A verifying client context: system CAs, then the extra CA file, TLS 1.2 or newer."""
    environment_file = os.environ.get("SSL_CERT_FILE")
    if environment_file:
        # OpenSSL reads it too while loading the system CAs, and would wait forever on a pipe.
        _read_ca_file(environment_file)
    context = _client_context()
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    extra = cafile or environment_file
    if extra:
        # As text read with a limit, not a path OpenSSL would read without one.
        pem = _PEM_CERTIFICATE.findall(_read_ca_file(extra))
        if not pem:
            raise TLSConfigError(
                f"CA file {extra} cannot be used: it holds no PEM certificate "
                "('-----BEGIN CERTIFICATE-----')."
            )
        try:
            context.load_verify_locations(cadata=b"\n".join(pem).decode("ascii"))
        except (ssl.SSLError, ValueError) as exc:
            raise TLSConfigError(
                f"CA file {extra} cannot be used (not PEM certificates?): {exc}"
            ) from None
    return context


# One PEM certificate block (a bundle's comments around them left out).
_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*-----END CERTIFICATE-----"
)


def _read_ca_file(path: str) -> bytes:
    try:
        return read_limited(path, MAX_CA_BYTES, "CA file")
    except FileReadError as exc:
        raise TLSConfigError(str(exc)) from None


def certificate_probe_context() -> ssl.SSLContext:
    """Accepts any certificate, only to READ one after a verifying handshake failed (on a
    connection that never sends credentials): who issued it (an antivirus, a proxy)."""
    context = _client_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _client_context() -> ssl.SSLContext:
    """Client defaults with a TLS 1.2 floor, set: a platform may still allow TLS 1.0 and 1.1."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def certificate_info(der: bytes) -> CertificateInfo | None:
    """Subject, issuer, validity and fingerprint of a DER certificate (None if unreadable)."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    # The names are the server's words: cleaned like its replies.
    return CertificateInfo(
        subject=clean_line(cert.subject.rfc4514_string()) or "(empty)",
        issuer=clean_line(cert.issuer.rfc4514_string()) or "(empty)",
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    )
