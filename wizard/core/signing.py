"""Signing a configuration profile: CMS SignedData, DER, content attached. The certificate and
key are checked *before* signing, so the user gets one clear sentence, not an OpenSSL error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID

from wizard.core.errors import FileReadError, SigningError
from wizard.core.files import read_limited
from wizard.core.text import clean_line

#: Apple accepts profiles signed with ordinary TLS certificates (Let's Encrypt, say), so
#: serverAuth and clientAuth count, as do the signing purposes proper.
_SIGNING_USAGES = {
    ExtendedKeyUsageOID.SERVER_AUTH,
    ExtendedKeyUsageOID.CLIENT_AUTH,
    ExtendedKeyUsageOID.CODE_SIGNING,
    ExtendedKeyUsageOID.EMAIL_PROTECTION,
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}
#: Every usage cryptography names, in words ("time stamping"), for the message refusing one.
_USAGE_NAMES = {
    oid: name.lower().replace("_", " ")
    for name, oid in vars(ExtendedKeyUsageOID).items()
    if isinstance(oid, x509.ObjectIdentifier)
}
#: Larger than any certificate, key or chain a signer uses (a long chain is a few KiB).
MAX_PEM_BYTES = 1024 * 1024
_Extension = TypeVar("_Extension", bound=x509.ExtensionType)
_PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def read_pem_file(path: str | Path, what: str) -> bytes:
    """The bytes of a PEM file, or SigningError naming ``what`` (e.g. "certificate")."""
    try:
        return read_limited(path, MAX_PEM_BYTES, f"The {what} file")
    except FileReadError as exc:
        raise SigningError(str(exc)) from None


def load_certificate(pem: bytes) -> x509.Certificate:
    """The first certificate in ``pem``, or SigningError."""
    return _load_certificates(pem, "certificate")[0]


def _load_certificates(pem: bytes, what: str) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise SigningError(
            f"The {what} file is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line)."
        )
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise SigningError(f"The {what} file holds a damaged PEM certificate.") from None


def load_private_key(pem: bytes) -> _PrivateKey:
    """An unencrypted RSA or EC private key from ``pem``, or SigningError."""
    if b"-----BEGIN" not in pem or b"PRIVATE KEY-----" not in pem:
        raise SigningError(
            "The key file is not a PEM private key (no '-----BEGIN … PRIVATE KEY-----' line)."
        )
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:  # protected by a passphrase, which we never ask for
        raise SigningError(
            "The private key is encrypted with a passphrase. Save an unencrypted copy "
            "(for example: openssl pkey -in key.pem -out plain-key.pem) and use that."
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError("The key file holds a damaged or unsupported private key.") from None
    if not isinstance(key, _PrivateKey):
        raise SigningError(
            f"The private key is of a kind that cannot sign profiles "
            f"({type(key).__name__}); use an RSA or EC key."
        )
    return key


def check_signer(
    certificate: x509.Certificate, key: _PrivateKey, *, now: dt.datetime | None = None
) -> None:
    """Raise SigningError if ``certificate`` and ``key`` cannot sign a profile right now."""
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if certificate.public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
        raise SigningError(
            "The certificate does not belong to this private key "
            "(they were made for different key pairs)."
        )
    moment = now or dt.datetime.now(dt.UTC)
    subject = clean_line(certificate.subject.rfc4514_string()) or "(no subject)"
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if moment < start:
        raise SigningError(
            f"The certificate for {subject} is not valid yet: it starts on "
            f"{start:%Y-%m-%d %H:%M} UTC."
        )
    if moment > end:
        raise SigningError(f"The certificate for {subject} expired on {end:%Y-%m-%d %H:%M} UTC.")
    usage = _extension(certificate, x509.KeyUsage)
    if usage is not None and not usage.digital_signature:
        raise SigningError(
            f"The certificate for {subject} may not make signatures: its Key Usage lacks "
            "digitalSignature."
        )
    extended = _extension(certificate, x509.ExtendedKeyUsage)
    if extended is not None and not _SIGNING_USAGES.intersection(extended):
        names = ", ".join(_USAGE_NAMES.get(oid, oid.dotted_string) for oid in extended)
        raise SigningError(
            f"The certificate for {subject} is limited to other purposes ({names}); "
            "profile signing needs one that allows TLS, e-mail or code signing."
        )


def _extension(certificate: x509.Certificate, kind: type[_Extension]) -> _Extension | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def sign_profile(
    data: bytes,
    cert_pem: bytes,
    key_pem: bytes,
    chain_pem: bytes | None = None,
    *,
    now: dt.datetime | None = None,
) -> bytes:
    """``data`` wrapped in a CMS SignedData (DER, content attached), or SigningError."""
    certificate = load_certificate(cert_pem)
    key = load_private_key(key_pem)
    check_signer(certificate, key, now=now)
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
    builder = builder.add_signer(certificate, key, hashes.SHA256())
    for extra in _load_certificates(chain_pem, "chain") if chain_pem else []:
        if extra != certificate:
            builder = builder.add_certificate(extra)
    # Not detached: iOS wants the profile inside the signature. Binary keeps the plist bytes
    # exactly as they are (no MIME line-ending changes).
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
