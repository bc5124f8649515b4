"""``mailcom-wizard export`` and ``instructions`` as a user runs them.

Most tests use ``--no-verify`` (no server needed). The live ones run the real check against
the practice server of ``--demo`` (in-process IMAP/POP3/SMTP on loopback), which can also
practise a blocked port 465 or a refused password; the ``servers`` ones use the Dovecot and
Postfix test bed.
"""

from __future__ import annotations

import io
import os
import plistlib
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.builders import CLI_PASSWORD as PASSWORD
from tests.builders import export
from tests.pki import Pki, openssl_verify
from tests.schema_validator import validate_profile
from wizard.cli import main
from wizard.core.models import Security
from wizard.demo.practice import DEMO_PASSWORD


def load(path: Path) -> dict[str, Any]:
    profile = plistlib.loads(path.read_bytes())
    assert validate_profile(profile) == []
    return profile  # type: ignore[no-any-return]


def mail(profile: dict[str, Any]) -> dict[str, Any]:
    (payload,) = profile["PayloadContent"]
    return payload  # type: ignore[no-any-return]


# --- export --no-verify ---------------------------------------------------------------------


def test_export_without_check_writes_the_preferred_servers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(export(tmp_path, "--name", "Alice Example")) == 0
    target = tmp_path / "alice.mobileconfig"
    profile = load(target)
    payload = mail(profile)
    assert payload["EmailAccountType"] == "EmailTypeIMAP"
    assert payload["IncomingMailServerHostName"] == "imap.mail.com"
    assert payload["IncomingMailServerPortNumber"] == 993
    assert payload["OutgoingMailServerHostName"] == "smtp.mail.com"
    assert payload["OutgoingMailServerPortNumber"] == 465
    assert payload["EmailAccountName"] == "Alice Example"
    assert "IncomingPassword" not in payload
    assert "NOT verified" in profile["PayloadDescription"]
    # Not private unless it holds a password.
    assert stat.S_IMODE(target.stat().st_mode) != 0o600

    out, err = capsys.readouterr()
    assert f"Profile written: {target}" in out
    assert f"mailcom-wizard serve {target}" in out
    assert "tap Profile Downloaded near the top" in " ".join(out.split())
    assert "then tap Install" in " ".join(out.split())
    assert "NOT verified" in " ".join(out.split())
    assert "Warning" not in err


def test_export_pop(tmp_path: Path) -> None:
    assert main(export(tmp_path, "--protocol", "pop")) == 0
    payload = mail(load(tmp_path / "alice.mobileconfig"))
    assert payload["EmailAccountType"] == "EmailTypePOP"
    assert payload["IncomingMailServerHostName"] == "pop.mail.com"
    assert payload["IncomingMailServerPortNumber"] == 995


@pytest.mark.usefixtures("stdin_password")
def test_include_password_warns_first_and_makes_the_file_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(export(tmp_path, "--include-password", "--password-stdin")) == 0
    target = tmp_path / "alice.mobileconfig"
    payload = mail(load(target))
    assert payload["IncomingPassword"] == PASSWORD
    assert payload["OutgoingPassword"] == PASSWORD
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    err = " ".join(err.split())  # the warning is wrapped for the terminal
    assert err.startswith("Warning: --include-password stores your password")
    assert "encrypted profiles" in err
    assert "anyone who gets a copy" in err


def test_existing_file_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "alice.mobileconfig"
    target.write_bytes(b"keep me")
    assert main(export(tmp_path)) == 2
    assert target.read_bytes() == b"keep me"
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().count("\n") == 0  # one clear line
    assert "already exists" in err
    assert "--force" in err

    assert main(export(tmp_path, "--force")) == 0
    load(target)


def test_missing_folder_and_folder_as_file_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(export(tmp_path, name="nowhere/alice.mobileconfig")) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()

    (tmp_path / "folder").mkdir()
    assert main(export(tmp_path, "--force", name="folder")) == 2
    assert "is a folder" in capsys.readouterr().err
    assert list((tmp_path / "folder").iterdir()) == []


