"""`export`: the recorded files written back out, byte for byte as they were recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..files.folders import safe_stem
from ..files.output import write_atomic
from .attachments import attachments_of, safe_name
from .database import StoreError
from .models import AssessmentRecord, Attachment, Person
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
    """Write one person's recorded files (or everyone's, when `name` is None) into `out_dir`,
    and their evidence attachments under `out_dir/attachments/<file>/`."""
    query = select(AssessmentRecord, Person).join(Person, Person.id == AssessmentRecord.person_id)
    if name is not None:
        query = query.where(AssessmentRecord.person_id == find_person(session, name).id)
    rows = session.execute(query.order_by(Person.key, AssessmentRecord.id)).all()
    if not rows:
        raise StoreError("nothing is recorded yet; record files with `sfia-assess record`")
    if out_dir.exists() and not out_dir.is_dir():
        raise StoreError(f"{out_dir}: is a file; give a folder to export into")
    planned: list[tuple[Path, AssessmentRecord | Attachment]] = []
    for record, person in rows:
        planned.append((out_dir / file_name(person, record), record))
    folders = {record.id: Path(file_name(person, record)).stem for record, person in rows}
    for item in attachments_of(session, list(folders)):
        name = safe_name(f"{item.evidence_id}-{item.file_name}")
        planned.append((out_dir / "attachments" / folders[item.assessment_id] / name, item))
    if not force:
        clashes = [p for p, kept in planned if p.exists() and p.read_bytes() != kept.content]
        if clashes:
            raise StoreError(
                f"{clashes[0]} already exists with other content; use --force to overwrite"
                " it, or export into an empty folder"
            )
    written = []
    for path, kept in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, kept.content)
        written.append(Exported(path, kept.sha256))
    return written
