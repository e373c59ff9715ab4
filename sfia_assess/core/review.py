"""Manager review: reconcile a self-assessment with a manager's ratings, and measure agreement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import AssessmentError
from .assessment import AssessedPerson, Evidence, LoadedAssessment, Rating
from .catalog import LevelsOfResponsibility
from .fit_notes import with_fit_notes
from .policy import Policy
from .result import Result
from .scoring import score_parts

MIN_FOR_KAPPA = 5


@dataclass(frozen=True, slots=True)
class StatementComparison:
    """One statement as each side rated it, and what was agreed."""

    id: str
    level: int
    text: str
    self_rating: str | None
    manager_rating: str | None
    agreed_rating: str | None
    self_demonstrated: bool
    agreed_demonstrated: bool
    differs: bool
    flagged: bool
    note: str
    self_evidence: tuple[str, ...]
    manager_evidence: tuple[str, ...]
    comment: str | None


@dataclass(frozen=True, slots=True)
class Agreement:
    """How far the manager agrees with the self ratings.

    A statement the manager left unrated (commented out in the review template) keeps the self
    rating, so it counts as rated the same: `share_same` is (same + kept) / self_rated. Kappa
    is over the statements both rated explicitly.
    """

    self_rated: int
    kept: int
    both_rated: int
    same: int
    share_same: float | None
    kappa: float | None
    note: str


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """A self-assessment, the manager's view of it, and the agreed result."""

    self_result: Result
    manager_result: Result
    agreed: Result
    statements: tuple[StatementComparison, ...]
    agreement: Agreement
    renamed_evidence: tuple[tuple[str, str], ...]
    manager_evidence: tuple[str, ...]

    @property
    def disagreements(self) -> tuple[StatementComparison, ...]:
        """Where the ratings differ, or where the agreed view counts a statement the
        self-assessment did not (or the other way round)."""
        return tuple(
            s
            for s in self.statements
            if s.differs or s.self_demonstrated != s.agreed_demonstrated  # flagged: one of these
        )


def _who(person: AssessedPerson) -> str:
    return f"{person.name} ({person.id})" if person.id else person.name


def check_pair(own: LoadedAssessment, manager: LoadedAssessment) -> None:
    """Both files must be about the same person, skill and version; the second a manager's."""
    a, b = own.assessment, manager.assessment
    problems = []
    if a.subject.key != b.subject.key:
        problems.append(f"subject {_who(a.subject)!r} vs {_who(b.subject)!r}")
    if own.skill.code != manager.skill.code:
        problems.append(f"skill {own.skill.code} vs {manager.skill.code}")
    if own.skill.sfia_version != manager.skill.sfia_version:
        problems.append(f"SFIA {own.skill.sfia_version} vs SFIA {manager.skill.sfia_version}")
    if problems:
        raise AssessmentError.single(
            manager.source,
            f"does not review {own.source}: "
            + "; ".join(problems)
            + ". A review compares two files about the same person, skill and version.",
        )
    if a.assessor.relation != "self":
        if b.assessor.relation == "self":
            raise AssessmentError.single(
                own.source,
                f"is {a.assessor.name}'s review (relation: {a.assessor.relation}) and"
                f" {manager.source} the self-assessment; swap them: the self-assessment comes"
                " first, then the review of it",
            )
        raise AssessmentError.single(
            own.source,
            f"assessor.relation is {a.assessor.relation!r}; the first file must be the person's"
            " self-assessment (relation: self), the second the review of it",
        )
    if b.assessor.relation == "self":
        raise AssessmentError.single(
            manager.source,
            "assessor.relation is 'self'; the reviewer's file needs relation: manager"
            " (or peer/assessor)",
        )
    if b.assessed_on < a.assessed_on:
        raise AssessmentError.single(
            manager.source,
            f"is dated {b.assessed_on.isoformat()}, before the self-assessment it reviews"
            f" ({own.source}, {a.assessed_on.isoformat()}); a review is made after it: fix its"
            " assessed_on, or review the self-assessment it was made for",
            loc=("assessed_on",),
        )


def _merged_evidence(
    own: Sequence[Evidence], manager: Sequence[Evidence]
) -> tuple[list[Evidence], list[tuple[str, str]]]:
    """Both files' evidence; a manager item whose id the self file already uses is renamed."""
    taken = {item.id for item in own}
    merged = list(own)
    renamed = []
    for item in manager:
        if item.id in taken:
            new_id = f"{item.id}-manager"
            n = 2
            while new_id in taken:
                new_id = f"{item.id}-manager{n}"
                n += 1
            renamed.append((item.id, new_id))
            item = item.model_copy(update={"id": new_id})
        taken.add(item.id)
        merged.append(item)
    return merged, renamed


