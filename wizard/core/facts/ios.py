"""Facts about the iPhone's Settings app: where things are, what they are called, what iOS says."""

from __future__ import annotations

from wizard.core.facts.model import APPLE_MAIL_SCHEMA, Source, sheet, third_party, unconfirmed

_IPADOS18_ARTICLE = Source(
    "https://eclipsemedias.com/learn-how-to-add-take-away-and-configure-mail-accounts-in-ipados-18",
    '"In iPadOS 18, Apple has moved these Settings to the very bottom of the Settings list '
    "under a row simply called Apps ... select Settings->Apps->Mail->Mail Accounts ... tap "
    'Add Account ... select Other ... tap Add Mail Account"',
)
_TOAST = Source(
    "https://support.toast.net/kb/a680/refresh-your-mail-app-connection-imap.aspx",
    '"Settings ... tap Apps, then tap Mail. Tap Mail Accounts ... tap Add Account. Choose '
    'Other ... Tap Add Mail Account"; "enter your Name, Full Email Address, and Password. '
    'Tap Next"; "Ensure IMAP is selected at the top"',
)
_RJS = (
    "https://www.rjs-consultants.com/knowledge-base/change-the-mail-settings-on-your-apple-device/"
)
_OPENRADAR_4922 = "https://github.com/lionheart/openradar-mirror/issues/4922"
_MOX = Source(
    "https://github.com/mjl-/mox/issues/328", "Apple Mail connected to SMTP port 25 by default"
)
_SCHEMA_PORT_ORDER = Source(
    APPLE_MAIL_SCHEMA,
    'OutgoingMailServerPortNumber: "The outgoing mail server port number. If not set, the '
    'system uses ports 25, 587, and 465, in that order."',
)