def test_signed_export_verifies_and_holds_the_profile(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = pki.leaf()
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "chain.pem").write_bytes(pki.ca_pem)
    args = ["--sign-cert", str(tmp_path / "cert.pem"), "--sign-key", str(tmp_path / "key.pem")]
    args += ["--sign-chain", str(tmp_path / "chain.pem")]
    assert main(export(tmp_path, *args)) == 0
    signed = (tmp_path / "alice.mobileconfig").read_bytes()
    content = openssl_verify(signed, pki.ca_pem, tmp_path)
    profile = plistlib.loads(content)
    assert validate_profile(profile) == []
    assert mail(profile)["OutgoingMailServerPortNumber"] == 465
    assert "Signed by CN=Profile Signer" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flaw", "message"),
    [
        ("expired", "expired on"),
        ("no-digital-signature", "lacks digitalSignature"),
        ("other-key", "does not belong to this private key"),
        ("missing-key-file", "does not exist"),
    ],
)
def test_unusable_signing_material_is_refused_before_writing(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str], flaw: str, message: str
) -> None:
    if flaw == "expired":
        cert, key = pki.leaf(days=(-30, -2))
    elif flaw == "no-digital-signature":
        cert, key = pki.leaf(digital_signature=False)
    else:
        cert, key = pki.leaf()
    if flaw == "other-key":
        _, key = pki.leaf(usages=[ExtendedKeyUsageOID.CLIENT_AUTH])
    (tmp_path / "cert.pem").write_bytes(cert)
    if flaw != "missing-key-file":
        (tmp_path / "key.pem").write_bytes(key)
    args = ["--sign-cert", str(tmp_path / "cert.pem"), "--sign-key", str(tmp_path / "key.pem")]
    assert main(export(tmp_path, *args)) == 2
    assert not (tmp_path / "alice.mobileconfig").exists()
    err = capsys.readouterr().err
    assert err.startswith("mailcom-wizard: cannot sign: ")
    assert message in err
    assert err.strip().count("\n") == 0


def test_signing_needs_both_certificate_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(export(tmp_path, "--sign-cert", str(tmp_path / "cert.pem"))) == 2
    assert "needs both --sign-cert PEM and --sign-key PEM" in capsys.readouterr().err
    assert not (tmp_path / "alice.mobileconfig").exists()


# --- instructions --no-verify ---------------------------------------------------------------


