"""Move a recorded self-assessment to a newer SFIA version, as `migrate` does for a file: the
result is recorded as the person's assessment in the new version, with a trail entry saying
where it came from; the old record stays as it was."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.catalog import Catalog
from ..core.migrate import migrate_text
from ..core.policy import Policy
from .database import StoreError
from .models import AssessmentRecord
from .record import add_assessment
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
    item = checked(migration.text.encode("utf-8"), name, catalog, policy)
    existing = session.scalars(
        select(AssessmentRecord).where(AssessmentRecord.sha256 == item.sha256)
    ).one_or_none()
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
