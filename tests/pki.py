"""A throwaway CA issuing profile-signing certificates with chosen flaws, and
``openssl cms -verify`` as the independent judge of a signature."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class Pki:
    """A throwaway CA and helpers to issue leaf certificates with chosen flaws."""

    def __init__(self) -> None:
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Profile CA")])
        now = dt.datetime.now(dt.UTC)
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.ca_key, hashes.SHA256())
        )

    def leaf(
        self,
        *,
        days: tuple[int, int] = (-1, 30),
        digital_signature: bool = True,
        usages: list[x509.ObjectIdentifier] | None = None,
    ) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) for a signer valid from now+days[0] to now+days[1]."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Profile Signer")]))
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0]))
            .not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=digital_signature,
                    content_commitment=False,
                    key_encipherment=not digital_signature,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage(usages or [ExtendedKeyUsageOID.SERVER_AUTH]),
                critical=False,
            )
        )
        cert = builder.sign(self.ca_key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key_pem(key)

    @property
    def ca_pem(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def openssl_verify(signed: bytes, ca_pem: bytes, tmp_path: Path) -> bytes:
    """The signed content, if ``openssl cms -verify`` accepts the signature (else it raises)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    (tmp_path / "signed.der").write_bytes(signed)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    result = subprocess.run(
        [
            openssl,
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "signed.der"),
            "-CAfile",
            str(tmp_path / "ca.pem"),
            # The signer here carries serverAuth like a real TLS certificate; openssl's
            # default purpose (S/MIME signing) would refuse it, iOS does not.
            "-purpose",
            "any",
            "-out",
            str(tmp_path / "content.plist"),
        ],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError("openssl refused the signature: " + result.stderr.decode())
    return (tmp_path / "content.plist").read_bytes()
