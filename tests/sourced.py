"""Phrases that name something outside the wizard (an iOS menu, a mail.com setting, an iOS
message) and so need a registered source wherever they are shown; wordings that must not
come back; and the two tests applied to a text: which phrases it shows, and whether a
phrase is part of a registered fact."""

from __future__ import annotations

from wizard.core.facts import REGISTRY, Fact

#: Phrases that name something outside the wizard, so they need a source wherever shown.
SOURCED = (
    # iOS Settings and what iOS shows
    "Apps > Mail > Mail Accounts",
    "Mail > Accounts",
    "Passwords & Accounts",
    "General > About",
    "near the very bottom",
    "search field",
    "Add Mail Account",
    "IMAP and POP at the top",
    "skip this screen",
    "without deleting",
    "INCOMING MAIL SERVER",
    "OUTGOING MAIL SERVER",
    "optional",
    "Verifying",
    "without SSL",
    "Mail and Notes",
    "Advanced",
    "INCOMING SETTINGS",
    "PRIMARY SERVER",
    "Server Port",
    "even port 25",
    "cannot connect with Use SSL",
    "Cannot Verify Server Identity",
    "not responding",
    "is incorrect",
    "assumed",
    # mail.com
    "two-factor authentication",
    "Security Options",
    "POP3/IMAP",
    "Premium",
    "older free accounts",
    "App Store",
    "toggle.html",
    "only once",
    "500 more",
    "may look the same",
    "switched off again",
    # installing a profile
    "Profile Downloaded",
    "VPN & Device Management",
    "Profiles & Device Management",
    "General > Profiles",
    "8 minutes",
    "Not Signed",
    "Not Verified",
    "Open it in Safari",
    "tap Allow",
    "Install again",
    "encrypted profiles",
    "not in Messages",
    "asks for the password while installing",
)

#: Wordings that were wrong or are not mail.com's, and must not come back.
RETIRED = (
    "2-step verification",
    "two-step verification",
    "cannot be changed later",
    "Set up without SSL?",
    "E-mail > Settings",
    "244 domains",
    "only a-z",
    "iOS tries ports 25, 587 and 465 in that order",
    "the same answer for several different causes",
    "asks for it once",
    "password (once)",
    # Jargon and wordings of the third fact check (issue 21 item 10, issue 23).
    "POP3 & IMAP",
    "sister service",
    "GMX",
    "Apple's description of profiles",
    "25, 587 and 465",
    "at the top of Settings",
    "nothing has to be deleted first",
    "reachable (TLS ok)",
    "SideStore",
)

MAILCOM_ONLY = ("mail.com", "POP3/IMAP", "Premium", "Security Options", "webmail open")


def registered(phrase: str, among: tuple[Fact, ...] = REGISTRY) -> bool:
    """True when ``phrase`` is part of one of these facts' wording."""
    return any(phrase in fact.text for fact in among)


def shown_phrases(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [phrase for phrase in SOURCED if phrase in flat]
