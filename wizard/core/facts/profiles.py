"""Facts about installing a configuration profile on the iPhone."""

from __future__ import annotations

from wizard.core.facts.model import APPLE_MAIL_SCHEMA, Source, official, sheet, third_party

_SIMETRY = Source(
    "https://simetry.freshdesk.com/support/solutions/articles/154000182325-install-a-"
    "configuration-profile-on-your-iphone-or-ipad",
    "(mirrors Apple's text) \"Open the Settings app. Tap Profile Downloaded ... below the "
    'account details"; a downloaded profile not installed within 8 minutes is deleted',
)

SAFARI_ONLY = third_party(
    "profile.safari",
    "Open it in Safari: other iOS browsers may not hand profiles to Settings.",
    Source(
        "https://github.com/mozilla-mobile/firefox-ios/issues/25476",
        "Firefox does not hand the profile to Settings",
    ),
    Source("https://github.com/duckduckgo/iOS/issues/830", "DuckDuckGo does not either"),
    sheet(
        "§5.1",
        '"Safari hands profiles to Settings. Firefox, Firefox Focus and DuckDuckGo did not '
        '(as of 2025-03). Chrome does."',
    ),
)
SAFARI_ALLOW = third_party(
    "profile.allow",
    "Safari asks to download a configuration profile: tap Allow, then Close.",
    sheet(
        "§5.1",
        '"This website is trying to download a configuration profile. Do you want '
        'to allow this?" ... Allow; then "Profile Downloaded" ... Close (several READMEs)',
    ),
)
INSTALL_WINDOW = third_party("profile.install-window", "8 minutes", _SIMETRY)
PROFILE_DOWNLOADED = third_party(
    "profile.downloaded-row",
    "Profile Downloaded",
    _SIMETRY,
    sheet(
        "§10",
        '"Settings > Profile Downloaded" appeared in iOS 12.2 (a dataset entry: "this '
        'feature is in iOS 12.2, but not on iOS 12.1.1")',
    ),
)
DEVICE_MANAGEMENT = third_party(
    "profile.device-management",
    "General > VPN & Device Management",
    sheet(
        "§5.1",
        'setup guides: "Settings > General > VPN & Device Management … under '
        'Downloaded Profile"; the label from iOS 15 onward',
    ),
    sheet(
        "§10",
        '"VPN & Device Management" is the iOS 15+ name (iOS 26 Settings list: "General > '
        'VPN & Device Management")',
    ),
)
PROFILES_MANAGEMENT = third_party(
    "profile.profiles-management",
    "General > Profiles & Device Management",
    sheet("§5.1, §10", 'before iOS 15, "Profiles & Device Management"'),
)
PROFILES_OLDEST = third_party(
    "profile.profiles-oldest",
    "General > Profiles",
    sheet(
        "§5.1, §10",
        'before "Profiles & Device Management", "Profiles" (older guides: "Settings - '
        'General - Profile")',
    ),
)
INSTALL = third_party(
    "profile.install",
    "Install, enter the iPhone passcode, and tap Install again",
    sheet(
        "§5.1",
        "\"In the top right corner, tap 'Install' – Enter your passcode – In the "
        "warning page that opens, tap 'Install' again\" (a README in the code index)",
    ),
)
NOT_SIGNED = third_party(
    "profile.not-signed",
    "Not Signed (or Not Verified) in red",
    sheet(
        "§5.3, §10",
        'sources report both "Not Signed" (in red) and "Not Verified" for unsigned profiles',
    ),
    Source(
        "https://github.com/jawj/IKEv2-setup/issues/149",
        "\"it says 'Not Signed' in red text — it still works\"",
    ),
    Source("https://github.com/paulmillr/encrypted-dns/pull/40", 'the red "Not Signed" warning'),
)
SIGNED_STATUS = third_party(
    "profile.signed-status",
    "Verified if the iPhone trusts the signer, otherwise Not Verified",
    Source(
        "https://github.com/micromdm/micromdm/issues/806",
        'a signer the device does not trust shows "Unverified"/"Not Verified"',
    ),
    sheet("§5.3", 'signing with a publicly trusted certificate gives "Verified"'),
)
PASSWORD_PROMPT = official(
    "profile.password-prompt",
    "iOS asks for the password while installing",
    Source(
        APPLE_MAIL_SCHEMA,
        "OutgoingPasswordSameAsIncomingPassword: prompts once for both servers, "
        '"only supported by interactive profile installations"; a missing address or '
        "user name is prompted for during interactive installation",
    ),
    sheet("§5.4", "that the prompt appears exactly once on iOS 17/18: not confirmed"),
)
PASSWORDS_ENCRYPTED_ONLY = official(
    "profile.passwords-encrypted-only",
    "Apple says passwords belong only in encrypted profiles",
    Source(
        APPLE_MAIL_SCHEMA,
        'IncomingPassword / OutgoingPassword: "Only use this with encrypted profiles"',
    ),
)

MAIL_NOT_MESSAGES = third_party(
    "profile.mail-not-messages",
    "open the attachment in the Mail app (not in Messages)",
    Source(
        "https://github.com/trailofbits/algo/issues/771",
        "a profile opened from Messages shows as plain text; the Mail app works",
    ),
    sheet("§5.1", '"Opening a profile from Messages shows the plain text. The Mail app works."'),
)
