"""Facts about mail.com: its servers, its names for settings, and what its accounts need."""

from __future__ import annotations

from wizard.core.facts.model import Source, official, sheet, third_party, unconfirmed

_ISPDB = Source(
    "https://github.com/thunderbird/autoconfig/blob/c6ad79659b5fc321d1593ec4c277815b83e5dec5/"
    "ispdb/mail.com.xml",
    '"<hostname>imap.mail.com</hostname> <port>993</port> <socketType>SSL</socketType> '
    '<username>%EMAILADDRESS%</username>", and likewise imap.mail.com 143 STARTTLS, '
    "pop.mail.com 995 SSL and 110 STARTTLS, smtp.mail.com 465 SSL and 587 STARTTLS",
)
_APP_PASSWORDS_PAGE = Source(
    "https://support.mail.com/security/2fa/application-specific-passwords.html",
    '"Click on Home and on Security Options." "Click on Manage application-specific '
    'passwords." "Click on Create new application-specific password." The password "will be '
    'shown only once".',
)
_TWO_FA_PAGE = Source(
    "https://www.mail.com/security/2fa/",
    '"Under "Two-factor authentication," click on "Activate two-factor authentication""; '
    '"you need an app-specific password if you use an external email program ... to '
    'retrieve your emails via POP3 / IMAP"',
)
_CHATMAIL = Source(
    "https://github.com/chatmail/provider-db/blob/ad097ee40579c884e7757de2d3bb0a51f481a32a/"
    "_providers/mail.com.md",
    '"To log in, you first need to activate POP3/IMAP in your mail.com settings. Note that '
    'this is a mail.com Premium feature only." (links support.mail.com/pop-imap/toggle.html)',
)
_CHATMAIL_OLD_FREE = Source(
    _CHATMAIL.where,
    '"For older free accounts IMAP access was not deactivated to this date, so if you have '
    'already a client set up with IMAP, it should work on other clients too."',
)
_FAIREMAIL = Source(
    "https://github.com/M66B/FairEmail/commit/95d63a9c64ecc20e30243ffe9a3133935f96c047",
    '"Using third-party email clients requires a premium mail.com subscription. This is not '
    'a limitation of FairEmail."',
)
_CHATMAIL_240 = Source(
    "https://github.com/chatmail/provider-db/issues/240",
    '"Must enable IMAP access in settings, which is a Premium feature for new accounts."',
)

