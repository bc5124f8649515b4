"""Which Settings layout an iPhone shows, by iOS version: Apple moved the mail accounts in
iOS 11, 14 and 18, and after iOS 18 the numbers jumped to the year (iOS 26 in 2025)."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.errors import UsageError
from wizard.core.facts import Fact, ios, profiles

OLDEST_IOS = 11
NEWEST_KNOWN_IOS = 27
_NO_SUCH_VERSIONS = range(19, 26)


@dataclass(frozen=True)
class IosLayout:
    """One layout of Settings: a stable ``key`` for tab ids and file names, the versions as a
    tab ``label``, in ``words`` and as numbers, the ``accounts`` path under Settings, where
    its first item is when hard to see, and what is assumed rather than known."""

    key: str
    label: str
    words: str
    versions: tuple[int, ...]
    accounts: Fact
    where: Fact | None = None
    assumption: Fact | None = None

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(f for f in (self.accounts, self.where, self.assumption) if f is not None)

    @property
    def hint(self) -> str:
        assumed = f" {self.assumption.text}." if self.assumption is not None else ""
        return (
            f"These steps are for {self.words}. To see which iOS the iPhone has: "
            f"{ios.ABOUT.text}.{assumed}"
        )


IOS_18_26_27 = IosLayout(
    "ios-18",
    "iOS 18, 26, 27",
    "iOS 18, 26 and 27",
    (18, 26, 27),
    ios.ACCOUNTS_18,
    where=ios.APPS_AT_BOTTOM,
    assumption=ios.IOS27_ASSUMED,
)
IOS_14_17 = IosLayout("ios-14", "iOS 14-17", "iOS 14 to 17", (14, 15, 16, 17), ios.ACCOUNTS_14)
IOS_11_13 = IosLayout("ios-11", "iOS 11-13", "iOS 11 to 13", (11, 12, 13), ios.ACCOUNTS_11)
#: Newest first: the order of the wizard's tabs.
LAYOUTS: tuple[IosLayout, ...] = (IOS_18_26_27, IOS_14_17, IOS_11_13)


def layout_for(version: int) -> tuple[IosLayout, str | None]:
    """The layout iOS ``version`` shows, and a note when that is a guess (a version unknown
    or newer than the newest known); UsageError (field "ios") before iOS 11."""
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
    words that follow "open Settings and ...", with the facts they rest on."""
    row, new = profiles.PROFILE_DOWNLOADED, profiles.DEVICE_MANAGEMENT
    old, oldest = profiles.PROFILES_MANAGEMENT, profiles.PROFILES_OLDEST
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
