"""The configuration profile: Apple's schema, stable identifiers, signing, safe writing."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
import plistlib
import stat
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.builders import CHECKED, PASSWORD, settings
from tests.pki import Pki, openssl_verify
from tests.schema_validator import validate_profile
from wizard.core.errors import ProfileWriteError, SigningError, WriteProblem
from wizard.core.files import write_file
from wizard.core.models import Auth, IncomingChoice
from wizard.core.profile import build_profile, profile_identifier
from wizard.core.signing import sign_profile


def mail_payload(profile: dict[str, Any]) -> dict[str, Any]:
    (payload,) = profile["PayloadContent"]
    assert isinstance(payload, dict)
    return payload


# --- the profile against Apple's schema -------------------------------------------------

EXPORTS = {
    "imap": (settings(IncomingChoice.IMAP), None),
    "pop": (settings(IncomingChoice.POP), None),
    "imap-587-fallback": (settings(IncomingChoice.IMAP, smtp_port=587), None),
    "pop-587-fallback": (settings(IncomingChoice.POP, smtp_port=587), None),
    "imap-with-password": (settings(IncomingChoice.IMAP), PASSWORD),
    "pop-with-password": (settings(IncomingChoice.POP, smtp_port=587), PASSWORD),
    "unverified": (settings(verified=False), None),
    # STARTTLS incoming (143 and 110): iOS has no separate switch, UseSSL must still be on.
    "imap-143-starttls": (settings(IncomingChoice.IMAP, incoming_port=143), None),
    "pop-110-starttls": (settings(IncomingChoice.POP, incoming_port=110, smtp_port=587), None),
    "cram-md5": (settings(auth=Auth.CRAM_MD5), None),
    "no-name": (dataclasses.replace(settings(), name=""), None),
}


@pytest.mark.parametrize("case", sorted(EXPORTS))
def test_every_export_passes_apples_schema(case: str) -> None:
    mail_settings, password = EXPORTS[case]
    data = build_profile(mail_settings, password=password, now=CHECKED)
    profile = plistlib.loads(data)
    assert validate_profile(profile) == []

    payload = mail_payload(profile)
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadVersion"] == 1
    assert profile["TargetDeviceType"] == 1
    assert payload["PayloadType"] == "com.apple.mail.managed"
    assert payload["EmailAccountType"] == (
        "EmailTypeIMAP" if mail_settings.incoming_choice is IncomingChoice.IMAP else "EmailTypePOP"
    )
    assert payload["IncomingMailServerHostName"] == mail_settings.incoming.host
    assert payload["IncomingMailServerPortNumber"] == mail_settings.incoming.port
    assert payload["OutgoingMailServerHostName"] == "smtp.mail.com"
    assert payload["OutgoingMailServerPortNumber"] == mail_settings.outgoing.port
    assert payload["IncomingMailServerUseSSL"] is True
    assert payload["OutgoingMailServerUseSSL"] is True
    assert payload["IncomingMailServerUsername"] == "alice@mail.com"
    assert payload["OutgoingMailServerUsername"] == "alice@mail.com"
    assert payload["EmailAddress"] == "alice@mail.com"
    if mail_settings.name:
        assert payload["EmailAccountName"] == "Alice Example"
    else:  # the name recipients see: never the address in its place
        assert "EmailAccountName" not in payload
    method = {Auth.PASSWORD: "EmailAuthPassword", Auth.CRAM_MD5: "EmailAuthCRAMMD5"}
    assert payload["IncomingMailServerAuthentication"] == method[mail_settings.incoming.auth]
    assert payload["OutgoingMailServerAuthentication"] == method[mail_settings.outgoing.auth]
    assert payload["OutgoingPasswordSameAsIncomingPassword"] is True
    if password is None:
        assert "IncomingPassword" not in payload
        assert "OutgoingPassword" not in payload
        assert PASSWORD.encode() not in data
    else:
        assert payload["IncomingPassword"] == password
        assert payload["OutgoingPassword"] == password


def test_587_fallback_is_what_the_profile_carries() -> None:
    profile = plistlib.loads(build_profile(settings(smtp_port=587), now=CHECKED))
    assert mail_payload(profile)["OutgoingMailServerPortNumber"] == 587
    assert "smtp.mail.com port 587 (STARTTLS)" in profile["PayloadDescription"]


def test_description_says_what_was_verified_and_when() -> None:
    profile = plistlib.loads(build_profile(settings(), now=CHECKED))
    description = profile["PayloadDescription"]
    assert "Verified" in description
    assert "2025-03-01 12:30 UTC" in description
    assert "imap.mail.com port 993 (SSL/TLS)" in description
    assert "smtp.mail.com port 465 (SSL/TLS)" in description
    assert "asks for the password" in description


def test_unverified_profile_says_so() -> None:
    profile = plistlib.loads(build_profile(settings(verified=False), now=CHECKED))
    assert "NOT verified" in profile["PayloadDescription"]
    assert "Verified by" not in profile["PayloadDescription"]


def test_identifiers_are_stable_per_address_and_protocol() -> None:
    first = plistlib.loads(build_profile(settings(), now=CHECKED))
    # A later export with another SMTP port and a password replaces the same profile.
    later = plistlib.loads(
        build_profile(
            settings(smtp_port=587), password=PASSWORD, now=CHECKED + dt.timedelta(days=3)
        )
    )
    pop = plistlib.loads(build_profile(settings(IncomingChoice.POP), now=CHECKED))
    other = plistlib.loads(build_profile(settings(email="bob@mail.com"), now=CHECKED))
    for key in ("PayloadIdentifier", "PayloadUUID"):
        assert first[key] == later[key]
        assert mail_payload(first)[key] == mail_payload(later)[key]
        assert first[key] != pop[key]
        assert first[key] != other[key]
        assert mail_payload(first)[key] != mail_payload(pop)[key]
    assert first["PayloadIdentifier"].startswith("com.mailcom-wizard.alice-mail-com-")
    assert first["PayloadIdentifier"].endswith(".imap")


def test_addresses_differing_only_in_punctuation_get_different_identifiers() -> None:
    one = profile_identifier("a.b@mail.com", IncomingChoice.IMAP)
    two = profile_identifier("a-b@mail.com", IncomingChoice.IMAP)
    assert one != two
    assert profile_identifier("A.B@Mail.com", IncomingChoice.IMAP) == one


# --- the validator can fail ---------------------------------------------------------------


def valid_profile() -> dict[str, Any]:
    profile: dict[str, Any] = plistlib.loads(build_profile(settings(), now=CHECKED))
    assert validate_profile(profile) == []
    return profile


def test_validator_rejects_a_wrong_type() -> None:
    profile = valid_profile()
    mail_payload(profile)["IncomingMailServerPortNumber"] = "993"
    assert validate_profile(profile) == [
        "payload 0 (com.apple.mail.managed): key IncomingMailServerPortNumber should be "
        "<integer>, got str"
    ]
    profile = valid_profile()
    mail_payload(profile)["OutgoingMailServerPortNumber"] = True
    assert any("should be <integer>, got bool" in e for e in validate_profile(profile))
    profile = valid_profile()
    mail_payload(profile)["IncomingMailServerUseSSL"] = 1
    assert any("should be <boolean>, got int" in e for e in validate_profile(profile))


def test_validator_rejects_an_unknown_key() -> None:
    profile = valid_profile()
    mail_payload(profile)["IncomingMailServerPort"] = 993
    assert validate_profile(profile) == [
        "payload 0 (com.apple.mail.managed): unknown key IncomingMailServerPort"
    ]
    profile = valid_profile()
    profile["Comment"] = "x"
    assert validate_profile(profile) == ["profile: unknown key Comment"]


def test_validator_rejects_a_missing_required_key() -> None:
    profile = valid_profile()
    del mail_payload(profile)["OutgoingMailServerAuthentication"]
    assert validate_profile(profile) == [
        "payload 0 (com.apple.mail.managed): required key OutgoingMailServerAuthentication "
        "is missing"
    ]
    profile = valid_profile()
    del profile["PayloadUUID"]
    assert "profile: required key PayloadUUID is missing" in validate_profile(profile)


def test_validator_rejects_a_value_outside_the_rangelist() -> None:
    profile = valid_profile()
    mail_payload(profile)["EmailAccountType"] = "EmailTypeSMTP"
    errors = validate_profile(profile)
    assert len(errors) == 1
    assert "EmailAccountType = 'EmailTypeSMTP' is not one of" in errors[0]
    profile = valid_profile()
    profile["TargetDeviceType"] = 9
    assert len(validate_profile(profile)) == 1


def test_validator_rejects_duplicate_identifiers_and_uuids() -> None:
    profile = valid_profile()
    second = copy.deepcopy(mail_payload(profile))
    profile["PayloadContent"].append(second)
    errors = validate_profile(profile)
    assert len(errors) == 2
    assert any("PayloadIdentifier" in e and "more than once" in e for e in errors)
    assert any("PayloadUUID" in e and "more than once" in e for e in errors)


def test_validator_rejects_unknown_payloads_and_bad_formats() -> None:
    profile = valid_profile()
    profile["PayloadContent"].append({"PayloadType": "com.example.unknown"})
    assert validate_profile(profile) == [
        "payload 1: no schema for PayloadType 'com.example.unknown'"
    ]
    profile = valid_profile()
    mail_payload(profile)["SMIMESigningCertificateUUID"] = "not-a-uuid"
    (error,) = validate_profile(profile)
    assert "SMIMESigningCertificateUUID = 'not-a-uuid' does not match" in error


# --- signing ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [None, PASSWORD], ids=["no-password", "password"])
def test_signed_profile_verifies_and_carries_the_unsigned_bytes(
    pki: Pki, tmp_path: Path, password: str | None
) -> None:
    unsigned = build_profile(settings(smtp_port=587), password=password, now=CHECKED)
    cert, key = pki.leaf()
    signed = sign_profile(unsigned, cert, key, pki.ca_pem)

    assert signed[:1] == b"\x30"  # DER SEQUENCE, not PEM or S/MIME text
    assert openssl_verify(signed, pki.ca_pem, tmp_path) == unsigned
    certificates = pkcs7.load_der_pkcs7_certificates(signed)
    assert x509.load_pem_x509_certificate(cert) in certificates
    assert validate_profile(plistlib.loads(unsigned)) == []


def test_a_tampered_signature_does_not_verify(pki: Pki, tmp_path: Path) -> None:
    unsigned = build_profile(settings(), now=CHECKED)
    cert, key = pki.leaf()
    signed = bytearray(sign_profile(unsigned, cert, key))
    where = signed.find(b"imap.mail.com")
    signed[where] = ord("x")
    with pytest.raises(AssertionError, match="openssl refused"):
        openssl_verify(bytes(signed), pki.ca_pem, tmp_path)


def test_signing_refuses_a_key_of_another_certificate(pki: Pki) -> None:
    cert, _ = pki.leaf()
    _, other_key = pki.leaf()
    with pytest.raises(SigningError, match="does not belong to this private key"):
        sign_profile(b"<plist/>", cert, other_key)


def test_signing_refuses_an_expired_certificate(pki: Pki) -> None:
    cert, key = pki.leaf(days=(-60, -1))
    with pytest.raises(SigningError, match="expired on"):
        sign_profile(b"<plist/>", cert, key)


def test_signing_refuses_a_certificate_not_valid_yet(pki: Pki) -> None:
    cert, key = pki.leaf(days=(2, 30))
    with pytest.raises(SigningError, match="not valid yet"):
        sign_profile(b"<plist/>", cert, key)


def test_signing_refuses_a_certificate_without_digital_signature(pki: Pki) -> None:
    cert, key = pki.leaf(digital_signature=False)
    with pytest.raises(SigningError, match="lacks digitalSignature"):
        sign_profile(b"<plist/>", cert, key)


def test_signing_refuses_a_certificate_limited_to_other_purposes(pki: Pki) -> None:
    cert, key = pki.leaf(usages=[ExtendedKeyUsageOID.TIME_STAMPING])
    with pytest.raises(SigningError, match=r"limited to other purposes \(time stamping\)"):
        sign_profile(b"<plist/>", cert, key)


def test_signing_refuses_files_that_are_not_pem(pki: Pki) -> None:
    cert, key = pki.leaf()
    with pytest.raises(SigningError, match="not a PEM certificate"):
        sign_profile(b"<plist/>", b"hello", key)
    with pytest.raises(SigningError, match="not a PEM private key"):
        sign_profile(b"<plist/>", cert, cert)
    encrypted = serialization.load_pem_private_key(key, None).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    with pytest.raises(SigningError, match="encrypted with a passphrase"):
        sign_profile(b"<plist/>", cert, encrypted)


# --- writing ------------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_creates_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "alice.mobileconfig"
    write_file(target, b"profile", force=False, private=False)
    assert target.read_bytes() == b"profile"
    assert leftovers(tmp_path) == []
    assert stat.S_IMODE(target.stat().st_mode) & 0o077 != 0o077  # not private unless asked


def test_private_profile_is_0600(tmp_path: Path) -> None:
    target = tmp_path / "alice.mobileconfig"
    old_umask = os.umask(0)  # even a permissive umask must not widen a private file
    try:
        write_file(target, b"secret", force=False, private=True)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_private_file_is_created_private_not_chmodded_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real_open = os.open

    def recording_open(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        modes.append(mode)
        return real_open(path, flags, mode, **kwargs)

    def no_chmod(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("chmod after creation")

    monkeypatch.setattr(os, "open", recording_open)
    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(os, "fchmod", no_chmod)
    write_file(tmp_path / "p.mobileconfig", b"secret", force=False, private=True)
    assert modes == [0o600]


def test_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "alice.mobileconfig"
    target.write_bytes(b"old")
    with pytest.raises(ProfileWriteError, match="already exists") as caught:
        write_file(target, b"new", force=False, private=False)
    assert caught.value.problem is WriteProblem.EXISTS
    assert target.read_bytes() == b"old"
    write_file(target, b"new", force=True, private=True)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "alice.mobileconfig"
    with pytest.raises(ProfileWriteError, match="no-such-folder does not exist") as caught:
        write_file(target, b"x", force=True, private=False)
    assert caught.value.problem is WriteProblem.NO_FOLDER


def test_a_folder_is_not_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(ProfileWriteError, match="is a folder") as caught:
        write_file(tmp_path, b"x", force=True, private=False)
    assert caught.value.problem is WriteProblem.IS_FOLDER


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        with pytest.raises(ProfileWriteError, match="permission denied") as caught:
            write_file(folder / "p.mobileconfig", b"x", force=False, private=False)
        assert caught.value.problem is WriteProblem.NOT_WRITABLE
    finally:
        folder.chmod(0o700)


def test_a_failure_after_the_temporary_file_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "alice.mobileconfig"
    target.write_bytes(b"old")

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(ProfileWriteError, match="No space left on device") as caught:
        write_file(target, b"new", force=True, private=True)
    assert caught.value.problem is WriteProblem.FAILED
    assert target.read_bytes() == b"old"  # the old profile is intact
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice.mobileconfig"]


def test_a_file_appearing_meanwhile_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "alice.mobileconfig"
    real_fsync = os.fsync

    def someone_else_writes(fd: int) -> None:
        real_fsync(fd)
        target.write_bytes(b"theirs")

    monkeypatch.setattr(os, "fsync", someone_else_writes)
    with pytest.raises(ProfileWriteError, match="already exists"):
        write_file(target, b"ours", force=False, private=False)
    assert target.read_bytes() == b"theirs"
    assert leftovers(tmp_path) == []


def test_an_ordinary_rsa_tls_certificate_can_sign(tmp_path: Path) -> None:
    # Like a Let's Encrypt certificate: RSA, serverAuth/clientAuth, issued by an intermediate.
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    intermediate = ca.create_child_ca(key_type=trustme.KeyType.RSA)
    leaf = intermediate.issue_cert("profiles.example.org", key_type=trustme.KeyType.RSA)
    unsigned = build_profile(settings(IncomingChoice.POP), now=CHECKED)
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems[1:])
    signed = sign_profile(
        unsigned, leaf.cert_chain_pems[0].bytes(), leaf.private_key_pem.bytes(), chain
    )
    assert openssl_verify(signed, ca.cert_pem.bytes(), tmp_path) == unsigned
    # Without the intermediate in the signature, the chain to the root cannot be built.
    bare = sign_profile(unsigned, leaf.cert_chain_pems[0].bytes(), leaf.private_key_pem.bytes())
    with pytest.raises(AssertionError, match="openssl refused"):
        openssl_verify(bare, ca.cert_pem.bytes(), tmp_path)