def test_instructions_without_check_warn_and_need_no_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["instructions", "--email", "alice@mail.com", "--no-verify", "--ios", "17"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("Set up alice@mail.com on an iPhone with iOS 17 (IMAP)")
    assert "WARNING: These settings have NOT been checked" in out
    assert "Settings, then tap Mail > Accounts > Add Account" in out
    assert "imap.mail.com" in out
    assert "Server Port:    993" in out
    assert "Server Port:    465" in out


def test_instructions_markdown_for_pop(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["instructions", "--email", "alice@mail.com", "--no-verify", "--protocol", "pop"]
    assert main([*argv, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Set up alice@mail.com on an iPhone with iOS 18, 26, 27 (POP)")
    assert "> **Warning:**" in out
    assert "| Host Name | `pop.mail.com` |" in out
    assert "| Server Port | `995` |" in out


@pytest.mark.parametrize(
    ("ios", "path"),
    [
        ("26", "Settings, then tap Apps > Mail > Mail Accounts > Add Account"),
        ("27", "Settings, then tap Apps > Mail > Mail Accounts > Add Account"),
        ("18", "Settings, then tap Apps > Mail > Mail Accounts > Add Account"),
        ("15", "Settings, then tap Mail > Accounts > Add Account"),
        ("12", "Settings, then tap Passwords & Accounts > Add Account"),
    ],
)
def test_instructions_for_each_ios_version_name_its_path(
    capsys: pytest.CaptureFixture[str], ios: str, path: str
) -> None:
    assert main(["instructions", "--email", "alice@mail.com", "--no-verify", "--ios", ios]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"on an iPhone with iOS {ios} (IMAP)" in out
    assert path in out
    assert "Settings > General > About" in out


def test_instructions_for_a_version_newer_than_known_say_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["instructions", "--email", "alice@mail.com", "--no-verify", "--ios", "29"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "iOS 29 is newer than the newest version these steps know (iOS 27)" in out
    assert "Apps > Mail > Mail Accounts > Add Account" in out


@pytest.mark.parametrize("ios", ["10", "6", "0"])
def test_instructions_before_ios_11_are_a_usage_error_in_one_line(
    capsys: pytest.CaptureFixture[str], ios: str
) -> None:
    code = main(["instructions", "--email", "alice@mail.com", "--no-verify", "--ios", ios])
    assert code == 2
    out, err = capsys.readouterr()
    assert out == ""
    expected = f"--ios {ios}: iOS {ios} is not covered: the steps are for iOS 11 and later."
    assert err == f"mailcom-wizard: {expected}\n"


def test_instructions_refuse_an_old_version_before_asking_for_a_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["instructions", "--email", "alice@mail.com", "--password-stdin", "--ios", "9"])
    assert code == 2
    assert "iOS 9 is not covered" in capsys.readouterr().err


# --- live: the practice server of --demo ------------------------------------------------------


def described_port(description: str, role: str) -> int:
    match = re.search(rf"{role} \S+ port (\d+) \((SSL/TLS|STARTTLS)\)", description)
    assert match, description
    return int(match.group(1))


def test_demo_export_writes_a_real_accounts_values_marked_as_practice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The practice server runs on 127.0.0.1 with random ports; a profile with those would
    # set up an account pointing at this computer. The demo writes mail.com's values.
    target = tmp_path / "demo.mobileconfig"
    assert main(["export", "--demo", "--output", str(target)]) == 0
    profile = load(target)
    payload = mail(profile)
    description = profile["PayloadDescription"]
    assert "PRACTICE PROFILE" in description and "do not install" in description
    assert profile["PayloadDisplayName"].startswith("PRACTICE")
    assert ".practice." in profile["PayloadIdentifier"]
    assert payload["IncomingMailServerHostName"] == "imap.mail.com"
    assert payload["IncomingMailServerPortNumber"] == described_port(description, "incoming")
    assert payload["IncomingMailServerPortNumber"] == 993
    assert payload["OutgoingMailServerHostName"] == "smtp.mail.com"
    assert payload["OutgoingMailServerPortNumber"] == described_port(description, "outgoing")
    assert payload["OutgoingMailServerPortNumber"] == 465
    assert "(SSL/TLS)" in description  # SMTP over implicit TLS when 465 works
    assert "127.0.0.1" not in target.read_text()
    out, err = capsys.readouterr()
    assert "Practice profile" in out
    assert DEMO_PASSWORD not in out + err + target.read_text()
    # Never installed: the iPhone's install steps are what would come with a real profile.
    flat = " ".join(out.split())
    assert "With a real profile, next on the iPhone" in flat and "Then on the iPhone" not in flat
    assert "iOS asks for the password while installing" in flat  # "iOS", not "IOS"


def test_demo_export_falls_back_to_587_when_465_is_blocked(tmp_path: Path) -> None:
    target = tmp_path / "demo.mobileconfig"
    code = main(
        ["export", "--demo", "--demo-fault", "blocked-465", "--timeout", "3", "-o", str(target)]
    )
    assert code == 0
    profile = load(target)
    description = profile["PayloadDescription"]
    # The outgoing server that verified is the STARTTLS one, and the profile carries its
    # real counterpart: mail.com's 587.
    assert re.search(r"outgoing \S+ port \d+ \(STARTTLS\)", description), description
    port = described_port(description, "outgoing")
    assert mail(profile)["OutgoingMailServerPortNumber"] == port == 587


def test_demo_export_serve_practises_without_offering_the_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo must not offer a practice profile to a phone")

    monkeypatch.setattr("wizard.console.offer.serve_once", no_server)
    target = tmp_path / "demo.mobileconfig"
    assert main(["export", "--demo", "--serve", "--output", str(target)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Practice run: nothing is offered to a phone" in out
    assert "http://" not in out


def test_serve_refuses_a_practice_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demo.mobileconfig"
    assert main(["export", "--demo", "--output", str(target)]) == 0
    capsys.readouterr()
    assert main(["serve", str(target), "--host", "127.0.0.1", "--minutes", "0.05"]) == 2
    err = capsys.readouterr().err
    assert "practice profile made by the demo" in err
    assert err.count("\n") == 1


def test_demo_export_with_refused_password_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demo.mobileconfig"
    code = main(["export", "--demo", "--demo-fault", "wrong-password", "--output", str(target)])
    assert code == 1
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    out, err = capsys.readouterr()
    assert "No profile was written, because the check failed." in err
    assert DEMO_PASSWORD not in out + err


@pytest.mark.usefixtures("stdin_password")
def test_demo_instructions_with_refused_password_print_the_diagnosis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["instructions", "--demo", "--password-stdin"])
    assert code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "No instructions were printed, because the check failed." in err
    assert PASSWORD not in out + err


def test_demo_instructions_show_the_verified_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instructions", "--demo", "--demo-fault", "blocked-465", "--timeout", "3"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    assert "WARNING" not in out
    assert out.startswith("Practice: Set up demo@mail.com on an iPhone")
    assert "PRACTICE: This is a practice run." in flat
    # The port that verified (587, as 465 was blocked), with mail.com's real host name.
    match = re.search(r"outgoing smtp\.mail\.com\s+port\s+(\d+)\s+\(STARTTLS\)", out)
    assert match, out
    assert match.group(1) == "587"
    assert f"Server Port:    {match.group(1)}" in out
    assert "Host Name:      smtp.mail.com" in out
    assert "127.0.0.1" not in out
    assert DEMO_PASSWORD not in out


# --- live: the Dovecot/Postfix test bed -------------------------------------------------------


@pytest.mark.servers
def test_testbed_export_passes_schema_and_carries_verified_ports(
    testbed: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    testbed.require_postfix()
    provider = testbed.provider_file(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(testbed.alice.password + "\n"))
    target = tmp_path / "alice.mobileconfig"
    argv = ["export", "--email", testbed.alice.email, "--password-stdin"]
    argv += ["--provider", str(provider), "--cafile", str(testbed.cafile)]
    argv += ["--output", str(target)]
    assert main(argv) == 0
    profile = load(target)
    description = profile["PayloadDescription"]
    assert "Verified by mailcom-wizard" in description
    payload = mail(profile)
    assert payload["IncomingMailServerPortNumber"] == described_port(description, "incoming")
    assert payload["OutgoingMailServerPortNumber"] == described_port(description, "outgoing")
    # The servers that verified: Dovecot's IMAPS and Postfix's implicit-TLS submission.
    assert payload["IncomingMailServerHostName"] == testbed.imap_ssl.host
    assert payload["IncomingMailServerPortNumber"] == testbed.imap_ssl.port
    assert payload["OutgoingMailServerHostName"] == testbed.smtp_ssl.host
    assert payload["OutgoingMailServerPortNumber"] == testbed.smtp_ssl.port
    assert testbed.alice.password not in target.read_text()
    assert os.stat(target).st_size > 0


@pytest.mark.servers
@pytest.mark.parametrize("protocol", ["imap", "pop"])
def test_testbed_export_uses_587_when_465_is_silent(
    testbed: Any, faults: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, protocol: str
) -> None:
    from wizard.core.models import Protocol

    testbed.require_postfix()
    silent = faults.silent.endpoint(Protocol.SMTP, Security.SSL)
    provider = testbed.provider_file(tmp_path, smtp=[silent, testbed.smtp_starttls])
    monkeypatch.setattr("sys.stdin", io.StringIO(testbed.alice.password + "\n"))
    target = tmp_path / f"alice-{protocol}.mobileconfig"
    argv = ["export", "--email", testbed.alice.email, "--password-stdin", "--protocol", protocol]
    argv += ["--provider", str(provider), "--cafile", str(testbed.cafile), "--timeout", "2"]
    argv += ["--output", str(target), "--name", "Alice Example"]
    assert main(argv) == 0
    payload = mail(load(target))  # load() validates against Apple's schema
    assert payload["OutgoingMailServerPortNumber"] == testbed.smtp_starttls.port
    expected_in = testbed.imap_ssl if protocol == "imap" else testbed.pop3_ssl
    assert payload["IncomingMailServerPortNumber"] == expected_in.port
    assert payload["EmailAccountType"] == (
        "EmailTypeIMAP" if protocol == "imap" else "EmailTypePOP"
    )
    assert payload["EmailAccountName"] == "Alice Example"
    assert testbed.alice.password not in target.read_text(encoding="utf-8")


@pytest.mark.servers
def test_testbed_export_with_wrong_password_writes_nothing(
    testbed: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    testbed.require_postfix()
    provider = testbed.provider_file(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("not the password\n"))
    target = tmp_path / "nothing.mobileconfig"
    argv = ["export", "--email", testbed.alice.email, "--password-stdin"]
    argv += ["--provider", str(provider), "--cafile", str(testbed.cafile), "--output", str(target)]
    assert main(argv) == 1
    assert not target.exists()
    assert not list(tmp_path.glob("*.mobileconfig*"))
    assert "refused the login" in capsys.readouterr().err
