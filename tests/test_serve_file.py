"""The profile file the hand-off offers: inspected (password, signature, verification,
practice) before anything is served, refused with one line when it is not a profile."""

from __future__ import annotations

import asyncio
import os
import plistlib
import shutil
import subprocess
import xml.sax.saxutils
from pathlib import Path

import pytest

from tests.serving import (
    PASSWORD,
    Serving,
    body,
    mail_settings,
    profile_dict,
    request,
    signed_profile_bytes,
    signer,
    write_profile,
)
from wizard.core.errors import (
    ProfileFileError,
)
from wizard.core.export import ExportedProfile, make_profile
from wizard.core.handoff.addresses import HostChoice
from wizard.core.handoff.profile_file import (
    MAX_PROFILE_BYTES,
    inspect_profile,
    load_profile_file,
)
from wizard.core.handoff.server import (
    UNVERIFIED_NOTE,
    Link,
    offer_notes,
)
from wizard.core.handoff.steps import download_steps, install_steps

# --------------------------------------------------------------------------- the file


def test_unsigned_profile_is_inspected(profile: ExportedProfile) -> None:
    assert not profile.signed
    assert not profile.contains_password
    assert profile.has_mail_payload and profile.verified and not profile.practice
    steps = " ".join(download_steps() + install_steps(profile))
    for words in ("Camera", "Safari", "Allow", "Profile Downloaded", "8 minutes", "Not Signed"):
        assert words in steps
    assert "password" in steps  # iOS will ask for it


def test_password_bearing_profile_is_flagged(tmp_path: Path) -> None:
    for key in ("IncomingPassword", "OutgoingPassword"):
        flagged = load_profile_file(
            write_profile(tmp_path / f"{key}.mobileconfig", **{key: PASSWORD})
        )
        assert flagged.contains_password, key
        assert PASSWORD not in repr(flagged)
    empty = load_profile_file(write_profile(tmp_path / "e.mobileconfig", IncomingPassword=""))
    assert not empty.contains_password


def test_binary_plist_profile_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "binary.mobileconfig"
    path.write_bytes(
        plistlib.dumps(profile_dict(IncomingPassword=PASSWORD), fmt=plistlib.FMT_BINARY)
    )
    loaded = load_profile_file(path)
    assert not loaded.signed and loaded.contains_password


def test_signed_profile_is_recognised_and_served_as_is(tmp_path: Path) -> None:
    signed = signed_profile_bytes(plistlib.dumps(profile_dict()))
    assert signed[0] == 0x30
    loaded = inspect_profile(signed, tmp_path / "signed.mobileconfig")
    assert loaded.signed and not loaded.contains_password and loaded.has_mail_payload
    assert loaded.data == signed
    assert "Not Signed" not in " ".join(download_steps() + install_steps(loaded))
    with_password = signed_profile_bytes(plistlib.dumps(profile_dict(IncomingPassword=PASSWORD)))
    assert inspect_profile(with_password, tmp_path / "p.mobileconfig").contains_password


async def test_a_signed_profile_is_served_byte_for_byte(tmp_path: Path) -> None:
    signed = signed_profile_bytes(plistlib.dumps(profile_dict()))
    async with Serving(inspect_profile(signed, tmp_path / "signed.mobileconfig")) as served:
        assert await asyncio.to_thread(body, served.url) == signed


ESCAPED = xml.sax.saxutils.escape(PASSWORD)
XML_PLIST = (
    '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
    "<key>PayloadType</key><string>Configuration</string>"
    "<key>PayloadContent</key><array><dict>"
    "<key>PayloadType</key><string>com.apple.mail.managed</string>{}"
    "</dict></array></dict></plist>"
)


