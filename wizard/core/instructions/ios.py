"""Which Settings layout an iPhone shows, by iOS version: the paths the steps are written for.

Apple moved the mail accounts twice: iOS 11 put them under Passwords & Accounts, iOS 14
back under Mail > Accounts, iOS 18 under Apps > Mail > Mail Accounts. After iOS 18 the
numbers jumped to the year (iOS 26 in 2025, iOS 27 in 2026).
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.errors import UsageError
from wizard.core.facts import Fact, ios, profiles

#: The oldest version the steps cover and the newest one they know.
OLDEST_IOS = 11
NEWEST_KNOWN_IOS = 27
#: iOS 18 was followed by iOS 26: there were no versions in between.
_NO_SUCH_VERSIONS = range(19, 26)


@dataclass(frozen=True)
class IosLayout:
    """One layout of Settings: the versions that show it and where the mail accounts are."""

    #: A short stable name, used for tab ids and file names ("ios-18").
    key: str
    #: The versions as a tab label: "iOS 18, 26, 27".
    label: str
    #: The versions in a sentence: "iOS 18, 26 and 27".
    words: str
    #: The versions that show this layout, oldest first.
    versions: tuple[int, ...]
    #: The path under Settings to the list of mail accounts.
    accounts: Fact
    #: Where to find the path's first item, when it is hard to see.
    where: Fact | None = None
    #: What is assumed rather than known about this layout.
    assumption: Fact | None = None

    @property
    def facts(self) -> tuple[Fact, ...]:
        """The facts this layout's wording rests on."""
        return tuple(f for f in (self.accounts, self.where, self.assumption) if f is not None)

    @property
    def hint(self) -> str:
        """Which versions steps for this layout are for, and where the iPhone shows its own."""
        assumed = f" {self.assumption.text}." if self.assumption is not None else ""
        return (
            f"These steps are for {self.words}. To see which iOS the iPhone has: "
            f"{ios.ABOUT.text}.{assumed}"
        )


IOS_18_26_27 = IosLayout(
    key="ios-18",
    label="iOS 18, 26, 27",
    words="iOS 18, 26 and 27",
    versions=(18, 26, 27),
    accounts=ios.ACCOUNTS_18,
    where=ios.APPS_AT_BOTTOM,
    assumption=ios.IOS27_ASSUMED,
)
IOS_14_17 = IosLayout(
    key="ios-14",
    label="iOS 14-17",
    words="iOS 14 to 17",
    versions=(14, 15, 16, 17),
    accounts=ios.ACCOUNTS_14,
)
IOS_11_13 = IosLayout(
    key="ios-11",
    label="iOS 11-13",
    words="iOS 11 to 13",
    versions=(11, 12, 13),
    accounts=ios.ACCOUNTS_11,
)
#: Newest first: the order of the wizard's tabs.
LAYOUTS: tuple[IosLayout, ...] = (IOS_18_26_27, IOS_14_17, IOS_11_13)


def layout_for(version: int) -> tuple[IosLayout, str | None]:
    """The layout iOS ``version`` shows, and a note when that is a guess.

    A version newer than the newest known gets the newest layout, and the note says so.
    Raises UsageError (field "ios") for versions before 11, which the steps do not cover.
    """
    if version < OLDEST_IOS:
        raise UsageError(
            f"iOS {version} is not covered: the steps are for iOS {OLDEST_IOS} and later.",
            field="ios",
        )
    for layout in LAYOUTS:
        if version in layout.versions:
            return layout, None
    if version in _NO_SUCH_VERSIONS:
        return IOS_18_26_27, f"There is no iOS {version}: {ios.VERSION_NUMBERS.text}."
    return IOS_18_26_27, (
        f"iOS {version} is newer than the newest version these steps know "
        f"(iOS {NEWEST_KNOWN_IOS}), so they follow the {IOS_18_26_27.label} layout; Apple may have "
        "moved things since."
    )


def resolve(ios: int | IosLayout) -> tuple[IosLayout, int | None, str | None]:
    """The layout for ``ios`` (a version or a whole layout), the version asked for (None for
    a whole layout) and a note when the layout is a guess; UsageError before iOS 11."""
    if isinstance(ios, IosLayout):
        return ios, None, None
    layout, note = layout_for(ios)
    return layout, ios, note


def profile_place(version: int | None = None) -> tuple[str, tuple[Fact, ...]]:
    """Where Settings shows a downloaded profile on iOS ``version`` (None: any version), as
    words that follow "open Settings and ...", with the facts they rest on.

    The Profile Downloaded row came with iOS 12.2; the menu was Profiles (oldest), then
    Profiles & Device Management, and VPN & Device Management from iOS 15.
    """
    row, new, old = (
        profiles.PROFILE_DOWNLOADED,
        profiles.DEVICE_MANAGEMENT,
        profiles.PROFILES_MANAGEMENT,
    )
    oldest = profiles.PROFILES_OLDEST
    if version is None:
        return (
            f"tap {row.text} near the top (iOS 12.2 and later), or open {new.text} (iOS 15 "
            f"and later; before that {old.text})",
            (row, new, old),
        )
    if version >= 15:
        return f"tap {row.text} near the top (or open {new.text})", (row, new)
    if version >= 13:
        return f"tap {row.text} near the top (or open {old.text})", (row, old)
    if version == 12:
        return (
            f"tap {row.text} near the top if it is there (iOS 12.2 and later); otherwise "
            f"open {old.text} (on some versions {oldest.text})",
            (row, old, oldest),
        )
    return f"open {old.text} (on some versions {oldest.text})", (old, oldest)
