"""`record`: check assessment files and add them to the store, pairing reviews with their subject.

Files are read and checked before the database is touched; a bad file is reported (as `validate`
reports it) and nothing of it is stored. Everything good is added in one transaction.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.assessment import LoadedAssessment, check_document
from ..core.catalog import Catalog
from ..core.fit_notes import evaluate
from ..core.identity import same_person
from ..core.latest import order
from ..core.pairing import reviewed_self
from ..core.policy import Policy
from ..core.result import Result
from ..core.review import review
from ..errors import InputFileError, SfiaAssessError
from ..files.folders import assessment_files
from ..files.yamlfile import MAX_BYTES, parse_yaml, read_yaml
from .loading import loaded_from_record
from .models import AssessmentRecord, Event, Person, Review, ScoredResult
from .people import AmbiguousPerson, get_or_add, identify


@dataclass(frozen=True)
class Checked:
    """A file that passed every check, ready to store."""

    source: str
    content: bytes
    sha256: str
    loaded: LoadedAssessment
    result: Result


@dataclass(frozen=True)
class Recorded:
    """What `record` did with one file."""

    source: str
    status: str  # "recorded" | "already recorded" | "failed"
    message: str


def check_files(
    paths: Iterable[Path], catalog: Catalog, policy: Policy
) -> tuple[list[Checked], list[Recorded]]:
    """Read and check each file; returns the good ones and the failures (with their problems)."""
    good: list[Checked] = []
    bad: list[Recorded] = []
    for path in paths:
        try:
            content = _read(path)
            loaded = check_document(parse_yaml(content, str(path)), catalog)
        except (InputFileError, OSError) as exc:
            bad.append(Recorded(str(path), "failed", str(exc)))
            continue
        except SfiaAssessError as exc:
            bad.append(Recorded(str(path), "failed", f"{path}: {exc}"))
            continue
        result = evaluate(
            loaded, policy, responsibility=catalog.responsibility(loaded.skill.sfia_version)
        )
        good.append(
            Checked(str(path), content, hashlib.sha256(content).hexdigest(), loaded, result)
        )
    return good, bad


def record_paths(
    db: str | None,
    paths: Iterable[Path],
    catalog: Catalog,
    policy: Policy,
    *,
    actor: str | None = None,
) -> tuple[list[Recorded], list[Recorded]]:
    """`record`: check every file (folders: every YAML file under them), then store the good
    ones in one transaction. Returns what was done with each good file, and the failures."""
    from . import open_store
    from .database import writing

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = assessment_files(path)
            if not found:
                raise SfiaAssessError(f"{path}: no .yaml or .yml files found")
            files.extend(found)
        else:
            files.append(path)
    good, bad = check_files(files, catalog, policy)
    if not good:
        return [], bad
    with open_store(db) as engine:
        done = writing(
            engine, lambda session: record_checked(session, good, catalog, policy, actor=actor)
        )
    return [d for d in done if d.status != "failed"], bad + [
        d for d in done if d.status == "failed"
    ]


def _read(path: Path) -> bytes:
    """The file's bytes, read once: what is checked is exactly what is stored."""
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        read_yaml(path)  # raises the loader's own message (missing, a folder, too big)
    return path.read_bytes()


@cache
def _result_adapter() -> TypeAdapter[Result]:
    return TypeAdapter(Result)


def as_json(result: Result) -> dict[str, Any]:
    """A result in the stable `assess --format json` form (the same data as
    `reports.json.render`; pydantic's serializer makes it ~15x faster than asdict + json)."""
    data: dict[str, Any] = _result_adapter().dump_python(result, mode="json")
    return data


def record_checked(
    session: Session,
    files: list[Checked],
    catalog: Catalog,
    policy: Policy,
    *,
    actor: str | None = None,
) -> list[Recorded]:
    """Add checked files to the store in this session's transaction; reviews after self files."""
    who = actor or _os_user()
    done: list[Recorded] = []
    ordered = sorted(files, key=lambda f: (f.loaded.assessment.assessor.relation == "manager",))
    for item in ordered:
        try:
            whose(session, item.loaded)
        except AmbiguousPerson as exc:  # reported with the file; the others are recorded
            done.append(Recorded(item.source, "failed", f"{item.source}: {exc}"))
            continue
        existing = session.scalars(
            select(AssessmentRecord).where(AssessmentRecord.sha256 == item.sha256)
        ).one_or_none()
        if existing is not None:
            done.append(
                Recorded(
                    item.source,
                    "already recorded",
                    f"{item.source}: already recorded (as {existing.source_name}, version"
                    f" {existing.version}); nothing added",
                )
            )
            continue
        row = add_assessment(session, item, actor=who)
        note = f"version {row.version}" if row.version > 1 else ""
        if item.loaded.assessment.assessor.relation == "manager":
            own = _reviewed_self(session, row)
            if own is None:
                note = _join(note, "a review with no self-assessment to pair with yet")
            else:
                paired = pair(session, own, row, catalog, policy, actor=who)
                note = _join(note, f"review of {own.source_name}, agreed level {paired}")
        else:
            for waiting in _unpaired_reviews(session, row):
                paired = pair(session, row, waiting, catalog, policy, actor=who)
                note = _join(note, f"paired with the review {waiting.source_name}")
        done.append(
            Recorded(
                item.source,
                "recorded",
                f"{item.source}: recorded" + (f" ({note})" if note else ""),
            )
        )
    return done


