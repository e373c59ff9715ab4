"""The one rule for "latest": which of several assessments counts.

Of the assessments that share a key (a person and a skill, say), the latest counts: the one
assessed last; on the same date, the one in the newer SFIA version (a record migrated to it);
then the later correction (the store's version number; for files, the file name, so that the
choice never depends on the order the files were given in). Every view that shows "where a
person stands" chooses through `latest`, so the team view, the store's team, the HR pages and
`history` agree on who counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Order = tuple[dt.date, int, int | str]


def order(assessed_on: dt.date, sfia_version: int, correction: int | str) -> Order:
    """Where an assessment stands among others of the same key: later sorts higher."""
    return (assessed_on, sfia_version, correction)


@dataclass
class Latest(Generic[K, T]):
    """The latest item of each key, and the items they replaced (oldest first)."""

    kept: dict[K, T] = field(default_factory=dict)
    older: list[T] = field(default_factory=list)


def latest(items: Iterable[T], key: Callable[[T], K], when: Callable[[T], Order]) -> Latest[K, T]:
    """For each key, the item that sorts last by `when` (of equals, the last one given)."""
    found: Latest[K, T] = Latest()
    for item in sorted(items, key=when):
        k = key(item)
        if k in found.kept:
            found.older.append(found.kept[k])
        found.kept[k] = item
    return found
