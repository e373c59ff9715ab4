"""Move a recorded self-assessment to a newer SFIA version, as `migrate` does for a file: the
result is recorded as the person's assessment in the new version, with a trail entry saying
where it came from; the old record stays as it was."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.catalog import Catalog
from ..core.migrate import Migration, migrate_text
from ..core.policy import Policy
from .database import StoreError
from .models import AssessmentRecord, Review, ScoredResult
from .record import Checked, add_assessment
from .workflow import MIGRATED, checked, get


@dataclass(frozen=True)
class MigratedRecord:
    """What a migration did, in the words `migrate` prints."""

    old_id: int
    new_id: int
    person: str
    skill: str
    from_version: int
    to_version: int
    ratings_before: int
    ratings_after: int
    evidence_before: int
    evidence_after: int
    notes: tuple[str, ...]
    already: bool  # the same migrated file was recorded before: nothing new added

    @property
    def summary(self) -> str:
        return (
            f"migrated SFIA {self.from_version} -> {self.to_version}: {self.ratings_before}"
            f" ratings -> {self.ratings_after}, {self.evidence_before} evidence items ->"
            f" {self.evidence_after}"
        )


def migrated_name(source_name: str, old: int, new: int) -> str:
    """jordan-park-sfia8.yaml -> jordan-park-sfia9.yaml; other names gain -sfia9."""
    stem = re.sub(r"\.ya?ml$", "", source_name, flags=re.IGNORECASE)
    renamed = re.sub(rf"sfia[-_ ]?{old}(?!\d)", f"sfia{new}", stem, flags=re.IGNORECASE)
    return (renamed if renamed != stem else f"{stem}-sfia{new}") + ".yaml"


@dataclass(frozen=True)
class CarriedRating:
    """A rating in the new version, and the old statements it was carried from."""

    statement: str
    rating: str
    origins: tuple[str, ...]


@dataclass(frozen=True)
class MigrationPreview:
    """What moving a record would do, before anything is stored: the level before (own, and
    agreed where a review counts) and after (own: a review does not carry over), each rating
    carried, and the notes `migrate` writes."""

    assessment_id: int
    person: str
    skill: str
    from_version: int
    to_version: int
    old_level: int | None
    old_agreed: int | None
    reviewed_by: str | None
    new_level: int | None
    ratings_before: int
    ratings_after: int
    evidence_before: int
    evidence_after: int
    carried: tuple[CarriedRating, ...]
    notes: tuple[str, ...]
    already: bool  # this migration was recorded before

    @property
    def level_changes(self) -> bool:
        return self.old_level != self.new_level


def _prepared(
    session: Session,
    assessment_id: int,
    catalog: Catalog,
    policy: Policy,
    to_version: int | None,
) -> tuple[AssessmentRecord, Migration, Checked]:
    old = get(session, assessment_id)
    if old.relation == "manager":
        raise StoreError(
            f"assessment {assessment_id} is a manager's review; migrate the self-assessment"
        )
    target = to_version or catalog.newest_version(old.skill)
    if old.sfia_version >= target:
        raise StoreError(
            f"{old.source_name} is already SFIA {old.sfia_version}; nothing to migrate"
        )
    migration = migrate_text(old.content, old.source_name, catalog, target)
    name = migrated_name(old.source_name, old.sfia_version, target)
    return old, migration, checked(migration.text.encode("utf-8"), name, catalog, policy)


def _recorded(session: Session, item: Checked) -> AssessmentRecord | None:
    return session.scalars(
        select(AssessmentRecord).where(AssessmentRecord.sha256 == item.sha256)
    ).one_or_none()


def preview_migration(
    session: Session,
    assessment_id: int,
    catalog: Catalog,
    policy: Policy,
    *,
    to_version: int | None = None,
) -> MigrationPreview:
    """`migrate_record` without storing anything: what it would record, and what changes."""
    old, migration, item = _prepared(session, assessment_id, catalog, policy, to_version)
    before = session.scalars(
        select(ScoredResult.recommended_level).where(ScoredResult.assessment_id == old.id)
    ).one_or_none()
    review = session.execute(
        select(Review.agreed_level, AssessmentRecord.assessor_name)
        .join(AssessmentRecord, AssessmentRecord.id == Review.manager_id)
        .where(Review.self_id == old.id)
        .order_by(AssessmentRecord.assessed_on.desc(), Review.id.desc())
        .limit(1)
    ).one_or_none()
    ratings = item.loaded.assessment.ratings
    return MigrationPreview(
        assessment_id=old.id,
        person=item.loaded.assessment.subject.name,
        skill=old.skill,
        from_version=migration.from_version,
        to_version=migration.to_version,
        old_level=before,
        old_agreed=review[0] if review else None,
        reviewed_by=review[1] if review else None,
        new_level=item.result.recommended_level,
        ratings_before=migration.ratings_before,
        ratings_after=migration.ratings_after,
        evidence_before=migration.evidence_before,
        evidence_after=migration.evidence_after,
        carried=tuple(
            CarriedRating(sid, ratings[sid].value, migration.rating_origins.get(sid, ()))
            for sid in item.loaded.skill.statements_by_id
            if sid in ratings
        ),
        notes=migration.notes,
        already=_recorded(session, item) is not None,
    )


def migrate_record(
    session: Session,
    assessment_id: int,
    catalog: Catalog,
    policy: Policy,
    *,
    actor: str,
    to_version: int | None = None,
) -> MigratedRecord:
    """Migrate one recorded self-assessment (default: to its skill's newest version)."""
    old, migration, item = _prepared(session, assessment_id, catalog, policy, to_version)
    existing = _recorded(session, item)
    if existing is None:
        note = f"migrated from SFIA {old.sfia_version} ({old.source_name}, assessment {old.id})"
        row = add_assessment(session, item, actor=actor, kind=MIGRATED, note=note)
    else:
        row = existing
    return MigratedRecord(
        old_id=old.id,
        new_id=row.id,
        person=item.loaded.assessment.subject.name,
        skill=old.skill,
        from_version=migration.from_version,
        to_version=migration.to_version,
        ratings_before=migration.ratings_before,
        ratings_after=migration.ratings_after,
        evidence_before=migration.evidence_before,
        evidence_after=migration.evidence_after,
        notes=migration.notes,
        already=existing is not None,
    )