@pytest.mark.parametrize(
    "content",
    [
        plistlib.dumps(profile_dict(IncomingPassword=PASSWORD), fmt=plistlib.FMT_BINARY),
        XML_PLIST.format(f"<key>Incoming&#80;assword</key><string>{ESCAPED}</string>").encode(),
        XML_PLIST.format(
            f"<key>OutgoingPassword</key><!-- a comment --><string>{ESCAPED}</string>"
        ).encode(),
        XML_PLIST.format(f"<key>IncomingPassword</key>\n\t<string>{ESCAPED}</string>").encode(),
        XML_PLIST.format(
            f"<key>OutgoingPassword</key><string>&#{ord(PASSWORD[0])};{ESCAPED[1:]}</string>"
        ).encode(),
        XML_PLIST.replace("UTF-8", "UTF-16")
        .format(f"<key>IncomingPassword</key><string>{ESCAPED}</string>")
        .encode("utf-16"),
    ],
    ids=["binary", "character-reference", "comment", "newline", "reference-value", "utf-16"],
)
def test_a_password_in_a_signed_profile_is_found_however_the_plist_is_written(
    tmp_path: Path, content: bytes
) -> None:
    """Signing does not encrypt: the content is read and inspected like an unsigned file."""
    assert plistlib.loads(content)  # a valid plist, the way iOS reads it
    assert inspect_profile(content, tmp_path / "p.mobileconfig").contains_password
    signed = inspect_profile(signed_profile_bytes(content), tmp_path / "s.mobileconfig")
    assert signed.signed and signed.contains_password


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.parametrize("stream", [False, True], ids=["der", "ber-stream"])
def test_a_profile_signed_by_openssl_is_read_der_or_ber(tmp_path: Path, stream: bool) -> None:
    """``openssl smime -stream`` writes BER: indefinite lengths, the content in pieces."""
    from cryptography.hazmat.primitives import serialization

    cert, key = signer()
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for password in ("", PASSWORD):
        content = plistlib.dumps(profile_dict(IncomingPassword=password, Pad="x" * 3000))
        (tmp_path / "p.plist").write_bytes(content)
        command = ["openssl", "smime", "-sign", "-nodetach", "-binary", "-outform", "der"]
        command += ["-signer", "cert.pem", "-inkey", "key.pem", "-in", "p.plist"]
        signed = subprocess.run(
            command + (["-stream"] if stream else []), cwd=tmp_path, capture_output=True, check=True
        ).stdout
        assert (signed[1] == 0x80) is stream  # BER's indefinite length, or DER
        loaded = inspect_profile(signed, tmp_path / "s.mobileconfig")
        assert loaded.signed and loaded.has_mail_payload
        assert loaded.contains_password is bool(password)


def test_a_signed_profile_whose_content_cannot_be_read_counts_as_holding_a_password(
    tmp_path: Path,
) -> None:
    signed = signed_profile_bytes(plistlib.dumps(profile_dict()))
    for unreadable in (signed[: len(signed) // 2], signed[:40]):
        loaded = inspect_profile(unreadable, tmp_path / "s.mobileconfig")
        assert loaded.signed and loaded.contains_password


def test_an_unverified_profile_says_so(tmp_path: Path) -> None:
    """After "Continue unverified" or ``export --no-verify``, the file itself tells."""
    for verified in (True, False):
        made = make_profile(mail_settings(verified=verified), tmp_path / "p.mobileconfig")
        assert made.verified is verified
        assert inspect_profile(made.data, made.path).verified is verified
        signed = inspect_profile(signed_profile_bytes(made.data), made.path)
        assert signed.verified is verified
        link = Link("http://192.168.1.2:1/x", HostChoice("192.168.1.2", (), False))
        assert (UNVERIFIED_NOTE in offer_notes(made, link)) is not verified


@pytest.mark.parametrize(
    "content",
    [
        b"hello, this is a text file\n",
        b"0 starts with the byte 0x30 but is text\n",
        b'{"PayloadType": "Configuration"}',
        plistlib.dumps({"PayloadType": "com.apple.mail.managed"}),
        plistlib.dumps(["Configuration"]),
        b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "Configuration">]>'
        b"<plist><dict><key>PayloadType</key><string>&a;</string></dict></plist>",
        signed_profile_bytes(b"just some text, signed"),
        b"",
    ],
    ids=["text", "zero", "json", "payload-only", "array", "entity", "signed-text", "empty"],
)
def test_not_a_profile_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "thing.mobileconfig"
    path.write_bytes(content)
    with pytest.raises(ProfileFileError, match="not a configuration profile") as caught:
        load_profile_file(path)
    assert "\n" not in str(caught.value)


def test_missing_big_and_folder_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileFileError, match="no such file"):
        load_profile_file(tmp_path / "missing.mobileconfig")
    with pytest.raises(ProfileFileError, match="folder"):
        load_profile_file(tmp_path)
    big = tmp_path / "big.mobileconfig"
    with big.open("wb") as stream:
        stream.truncate(MAX_PROFILE_BYTES + 1)
    with pytest.raises(ProfileFileError, match=r"too big.*1 MiB"):
        load_profile_file(big)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_refused(profile_path: Path) -> None:
    profile_path.chmod(0)
    with pytest.raises(ProfileFileError, match="permission denied"):
        load_profile_file(profile_path)


async def test_download_name_is_safe_for_the_header(tmp_path: Path) -> None:
    odd = load_profile_file(write_profile(tmp_path / 'mail "work"; x.plist'))
    async with Serving(odd) as served:
        response = await asyncio.to_thread(request, served.url)
    expected = 'attachment; filename="mail__work___x.plist.mobileconfig"'
    assert response.getheader("Content-Disposition") == expected
