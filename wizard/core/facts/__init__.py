"""Every fact the wizard shows about iOS, mail.com and profiles, with its source: one registry.

Screens, commands and the README word these things the way the registry does:
``f"open Settings, then tap {ios.ACCOUNTS_18.text}"``. A fact no public source confirms
is worded as what to look for ("if iOS asks ...").
"""

from __future__ import annotations

from wizard.core.facts import ios, mailcom, profiles
from wizard.core.facts.model import CHECKED, Fact, FactStatus, Source

__all__ = [
    "CHECKED",
    "REGISTRY",
    "Fact",
    "FactStatus",
    "Source",
    "by_id",
    "ios",
    "mailcom",
    "profiles",
]

#: All facts, by module (iOS Settings, mail.com, profile installation), in declaration order.
REGISTRY: tuple[Fact, ...] = tuple(
    fact
    for module in (ios, mailcom, profiles)
    for fact in vars(module).values()
    if isinstance(fact, Fact)
)


def by_id(fact_id: str) -> Fact:
    """The registered fact with this id; KeyError if there is none."""
    for fact in REGISTRY:
        if fact.id == fact_id:
            return fact
    raise KeyError(fact_id)