VERSION_NUMBERS = third_party(
    "ios.version-numbers",
    "after iOS 18 came iOS 26 (September 2025) and iOS 27 (September 2026)",
    sheet(
        "§9, §10",
        "iOS 26 shipped in September 2025 (year-based numbers: after iOS 18 "
        "comes iOS 26); iOS 27 was released in September 2026",
    ),
    Source(
        "https://github.com/YangJiiii/3105/issues/31",
        'issue of 2026-09-15: "does this app support iOS 27 that is officially released today?"',
    ),
    Source(
        "https://github.com/endoflife-date/endoflife.date/pull/10950",
        '"iOS 27 will be released on Monday, September 14th."',
    ),
)
ABOUT = third_party(
    "ios.about",
    "Settings > General > About",
    sheet("§9", '"The version itself: Settings → General → About."'),
)
ACCOUNTS_18 = third_party(
    "ios.accounts.18",
    "Apps > Mail > Mail Accounts",
    _IPADOS18_ARTICLE,
    _TOAST,
    sheet(
        "§4.1, §9",
        'a list of "Settings URL schemes for iOS 26" keeps "Apps > Mail > '
        'Mail Accounts" and "Apps > Mail > Mail Accounts > Add Account"',
    ),
)
IOS27_ASSUMED = unconfirmed(
    "ios.accounts.27",
    "iOS 27 is assumed to use the same paths as iOS 26 (no published source yet)",
    sheet("§9", "iOS 27: no source found; assume the iOS 26 layout and say so."),
)
APPS_AT_BOTTOM = third_party(
    "ios.apps-at-bottom", "Apps is near the very bottom of Settings", _IPADOS18_ARTICLE
)
ACCOUNTS_14 = third_party(
    "ios.accounts.14",
    "Mail > Accounts",
    sheet(
        "§4.1, §9",
        'iOS 14-17: Settings → Mail → Accounts; "iOS 14-era guides use Settings > Mail > Accounts"',
    ),
    _IPADOS18_ARTICLE,
)
ACCOUNTS_11 = third_party(
    "ios.accounts.11",
    "Passwords & Accounts",
    sheet("§4.1, §9", '"iOS 11-13: Settings → Passwords & Accounts" (appriver KB)'),
)
SETTINGS_SEARCH = unconfirmed(
    "ios.settings-search",
    'If you cannot find it, type "Mail" in the search field of Settings.',
    sheet(
        "§4.1, §9, §10",
        "Searching for Mail in Settings reaches the same screen: from memory, "
        "not confirmed by a source; no source says where iOS 26 puts the search field: "
        'say "the search field in Settings"',
    ),
)
OTHER = third_party("ios.other", "Other, then tap Add Mail Account", _IPADOS18_ARTICLE, _TOAST)
NEW_ACCOUNT_SHEET = third_party(
    "ios.new-account",
    "Name, Email, Password, Description, then Next",
    Source(
        _OPENRADAR_4922,
        '"Other > Add Mail Account. Enter a name, email, password and description. Tap Next."',
    ),
    _TOAST,
)
FINDS_SERVERS = third_party(
    "ios.finds-servers",
    "iOS first tries to find the servers by itself. If it cannot, it shows a screen with "
    "IMAP and POP at the top",
    sheet(
        "§4.2",
        "iOS tries to find the settings itself. If it cannot, it shows the server "
        "screen with an IMAP | POP segmented control at the top",
    ),
    _TOAST,
)
SKIPS_SERVER_SCREEN = unconfirmed(
    "ios.skips-server-screen",
    "If iOS finds the servers by itself, it may skip this screen and the next two",
    sheet(
        "§9",
        "that the server screen always appears is not confirmed (iOS may fill in servers itself)",
    ),
)
SECOND_ACCOUNT = third_party(
    "ios.second-account",
    "an account of the other type can usually be added beside this one, without deleting it first",
    sheet(
        "§9, §10",
        "A second account of the other type can be added beside the first (liquidweb "
        'KB); sources say it "should not require you to delete the old one in most mail '
        'clients": say "usually"',
    ),
)
SERVER_SECTIONS = third_party(
    "ios.server-sections",
    "INCOMING MAIL SERVER and OUTGOING MAIL SERVER, each with Host Name, User Name, Password",
    sheet(
        "§4.2",
        "toast.net lists Hostname, Username and Password for both servers; an "
        "iOS 14 guide names the row Host Name",
    ),
    _TOAST,
)
OUTGOING_OPTIONAL = unconfirmed(
    "ios.outgoing-optional",
    "If iOS marks User Name and Password as optional here, fill them in anyway",
    sheet(
        "§4.2",
        'that the outgoing User Name and Password are marked "Optional": from '
        "memory; always fill them in",
    ),
)
VERIFYING = third_party(
    "ios.verifying",
    "Verifying…",
    Source(
        "https://github.com/forwardemail/forwardemail.net/issues/347",
        "setup \"will not proceed past 'Verifying...'\"",
    ),
)
WITHOUT_SSL = third_party(
    "ios.without-ssl",
    "If iOS asks whether to set up the account without SSL",
    Source(_OPENRADAR_4922, '"prompted to continue without SSL"'),
    Source(_RJS, '"It might ask to set up without using SSL"'),
    sheet("§9", 'the alert text "Set up without SSL?" itself is not confirmed'),
)
MAIL_NOTES_SAVE = third_party(
    "ios.mail-notes-save",
    "the screen with the Mail and Notes switches: leave Mail on and tap Save",
    sheet(
        "§4.2",
        "The last screen has the service toggles (Mail, Notes). Leave Mail on and "
        "tap Save (toast.net)",
    ),
    _TOAST,
)
PORTS_NOT_ASKED = third_party(
    "ios.ports-not-asked",
    "You do not type ports while adding the account",
    sheet("§4.2", '"Ports are not entered during the Add flow. iOS picks them itself."'),
    _MOX,
)
ADVANCED = third_party(
    "ios.advanced",
    "Account, then Advanced at the bottom; under INCOMING SETTINGS: Use SSL, Authentication, "
    "Server Port",
    Source(
        "http://best-bestwebhosting.com/index-953.html",
        '(iOS 14.6) "At the bottom of the Account page will be a bar labeled Advanced ... '
        'INCOMING SETTINGS ... Use SSL"',
    ),
    sheet("§4.3", "that the iOS 17/18 layout is unchanged: likely, not confirmed"),
)
SMTP_ROW = third_party(
    "ios.smtp-row",
    "tap the SMTP row, then the server (iOS may head the list PRIMARY SERVER)",
    Source(
        _RJS,
        '"click on the SMTP value ... click again on the Outgoing '
        'Server value ... SSL ... port number"',
    ),
    sheet("§4.3", 'the exact labels "Primary Server" and "Done": from memory'),
)
SMTP_FIELDS = third_party(
    "ios.smtp-fields",
    "Host Name, User Name, Password, Use SSL, Authentication, Server Port",
    sheet(
        "§4.3",
        '"Outgoing (SMTP): account → Account → Outgoing Mail Server: SMTP ... Host Name, '
        'User Name, Password, Use SSL, Authentication (Password), Server Port" (verified in '
        "outline by the rjs-consultants KB)",
    ),
)
SMTP_PORT_ORDER = third_party(
    "ios.smtp-port-order",
    "iOS may choose the outgoing port by itself, even port 25",
    _SCHEMA_PORT_ORDER,
    _MOX,
)
STARTTLS_USE_SSL = unconfirmed(
    "ios.starttls-use-ssl",
    "if iOS cannot connect with Use SSL on at this port, try",
    sheet(
        "§4.3, §9",
        'For iOS, "Use SSL" on port 587 means STARTTLS: from memory, not '
        "confirmed. If 587 fails, use 465.",
    ),
)
CANNOT_VERIFY = third_party(
    "ios.cannot-verify",
    "Cannot Verify Server Identity",
    _TOAST,
    sheet("§4.4", 'TLS certificate problem: "Cannot Verify Server Identity"'),
)
NOT_RESPONDING = third_party(
    "ios.not-responding",
    "The … server is not responding",
    Source(
        "https://github.com/mailcow/mailcow-dockerized/issues/6043",
        '"The IMAP server “host” is not responding. Check your network connection ..."',
    ),
)
WRONG_PASSWORD_MESSAGE = unconfirmed(
    "ios.wrong-password-message",
    "A message saying the user name or password is incorrect",
    sheet(
        "§4.4, §9",
        '"The user name or password for “…” is incorrect." appears in one blog only; not confirmed',
    ),
)
CANNOT_GET_MAIL = unconfirmed(
    "ios.cannot-get-mail",
    'a message saying "Cannot Get Mail"',
    Source(
        "https://github.com/lionheart/openradar-mirror/issues/6763",
        '(iOS 9.1) "Cannot Get Mail", "The mail server … is not responding. Verify that '
        'you have entered the correct account info in Mail settings."',
    ),
    sheet("§4.4", 'fetch fails later: "Cannot Get Mail"; current wording UNCERTAIN'),
)
CANNOT_SEND = unconfirmed(
    "ios.cannot-send",
    'a message saying "Cannot Send Mail"',
    Source(
        "https://github.com/fmbiete/Z-Push-contrib/issues/54",
        '(iOS 7.1.1) "Cannot Send Mail" … "An error occurred while delivering this message."',
    ),
    sheet("§4.4", 'send fails: "Cannot Send Mail"; current wording UNCERTAIN'),
)
PORT_25_PASSWORD = third_party(
    "ios.port-25-password",
    "iOS may send on port 25 when no port is set, and then say the user name or password is wrong",
    Source(
        _MOX.where,
        'Apple Mail connected to SMTP port 25 by default and the user got an "incorrect '
        'username or password" error',
    ),
    sheet("§4.2", "the mox developer's report (2025)"),
    _SCHEMA_PORT_ORDER,
)
PASSWORD_PLACES = third_party(
    "ios.password-places",
    "Account > Password (incoming), and on the same screen SMTP > the server > Password (outgoing)",
    sheet(
        "§4.3",
        '"Incoming (IMAP/POP): ... the account → Account"; "Outgoing (SMTP): account → '
        'Account → Outgoing Mail Server: SMTP ... Password"',
    ),
)
MD5_CHALLENGE = third_party(
    "ios.md5-challenge-response",
    "MD5 Challenge-Response",
    Source(
        "http://www.authsmtp.com/iphone-itouch/index.html",
        "(outgoing server settings on the iPhone) \"Click on 'Authentication' and select "
        "'MD5 Challenge-Response'\"",
    ),
    Source(
        APPLE_MAIL_SCHEMA,
        "IncomingMailServerAuthentication and OutgoingMailServerAuthentication take "
        "EmailAuthNone, EmailAuthPassword, EmailAuthCRAMMD5, EmailAuthNTLM or "
        "EmailAuthHTTPMD5",
    ),
)
PROVIDER_BUTTONS = third_party(
    "ios.provider-buttons",
    "iOS lists some providers by name, such as Google, Yahoo and Outlook, above Other",
    Source(
        "https://howtochangeguide.com/how-to-add/how-do-you-add-an-email-to-your-iphone",
        '"iOS presents a list of common providers — including Google, Yahoo, Microsoft '
        'Outlook, and Apple\'s own iCloud — along with an "Other" option"',
    ),
    Source(
        "https://everydaytech.org/email-communication/email-configuration-settings/"
        "how-to-add-a-new-email-on-iphone",
        "\"iOS presents a list of supported email providers. If your provider isn't "
        'listed, you can still add it manually using the Other option at the bottom."',
    ),
)