def weighted_kappa(pairs: Sequence[tuple[int, int]], categories: int = 4) -> float | None:
    """Cohen's kappa with linear weights over (rater A, rater B) category indexes.

    None when it is undefined (both raters used one and the same category throughout).
    """
    n = len(pairs)
    if n == 0:
        return None
    span = categories - 1

    def weight(i: int, j: int) -> float:
        return 1 - abs(i - j) / span

    observed = sum(weight(i, j) for i, j in pairs) / n
    rows = [sum(1 for i, _ in pairs if i == k) / n for k in range(categories)]
    cols = [sum(1 for _, j in pairs if j == k) / n for k in range(categories)]
    expected = sum(
        weight(i, j) * rows[i] * cols[j] for i in range(categories) for j in range(categories)
    )
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(
    self_ratings: Mapping[str, Rating], manager_ratings: Mapping[str, Rating]
) -> Agreement:
    both = [s for s in self_ratings if s in manager_ratings]
    pairs = [(self_ratings[s].rank, manager_ratings[s].rank) for s in both]
    same = sum(1 for a, b in pairs if a == b)
    rated, kept = len(self_ratings), len(self_ratings) - len(both)
    if not rated:
        return Agreement(0, 0, 0, 0, None, None, "The self-assessment rates no statements.")
    share = round((same + kept) / rated, 4)

    def said(kappa: float | None, note: str) -> Agreement:
        return Agreement(rated, kept, len(both), same, share, kappa, note)

    if not both:
        return said(None, "The manager kept every self rating (left them commented out).")
    if len(both) < MIN_FOR_KAPPA:
        return said(
            None,
            f"Kappa: not enough data ({len(both)} statements rated by both; at least"
            f" {MIN_FOR_KAPPA} are needed).",
        )
    kappa = weighted_kappa(pairs)
    if kappa is None:
        return said(None, "Kappa: undefined, both used a single rating throughout.")
    return said(
        round(kappa, 4),
        f"Linearly weighted Cohen's kappa over the {len(both)} statements rated by both.",
    )


def review(
    own: LoadedAssessment,
    manager: LoadedAssessment,
    policy: Policy,
    responsibility: LevelsOfResponsibility | None = None,
    target_level: int | None = None,
) -> ReviewResult:
    """Score the self view, the manager's view and the agreed view of one person."""
    check_pair(own, manager)
    skill = own.skill
    evidence, renamed = _merged_evidence(own.assessment.evidence, manager.assessment.evidence)
    self_ratings = own.assessment.ratings
    manager_ratings = manager.assessment.ratings
    agreed_ratings = {**self_ratings, **manager_ratings}
    target = target_level or own.assessment.target_level

    # Dated by the review (never before the self-assessment): evidence age is measured from it.
    def scored(ratings: Mapping[str, Rating], items: Sequence[Evidence], source: str) -> Result:
        return score_parts(
            manager.assessment.model_copy(update={"target_level": target}),
            skill,
            policy,
            ratings=ratings,
            evidence=items,
            responsibility=responsibility,
            source=source,
        )

    self_result = score_parts(
        own.assessment,
        skill,
        policy,
        ratings=self_ratings,
        evidence=own.assessment.evidence,
        target_level=target_level,
        responsibility=responsibility,
        source=own.source,
    )
    manager_result = scored(manager_ratings, evidence, manager.source)
    agreed = with_fit_notes(
        scored(agreed_ratings, evidence, f"{own.source} + {manager.source}"), own, manager
    )

    self_support = _support(own.assessment.evidence)
    manager_ids = tuple(item.id for item in evidence[len(own.assessment.evidence) :])
    manager_support = _support(evidence[len(own.assessment.evidence) :])
    comments = manager.assessment.comments
    self_by_id = {s.id: s for s in self_result.statements}
    rows = []
    for statement in agreed.statements:
        mine = self_ratings.get(statement.id)
        theirs = manager_ratings.get(statement.id)
        # A statement only the manager rated differs too: the person left it unrated.
        differs = theirs is not None and mine != theirs
        steps = abs(mine.rank - theirs.rank) if mine is not None and theirs is not None else 0
        was, now = self_by_id[statement.id].demonstrated, statement.demonstrated
        notes = []
        if mine is None and theirs is not None:
            notes.append("rated by the manager only")
        if steps >= 2:
            notes.append(f"ratings differ by {steps} steps")
        if was and not now:
            notes.append("the self-assessment counted it as demonstrated; the agreed view does not")
        if now and not was:
            notes.append("the agreed view counts it as demonstrated; the self-assessment did not")
        if differs and not notes:
            notes.append("ratings differ by 1 step")
        agreed_rating = agreed_ratings.get(statement.id)
        rows.append(
            StatementComparison(
                id=statement.id,
                level=statement.level,
                text=statement.text,
                self_rating=mine.value if mine else None,
                manager_rating=theirs.value if theirs else None,
                agreed_rating=agreed_rating.value if agreed_rating else None,
                self_demonstrated=was,
                agreed_demonstrated=now,
                differs=differs,
                flagged=steps >= 2 or (was and not now),
                note="; ".join(notes),
                self_evidence=self_support.get(statement.id, ()),
                manager_evidence=manager_support.get(statement.id, ()),
                comment=comments.get(statement.id),
            )
        )
    return ReviewResult(
        self_result=self_result,
        manager_result=manager_result,
        agreed=agreed,
        statements=tuple(rows),
        agreement=agreement(self_ratings, manager_ratings),
        renamed_evidence=tuple(renamed),
        manager_evidence=manager_ids,
    )


def _support(items: Sequence[Evidence]) -> dict[str, tuple[str, ...]]:
    """The ids of the items that claim each statement, in file order."""
    found: dict[str, tuple[str, ...]] = {}
    for item in items:
        for statement_id in item.supports:
            if item.id not in found.get(statement_id, ()):
                found[statement_id] = (*found.get(statement_id, ()), item.id)
    return found
