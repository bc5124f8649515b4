"""What the user does on the iPhone once the link is offered, and the plain-HTTP warning
(every iOS screen's wording from ``facts.profiles``)."""

from __future__ import annotations

from wizard.core.export import ExportedProfile
from wizard.core.facts import mailcom, profiles
from wizard.core.instructions.ios import profile_place


def numbered(steps: tuple[str, ...], start: int = 1) -> list[str]:
    return [f"{number}. {step}" for number, step in enumerate(steps, start)]


def download_steps() -> tuple[str, ...]:
    """On the iPhone, from the QR code to the downloaded profile."""
    return (
        "Connect the iPhone to the same Wi-Fi network as this computer.",
        "Open the Camera app and point it at the QR code (or type the link into Safari).",
        f"Tap the link that appears. {profiles.SAFARI_ONLY.text}",
        profiles.SAFARI_ALLOW.text,
    )


def install_steps(profile: ExportedProfile, ios: int | None = None) -> tuple[str, ...]:
    """On the iPhone, from the downloaded profile to the account in Mail; ``ios``: the
    iPhone's iOS version if known (else the words fit every version)."""
    trust = (
        f"The install screen shows {profiles.SIGNED_STATUS.text}; both install."
        if profile.signed
        else f"The install screen shows {profiles.NOT_SIGNED.text}: that is expected for a "
        "profile made on this computer, and it installs and works."
    )
    steps = [
        f"Within {profiles.INSTALL_WINDOW.text} (iOS deletes a downloaded profile after "
        f"that), open Settings and {profile_place(ios)[0]}.",
        f"Tap {profiles.INSTALL.text}. {trust}",
    ]
    if profile.has_mail_payload and not profile.contains_password:
        # The file does not say which provider it is for: the words fit any of them.
        steps.append(
            "When iOS asks for the password, type the mail account's password (or the "
            f"app-specific password, if {mailcom.TWO_FACTOR.text} is on)."
        )
    return (*steps, "Tap Done. The account is in the Mail app.")


OTHER_WAYS = (
    "If the iPhone cannot open the link (a guest or hotel Wi-Fi may keep devices apart), "
    f"send it the file instead: AirDrop it, or mail it to yourself and "
    f"{profiles.MAIL_NOT_MESSAGES.text}."
)

PLAIN_HTTP_WARNING = (
    "This profile contains a password. It is served over plain HTTP, so anyone on this "
    "network who sees the traffic could read the password."
)