def add_assessment(
    session: Session,
    item: Checked,
    *,
    actor: str,
    kind: str = "recorded",
    note: str | None = None,
    person: Person | None = None,
) -> AssessmentRecord:
    """Add one assessment file as the next version of its (person, skill, assessor, date);
    of `person` when the caller knows whom (a review made from the self-assessment's page)."""
    a = item.loaded.assessment
    person = person or get_or_add(session, a.subject.name, a.subject.id)
    assessor_key = assessor_key_of(session, item.loaded, person)
    latest = session.scalar(
        select(func.max(AssessmentRecord.version)).where(
            AssessmentRecord.person_id == person.id,
            AssessmentRecord.skill == item.loaded.skill.code,
            AssessmentRecord.sfia_version == item.loaded.skill.sfia_version,
            AssessmentRecord.assessor_key == assessor_key,
            AssessmentRecord.assessed_on == a.assessed_on,
        )
    )
    row = AssessmentRecord(
        person_id=person.id,
        skill=item.loaded.skill.code,
        sfia_version=item.loaded.skill.sfia_version,
        relation=a.assessor.relation,
        assessor_name=a.assessor.name,
        assessor_key=assessor_key,
        role=a.subject.role,
        assessed_on=a.assessed_on,
        version=(latest or 0) + 1,
        source_name=Path(item.source).name[:255],
        content=item.content,
        sha256=item.sha256,
        parsed=a.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    session.add(
        ScoredResult(
            assessment_id=row.id,
            recommended_level=item.result.recommended_level,
            target_level=item.result.target_level,
            result=as_json(item.result),
        )
    )
    session.add(Event(assessment_id=row.id, kind=kind, actor=actor, note=note))
    return row


def whose(session: Session, loaded: LoadedAssessment) -> None:
    """Check that the store can tell who the file's subject and assessor are (AmbiguousPerson:
    a name that two accounts share, and no id)."""
    a = loaded.assessment
    identify(session, a.subject.name, a.subject.id)
    own = a.assessor.relation == "self" and same_person(a.assessor.name, a.subject.name)
    if a.assessor.id is not None or not own:
        identify(session, a.assessor.name, a.assessor.id, field="assessor")


def assessor_key_of(session: Session, loaded: LoadedAssessment, person: Person) -> str:
    """Who assessed: the person themselves for a self-assessment under their own name; else
    the assessor as the store knows them (their id, an account with their name, their name)."""
    a = loaded.assessment
    own = a.assessor.relation == "self" and same_person(a.assessor.name, a.subject.name)
    if a.assessor.id is None and own:
        return person.key
    return identify(session, a.assessor.name, a.assessor.id, field="assessor").key


def pair(
    session: Session,
    own: AssessmentRecord,
    manager: AssessmentRecord,
    catalog: Catalog,
    policy: Policy,
    *,
    actor: str,
) -> str:
    """Record `manager` as the review of `own`, with the agreed level; returns it as text."""
    mine = loaded_from_record(own, catalog)
    theirs = loaded_from_record(manager, catalog)
    found = review(mine, theirs, policy, catalog.responsibility(mine.skill.sfia_version))
    agreed = found.agreed.recommended_level
    session.add(
        Review(
            self_id=own.id,
            manager_id=manager.id,
            self_level=found.self_result.recommended_level,
            manager_level=found.manager_result.recommended_level,
            agreed_level=agreed,
            agreed=as_json(found.agreed),
        )
    )
    shown = str(agreed) if agreed is not None else "none"
    session.add(
        Event(assessment_id=own.id, kind="reviewed", actor=manager.assessor_name, note=None)
    )
    session.add(
        Event(
            assessment_id=own.id,
            kind="agreed",
            actor=manager.assessor_name,
            note=f"agreed level {shown}",
        )
    )
    session.flush()
    return shown


def _reviewed_self(session: Session, manager: AssessmentRecord) -> AssessmentRecord | None:
    """The self-assessment a review reviews: same person, skill and version, on the review's
    date or the nearest date before it, its latest version."""
    selves = session.scalars(
        select(AssessmentRecord).where(
            AssessmentRecord.person_id == manager.person_id,
            AssessmentRecord.skill == manager.skill,
            AssessmentRecord.sfia_version == manager.sfia_version,
            AssessmentRecord.relation == "self",
            AssessmentRecord.assessed_on <= manager.assessed_on,  # the rule's, as an index filter
        )
    )
    return reviewed_self(
        manager.assessed_on, selves, when=lambda r: order(r.assessed_on, r.sfia_version, r.version)
    )


def _unpaired_reviews(session: Session, own: AssessmentRecord) -> list[AssessmentRecord]:
    """Reviews recorded before the self-assessment they review (no pairing yet)."""
    paired = select(Review.manager_id)
    candidates = session.scalars(
        select(AssessmentRecord)
        .where(
            AssessmentRecord.person_id == own.person_id,
            AssessmentRecord.skill == own.skill,
            AssessmentRecord.sfia_version == own.sfia_version,
            AssessmentRecord.relation == "manager",
            AssessmentRecord.assessed_on >= own.assessed_on,
            AssessmentRecord.id.not_in(paired),
        )
        .order_by(AssessmentRecord.id)
    ).all()
    return [c for c in candidates if _reviewed_self(session, c) is own]


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
