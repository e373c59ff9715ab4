"""The team view: people x levels, the level distribution, and the gaps most of the team shares."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ..errors import SfiaAssessError
from ..files.folders import assessment_files
from .assessment import LoadedAssessment, load_assessment
from .catalog import Catalog, SkillVersion
from .identity import key_of, shown_names
from .latest import latest, order
from .pairing import Card, Reviewed, pair_reviews
from .policy import Policy
from .result import Result
from .review import review
from .scoring import score

Basis = Literal["agreed", "self"]


@dataclass(frozen=True)
class TeamMember:
    """One person in the team view: their level and coverage per level."""

    name: str
    role: str | None
    recommended_level: int | None  # the level this view is of: agreed (when reviewed) or self
    self_level: int | None
    agreed_level: int | None  # None: no review of this person in the folder
    reviewed_by: str | None
    sfia_version: int  # the version this person was assessed in (the view's, or another)
    coverage: tuple[float, ...]
    reached: tuple[bool, ...]
    gaps: int
    source: str
    id: str | None = None  # the person's stable id, when their file (or the store) gives one

    @property
    def key(self) -> str:
        """Who this is (core.identity)."""
        return key_of(self.name, self.id)


@dataclass(frozen=True)
class SharedGap:
    id: str
    level: int
    text: str
    people: int
    share: float


@dataclass(frozen=True)
class TeamView:
    skill: SkillVersion
    basis: Basis
    levels: tuple[int, ...]
    level_names: tuple[str, ...]
    people: tuple[TeamMember, ...]
    distribution: tuple[tuple[str, int], ...]
    shared_gaps: tuple[SharedGap, ...]
    skipped: tuple[str, ...]


def team_view(
    directory: Path, catalog: Catalog, policy: Policy, *, top: int = 10, basis: Basis = "agreed"
) -> TeamView:
    """Score everyone in `directory` against the skill and version most of them use."""
    loaded: list[LoadedAssessment] = []
    skipped: list[str] = []
    for path in assessment_files(directory):
        try:
            loaded.append(load_assessment(path, catalog))
        except SfiaAssessError as exc:
            skipped.append(str(exc).splitlines()[0])
    if not loaded:
        raise SfiaAssessError(f"{directory}: no valid assessment files found")
    return team_of(loaded, catalog, policy, skipped=skipped, top=top, basis=basis)


def member(
    own_file: LoadedAssessment,
    review_file: LoadedAssessment | None,
    policy: Policy,
    catalog: Catalog,
    basis: Basis,
    levels: tuple[int, ...],
) -> tuple[TeamMember, Result]:
    """One person in a skill: their own result, the agreed one when `review_file` is given, and
    the level `basis` asks for, with coverage at each of `levels`."""
    responsibility = catalog.responsibility(own_file.skill.sfia_version)
    own = score(own_file, policy, responsibility=responsibility)
    agreed = None
    if review_file is not None:
        agreed = review(own_file, review_file, policy, responsibility).agreed
    shown = agreed if agreed is not None and basis == "agreed" else own
    # Levels are numbered alike in every version; a level this person's version lacks is empty.
    by_level = {lv.level: lv for lv in shown.levels}
    person = TeamMember(
        name=own.subject.name,
        role=own.subject.role,
        recommended_level=shown.recommended_level,
        self_level=own.recommended_level,
        agreed_level=agreed.recommended_level if agreed is not None else None,
        reviewed_by=review_file.assessment.assessor.name if review_file is not None else None,
        sfia_version=own_file.skill.sfia_version,
        coverage=tuple(by_level[n].coverage if n in by_level else 0.0 for n in levels),
        reached=tuple(by_level[n].reached if n in by_level else False for n in levels),
        gaps=len(shown.gaps),
        source=own.source,
        id=own_file.assessment.subject.id,
    )
    return person, shown


def _latest_per_person(found: list[Reviewed], skipped: list[str]) -> list[Reviewed]:
    """One entry per person: their latest assessment counts (last year's file beside this
    year's must not make two people); the older ones are noted."""
    chosen = latest(
        found,
        key=lambda p: p.own.key,
        when=lambda p: order(p.own.assessed_on, p.own.version, p.own.source),
    )
    for item in chosen.older:
        older, kept = item.own, chosen.kept[item.own.key].own
        skipped.append(
            f"{older.source}: an older assessment of {older.name}"
            f" ({older.assessed_on.isoformat()}); the latest, {kept.source}, counts"
        )
    return list(chosen.kept.values())


@dataclass(frozen=True)
class Scored:
    """What the team view keeps of one person's result: their row and the ids of their gaps
    (small, so that a server can keep thousands between requests)."""

    person: TeamMember
    gaps: tuple[str, ...]


# Scores one person: their self-assessment's card, the review's (or None), the levels shown.
Scorer = Callable[[Card, Card | None, tuple[int, ...]], Scored]


def scored(
    own_file: LoadedAssessment,
    review_file: LoadedAssessment | None,
    policy: Policy,
    catalog: Catalog,
    basis: Basis,
    levels: tuple[int, ...],
) -> Scored:
    """`member`, kept small: the row, and the gaps of the level the row shows."""
    person, shown = member(own_file, review_file, policy, catalog, basis, levels)
    return Scored(person, tuple(gap.id for gap in shown.gaps))


def team_of(
    loaded: list[LoadedAssessment],
    catalog: Catalog,
    policy: Policy,
    *,
    skipped: list[str] | None = None,
    top: int = 10,
    basis: Basis = "agreed",
) -> TeamView:
    """The team view of these checked files: each review goes with the self-assessment it
    reviews (never counted as a person); `basis` says whose level the view shows."""
    by_source = {f.source: f for f in loaded}

    def score(own: Card, review: Card | None, levels: tuple[int, ...]) -> Scored:
        manager = by_source[review.source] if review is not None else None
        return scored(by_source[own.source], manager, policy, catalog, basis, levels)

    cards = [Card.of(f) for f in loaded]
    return team_of_cards(cards, catalog, score, skipped=skipped, top=top, basis=basis)


def _as_card_says(found: Scored, own: Card) -> Scored:
    """The score with the person's id as their card has it (the store's, for a file recorded
    by name into a store whose account gives the id)."""
    if own.id is None or found.person.id == own.id:
        return found
    return Scored(replace(found.person, id=own.id), found.gaps)


def _told_apart(everyone: list[Scored]) -> list[Scored]:
    """Two people who share a name are shown with their ids: "Sam Lee (s1001)"."""
    shown = shown_names((s.person.name, s.person.id) for s in everyone)
    return [
        s
        if shown[(s.person.name, s.person.id)] == s.person.name
        else Scored(replace(s.person, name=shown[(s.person.name, s.person.id)]), s.gaps)
        for s in everyone
    ]


def team_of_cards(
    cards: list[Card],
    catalog: Catalog,
    score: Scorer,
    *,
    skipped: list[str] | None = None,
    top: int = 10,
    basis: Basis = "agreed",
) -> TeamView:
    """The team view from the cards of checked files, each person scored by `score` (which a
    server may answer from what it kept of earlier requests: records never change)."""
    skipped = list(skipped or [])
    people_found, unpaired = pair_reviews(cards)
    skipped.extend(item.reason for item in unpaired)
    if not people_found:
        raise SfiaAssessError("no self-assessments among the files, only reviews of them")
    code = Counter(p.own.skill for p in people_found).most_common(1)[0][0]
    for other in people_found:
        if other.own.skill != code:
            skipped.append(f"{other.own.source}: {other.own.skill}; this view is of {code}")
    same = _latest_per_person([p for p in people_found if p.own.skill == code], skipped)
    # The view is of the version most people use; people assessed in another version of the
    # same skill are shown with their level and version, and left out of the shared gaps.
    version = Counter(p.own.version for p in same).most_common(1)[0][0]
    skill = catalog.skill(code, version)
    responsibility = catalog.responsibility(version)
    everyone = [_as_card_says(score(p.own, p.review, skill.defined_levels), p.own) for p in same]
    everyone = _told_apart(everyone)
    current = [s for s in everyone if s.person.sfia_version == version]
    people = tuple(
        sorted(
            (s.person for s in everyone),
            key=lambda p: (-(p.recommended_level or 0), p.name.casefold()),
        )
    )
    counts = Counter(s.person.recommended_level for s in everyone)
    seen = {level for level in counts if level is not None}
    distribution = tuple(
        (str(level) if level else "none", counts.get(level, 0))
        for level in (None, *sorted(seen | set(skill.defined_levels)))
    )
    # A shared gap is a statement on many people's own gap lists: between the level each has
    # reached and the level each is working towards.
    missing: Counter[str] = Counter(gap for s in current for gap in s.gaps)
    relevant = sorted(
        ((sid, n) for sid, n in missing.items() if n >= 2), key=lambda item: (-item[1], item[0])
    )
    shared = tuple(
        SharedGap(
            id=sid,
            level=skill.level_of_statement[sid],
            text=skill.statements_by_id[sid].text,
            people=n,
            share=round(n / len(current), 4),
        )
        for sid, n in relevant[:top]
    )
    return TeamView(
        skill=skill,
        basis=basis,
        levels=skill.defined_levels,
        level_names=tuple(responsibility.level(n).name for n in skill.defined_levels),
        people=people,
        distribution=distribution,
        shared_gaps=shared,
        skipped=tuple(skipped),
    )
