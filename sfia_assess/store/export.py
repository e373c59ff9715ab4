"""`export`: the recorded files written back out, byte for byte as they were recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..batch import safe_stem
from ..output import write_atomic
from .database import StoreError
from .models import AssessmentRecord, Person
from .people import find_person


@dataclass(frozen=True)
class Exported:
    path: Path
    sha256: str


def file_name(person: Person, record: AssessmentRecord) -> str:
    """A safe, unique name: who, skill, version, date, assessor, recorded version."""
    who = safe_stem(person.name)
    by = (
        "self"
        if record.relation == "self"
        else f"{record.relation}-{safe_stem(record.assessor_name)}"
    )
    return (
        f"{who}-{record.skill.lower()}-sfia{record.sfia_version}-{record.assessed_on.isoformat()}"
        f"-{by}-v{record.version}.yaml"
    )


def export(
    session: Session, out_dir: Path, name: str | None, *, force: bool = False
) -> list[Exported]:
    """Write one person's recorded files (or everyone's, when `name` is None) into `out_dir`."""
    query = select(AssessmentRecord, Person).join(Person, Person.id == AssessmentRecord.person_id)
    if name is not None:
        query = query.where(AssessmentRecord.person_id == find_person(session, name).id)
    rows = session.execute(query.order_by(Person.key, AssessmentRecord.id)).all()
    if not rows:
        raise StoreError("nothing is recorded yet; record files with `sfia-assess record`")
    if out_dir.exists() and not out_dir.is_dir():
        raise StoreError(f"{out_dir}: is a file; give a folder to export into")
    planned = [(out_dir / file_name(person, record), record) for record, person in rows]
    if not force:
        clashes = [p for p, record in planned if p.exists() and p.read_bytes() != record.content]
        if clashes:
            raise StoreError(
                f"{clashes[0]} already exists with other content; use --force to overwrite"
                " it, or export into an empty folder"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, record in planned:
        write_atomic(path, record.content)
        written.append(Exported(path, record.sha256))
    return written
