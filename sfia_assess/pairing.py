"""Among many files, pair each manager's review with the self-assessment it reviews."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .assessment import LoadedAssessment


@dataclass(frozen=True)
class Reviewed:
    """One person's self-assessment, and the review of it that counts (if any)."""

    own: LoadedAssessment
    review: LoadedAssessment | None = None


@dataclass(frozen=True)
class Unpaired:
    """A review that stands for no one: nothing to pair it with, or a later review replaces it."""

    review: LoadedAssessment
    reason: str
    failed: bool  # True: the user must act (no self-assessment); False: only a note


def _key(loaded: LoadedAssessment) -> tuple[str, str, int]:
    a = loaded.assessment
    return (a.subject.name.casefold(), loaded.skill.code, loaded.skill.sfia_version)


def pair_reviews(
    files: Sequence[LoadedAssessment],
) -> tuple[list[Reviewed], list[Unpaired]]:
    """Each review goes with the same person's self-assessment of the same skill and version,
    made on the review's date or the nearest date before it (as `review` expects); of several
    reviews of one self-assessment the latest counts. People come out in the order given."""
    own = [f for f in files if f.assessment.assessor.relation == "self"]
    reviews = [f for f in files if f.assessment.assessor.relation != "self"]
    chosen: dict[int, LoadedAssessment] = {}
    unpaired: list[Unpaired] = []
    for item in sorted(reviews, key=lambda r: (r.assessment.assessed_on, r.source)):
        candidates = [
            (f.assessment.assessed_on, f.source, i)
            for i, f in enumerate(own)
            if _key(f) == _key(item) and f.assessment.assessed_on <= item.assessment.assessed_on
        ]
        if not candidates:
            a = item.assessment
            unpaired.append(
                Unpaired(
                    item,
                    f"{item.source}: a review by {a.assessor.name} ({a.assessor.relation}) with"
                    f" no self-assessment of {a.subject.name} ({item.skill.code}, SFIA"
                    f" {item.skill.sfia_version}) dated {a.assessed_on.isoformat()} or earlier"
                    " in the folder; add that file or remove the review",
                    failed=True,
                )
            )
            continue
        index = max(candidates)[2]
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
