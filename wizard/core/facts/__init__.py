"""Every fact the wizard shows about iOS, mail.com and profiles, with its source: one registry
that screens, commands and the README word things from (``ios.ACCOUNTS_18.text``)."""

from __future__ import annotations

from wizard.core.facts import ios, mailcom, profiles
from wizard.core.facts.model import Fact, FactStatus

__all__ = ["REGISTRY", "Fact", "FactStatus", "by_id", "ios", "mailcom", "profiles"]

#: All facts, by module (iOS Settings, mail.com, profile installation), in declaration order.
REGISTRY: tuple[Fact, ...] = tuple(
    fact
    for module in (ios, mailcom, profiles)
    for fact in vars(module).values()
    if isinstance(fact, Fact)
)

_BY_ID = {fact.id: fact for fact in REGISTRY}


def by_id(fact_id: str) -> Fact:
    return _BY_ID[fact_id]
