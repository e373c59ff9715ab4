"""Among many files, pair each manager's review with the self-assessment it reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .assessment import LoadedAssessment
from .identity import key_of
from .latest import Order, order

T = TypeVar("T")


@dataclass(frozen=True)
class Card:
    """What pairing (and a batch's summary) needs to know of a checked file: a few words, so
    that thousands of them cost little memory while the files themselves are let go."""

    source: str
    name: str
    role: str
    skill: str
    version: int
    assessor: str
    relation: str
    assessed_on: dt.date
    record: int | None = None  # the store's id of the file, when it came from the store
    id: str | None = None  # the person's stable id, when the file (or the store) gives one

    @property
    def key(self) -> str:
        """Who the file is of (core.identity): by the id when there is one, else the name."""
        return key_of(self.name, self.id)

    person: int | None = None  # the store's id of the person, when it came from the store

    @classmethod
    def of(cls, loaded: LoadedAssessment) -> Card:
        a = loaded.assessment
        return cls(
            source=loaded.source,
            name=a.subject.name,
            role=a.subject.role or "",
            skill=loaded.skill.code,
            version=loaded.skill.sfia_version,
            assessor=a.assessor.name,
            relation=a.assessor.relation,
            assessed_on=a.assessed_on,
            id=a.subject.id,
        )


@dataclass(frozen=True)
class Reviewed:
    """One person's self-assessment, and the review of it that counts (if any)."""

    own: Card
    review: Card | None = None


@dataclass(frozen=True)
class Unpaired:
    """A review that stands for no one: nothing to pair it with, or a later review replaces it."""

    review: Card
    reason: str
    failed: bool  # True: the user must act (no self-assessment); False: only a note


def _key(card: Card) -> tuple[str, str, int]:
    return (card.key, card.skill, card.version)


def reviewed_self(review_on: dt.date, selves: Iterable[T], when: Callable[[T], Order]) -> T | None:
    """The rule for pairing, wherever reviews are paired (here and in the store): of one
    person's self-assessments of the skill and SFIA version, a review dated `review_on` reviews
    the latest (`core.latest.order`) dated on or before it; None when there is none."""
    return max((own for own in selves if when(own)[0] <= review_on), key=when, default=None)


def pair_reviews(files: Sequence[Card]) -> tuple[list[Reviewed], list[Unpaired]]:
    """Each review goes with the same person's self-assessment of the same skill and version,
    made on the review's date or the nearest date before it (as `review` expects); of several
    reviews of one self-assessment the latest counts. People come out in the order given."""
    own = [f for f in files if f.relation == "self"]
    reviews = [f for f in files if f.relation != "self"]
    # Each review looks only at the self-assessments of its own key: looking through all of
    # them for each review made 5,000 people with 3,500 reviews take 40 s (35 million keys).
    by_key: dict[tuple[str, str, int], list[int]] = {}
    for index, card in enumerate(own):
        by_key.setdefault(_key(card), []).append(index)
    chosen: dict[int, Card] = {}
    unpaired: list[Unpaired] = []
    for item in sorted(reviews, key=lambda r: (r.assessed_on, r.source)):
        found = reviewed_self(
            item.assessed_on,
            by_key.get(_key(item), []),
            when=lambda i: order(own[i].assessed_on, own[i].version, own[i].source),
        )
        if found is None:
            unpaired.append(
                Unpaired(
                    item,
                    f"{item.source}: a review by {item.assessor} ({item.relation}) with no"
                    f" self-assessment of {item.name} ({item.skill}, SFIA {item.version}) dated"
                    f" {item.assessed_on.isoformat()} or earlier in the folder; add that file or"
                    " remove the review",
                    failed=True,
                )
            )
            continue
        index = found
        if index in chosen:
            earlier = chosen[index]
            unpaired.append(
                Unpaired(
                    earlier,
                    f"{earlier.source}: not used; the later review {item.source} of the same"
                    " self-assessment counts",
                    failed=False,
                )
            )
        chosen[index] = item
    return [Reviewed(f, chosen.get(i)) for i, f in enumerate(own)], unpaired