SERVERS = official(
    "mailcom.servers",
    "imap.mail.com (993 SSL/TLS, 143 STARTTLS), pop.mail.com (995, 110), smtp.mail.com "
    "(465 SSL/TLS, 587 STARTTLS), user name: the full address",
    _ISPDB,
    sheet("§1.1", "the ISPDB entry, corroborated by FairEmail and chatmail"),
)
DOMAINS = official(
    "mailcom.domains",
    "191 domains in Thunderbird's mail.com record, which says about 500 more exist",
    Source(_ISPDB.where, '"even smaller domains (about 500 more) are left out"'),
    sheet(
        "§2.1, §2.2, §9",
        "ISPDB: 191 domains; chatmail adds 53 more; the wizard's 244 "
        "are a subset, not mail.com's whole list",
    ),
)
TWO_FACTOR = official(
    "mailcom.two-factor",
    "two-factor authentication",
    _TWO_FA_PAGE,
    _APP_PASSWORDS_PAGE,
    sheet("§9", 'mail.com\'s own name for 2FA is "two-factor authentication"'),
)
APP_PASSWORD_NEEDED = official(
    "mailcom.app-password-needed",
    "with two-factor authentication on, mail apps need an app-specific password instead of "
    "the account password",
    _TWO_FA_PAGE,
    _APP_PASSWORDS_PAGE,
)
APP_PASSWORD_PATH = official(
    "mailcom.app-password-path",
    "Home > Security Options > Manage application-specific passwords > Create new "
    "application-specific password (Security Options is also under Account, at the top right)",
    _APP_PASSWORDS_PAGE,
    sheet(
        "§10",
        "mail.com's pages give two entry points: \"Home > Security Options > Manage "
        'application-specific passwords > Create new" and "Account (top right) > Security '
        'Options"',
    ),
)
APP_PASSWORD_ONCE = official(
    "mailcom.app-password-once",
    "mail.com shows it only once",
    _APP_PASSWORDS_PAGE,
    sheet("§9", "mail.com shows an app-specific password only once"),
)
ACCESS_SWITCH_NEEDED = third_party(
    "mailcom.access-switch-needed",
    "POP3/IMAP access switched on in mail.com's web settings",
    _CHATMAIL,
    _CHATMAIL_240,
    sheet("§10", 'The sources spell the switch "POP3/IMAP".'),
)
ACCESS_SWITCH_PATH = unconfirmed(
    "mailcom.access-switch-path",
    "look under Settings for POP3/IMAP",
    sheet(
        "§1.2, §10",
        "exact menu path: no source quoting mail.com's wording; suggested "
        'wording "open Settings (gear icon), then the POP3 & IMAP section"; the sources '
        'spell the switch "POP3/IMAP"',
    ),
    Source(
        "https://support.mail.com/pop-imap/toggle.html",
        "mail.com's help page for the switch (cited by chatmail; not read)",
    ),
)
ACCESS_SWITCH_HELP = third_party(
    "mailcom.access-switch-help", "support.mail.com/pop-imap/toggle.html", _CHATMAIL
)
PREMIUM = third_party(
    "mailcom.premium",
    "a mail.com Premium feature for new accounts",
    _CHATMAIL,
    _FAIREMAIL,
    _CHATMAIL_240,
)
PLAN_RULE = third_party(
    "mailcom.plan-rule",
    "for accounts made in recent years, mail.com lets other mail apps (such as the iPhone's "
    "Mail app) in only with Premium; older free accounts usually still can",
    _CHATMAIL,
    _CHATMAIL_OLD_FREE,
    _FAIREMAIL,
    _CHATMAIL_240,
    sheet(
        "§1.3, §10",
        "IMAP, POP3 and SMTP from other programs need mail.com Premium for newer accounts; "
        "older free accounts usually kept them (a 2026 provider-validation file: "
        '"Premium-only IMAP/SMTP")',
    ),
)
FREE_ALTERNATIVES = unconfirmed(
    "mailcom.free-alternatives",
    "a newer free account can use mail.com's own app for iPhone instead (look for it in the "
    "App Store), or upgrade to mail.com Premium",
    _FAIREMAIL,
    sheet(
        "§1.3",
        "other programs need Premium for new accounts; that mail.com offers its own "
        "iPhone app is not confirmed by a source: look for it",
    ),
)
SAME_REPLY = third_party(
    "mailcom.same-reply",
    "The refusal may not say why: a wrong password and switched-off access may look the same",
    Source(
        "https://github.com/jens-maus/yam/issues/638",
        "GMX POP3 answered -ERR authentication failed with the right password while "
        "access was switched off",
    ),
    sheet(
        "§3",
        '"a wrong password and "POP3/IMAP not enabled" produce the same reply" (seen at '
        "mail.com's sister service GMX; the same for mail.com is plausible, not confirmed)",
    ),
)

ACCESS_OFF_AGAIN = third_party(
    "mailcom.access-off-again",
    "access may be switched off again after a long time unused",
    Source(
        "https://github.com/jens-maus/yam/issues/638",
        "GMX turns POP3/IMAP off again after a mailbox has not used them for a long time, "
        "and emailed the user about it",
    ),
    sheet(
        "§1.2, §3",
        '(GMX) "It also turns the protocols off again after a mailbox has not used them for '
        'a long time." Whether mail.com does the same: UNCERTAIN',
    ),
)
