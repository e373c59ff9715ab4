"""The team view: people x levels, the level distribution, and the gaps most of the team shares."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .assessment import LoadedAssessment, load_assessment
from .batch import assessment_files
from .catalog import Catalog, LevelsOfResponsibility, SkillVersion
from .errors import SfiaAssessError
from .policy import Policy
from .result import Result
from .review import review
from .scoring import score


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    recommended_level: int | None
    coverage: tuple[float, ...]
    reached: tuple[bool, ...]
    gaps: int
    source: str


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
    levels: tuple[int, ...]
    level_names: tuple[str, ...]
    people: tuple[Person, ...]
    distribution: tuple[tuple[str, int], ...]
    shared_gaps: tuple[SharedGap, ...]
    skipped: tuple[str, ...]


def team_view(directory: Path, catalog: Catalog, policy: Policy, *, top: int = 10) -> TeamView:
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
    return team_view_of(loaded, catalog, policy, skipped=skipped, top=top)


def team_view_of(
    loaded: list[LoadedAssessment],
    catalog: Catalog,
    policy: Policy,
    *,
    skipped: list[str] | None = None,
    top: int = 10,
) -> TeamView:
    """The team view of assessments already loaded (from a folder, or from the history store)."""
    skipped = list(skipped or [])
    kinds = Counter((a.skill.code, a.skill.sfia_version) for a in loaded)
    (code, version), _ = kinds.most_common(1)[0]
    for other in loaded:
        if (other.skill.code, other.skill.sfia_version) != (code, version):
            skipped.append(
                f"{other.source}: {other.skill.code} SFIA {other.skill.sfia_version}; this view"
                f" is of {code} SFIA {version}"
            )
    same = [a for a in loaded if (a.skill.code, a.skill.sfia_version) == (code, version)]
    skill = same[0].skill
    responsibility = catalog.responsibility(version)
    results = _agreed_results(same, policy, responsibility)
    people = tuple(
        sorted(
            (
                Person(
                    name=r.subject.name,
                    role=r.subject.role,
                    recommended_level=r.recommended_level,
                    coverage=tuple(lv.coverage for lv in r.levels),
                    reached=tuple(lv.reached for lv in r.levels),
                    gaps=len(r.gaps),
                    source=r.source,
                )
                for r in results
            ),
            key=lambda p: (-(p.recommended_level or 0), p.name.casefold()),
        )
    )
    counts = Counter(r.recommended_level for r in results)
    distribution = tuple(
        (str(level) if level else "none", counts.get(level, 0))
        for level in (None, *skill.defined_levels)
    )
    # A shared gap is a statement on many people's own gap lists: between the level each has
    # reached and the level each is working towards.
    missing: Counter[str] = Counter(g.id for r in results for g in r.gaps)
    relevant = sorted(
        ((sid, n) for sid, n in missing.items() if n >= 2), key=lambda item: (-item[1], item[0])
    )
    shared = tuple(
        SharedGap(
            id=sid,
            level=skill.level_of_statement[sid],
            text=skill.statements_by_id[sid].text,
            people=n,
            share=round(n / len(results), 4),
        )
        for sid, n in relevant[:top]
    )
    return TeamView(
        skill=skill,
        levels=skill.defined_levels,
        level_names=tuple(responsibility.level(n).name for n in skill.defined_levels),
        people=people,
        distribution=distribution,
        shared_gaps=shared,
        skipped=tuple(skipped),
    )


def _agreed_results(
    files: list[LoadedAssessment], policy: Policy, responsibility: LevelsOfResponsibility
) -> list[Result]:
    """One result per self-assessment: the agreed one where a manager's review pairs with it
    (same person, on or after its date; the latest review counts), else its own."""
    own = [f for f in files if f.assessment.assessor.relation != "manager"]
    reviews = sorted(
        (f for f in files if f.assessment.assessor.relation == "manager"),
        key=lambda f: f.assessment.assessed_on,
    )
    review_of: dict[int, LoadedAssessment] = {}
    for item in reviews:
        candidates = [
            (f.assessment.assessed_on, i)
            for i, f in enumerate(own)
            if f.assessment.subject.name.casefold() == item.assessment.subject.name.casefold()
            and f.assessment.assessed_on <= item.assessment.assessed_on
        ]
        if candidates:
            review_of[max(candidates)[1]] = item
    return [
        review(f, review_of[i], policy, responsibility).agreed
        if i in review_of
        else score(f, policy, responsibility=responsibility)
        for i, f in enumerate(own)
    ]
