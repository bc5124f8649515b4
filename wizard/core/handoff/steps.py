"""What the user does on the iPhone once the link is offered, and the plain-HTTP warning."""

from __future__ import annotations

from wizard.core.handoff.profile_file import ProfileFile

# Apple deletes a downloaded profile that is not installed within 8 minutes.
INSTALL_WINDOW_MINUTES = 8


def phone_steps(profile: ProfileFile) -> tuple[str, ...]:
    """What to do on the iPhone, one step per item, for this profile."""
    if profile.signed:
        trust = (
            "The install screen shows Verified if the iPhone trusts the signer, "
            "otherwise Not Verified; both install."
        )
    else:
        trust = (
            "The install screen shows Not Signed in red: that is expected for a profile "
            "made on this computer, and it installs and works."
        )
    steps = [
        "Connect the iPhone to the same Wi-Fi network as this computer.",
        "Open the Camera app and point it at the QR code (or type the link into Safari).",
        "Tap the link that appears. Open it in Safari: other iOS browsers may not hand "
        "profiles to Settings.",
        "Safari asks to download a configuration profile: tap Allow, then Close.",
        f"Within {INSTALL_WINDOW_MINUTES} minutes (iOS deletes a downloaded profile after "
        "that), open Settings and tap Profile Downloaded near the top (or General > VPN & "
        "Device Management).",
        f"Tap Install, enter the iPhone passcode, and tap Install again. {trust}",
    ]
    if profile.has_mail_payload and not profile.contains_password:
        steps.append(
            "When iOS asks for the password, type your mail.com password (the "
            "application-specific password if two-factor authentication is on)."
        )
    steps.append("Tap Done. The account is in the Mail app.")
    return tuple(steps)


PLAIN_HTTP_WARNING = (
    "This profile contains a password. It is served over plain HTTP, so anyone on this "
    "network who sees the traffic could read the password."
)
