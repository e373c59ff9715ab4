"""`migrate`: an assessment moved to another SFIA version along the statement crosswalks, as
YAML that keeps the person's evidence and comments, with notes on what to review."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import SfiaAssessError
from ..files.yamlfile import YamlDocument, parse_yaml, read_yaml
from ..files.yamlwriter import block_entry, comment, entry, value, verified
from .assessment import Evidence, LoadedAssessment, Rating, check_document
from .catalog import Catalog, SkillVersion
from .crosswalk import Crosswalk, steps
from .kept_comments import KeptComments, persons_comments


@dataclass(frozen=True)
class Migration:
    """A migrated assessment as YAML text, and what a person should review."""

    text: str
    from_version: int
    to_version: int
    notes: tuple[str, ...]
    ratings_before: int
    evidence_before: int
    ratings_after: int
    evidence_after: int
    rating_origins: dict[str, tuple[str, ...]]


def migrate_file(path: Path, catalog: Catalog, to_version: int) -> Migration:
    """`migrate` for a file, keeping the comments its author wrote."""
    return _migrate_document(read_yaml(path), catalog, to_version)


def migrate_text(raw: bytes | str, name: str, catalog: Catalog, to_version: int) -> Migration:
    """`migrate_file` for an assessment's text (a stored record's), named `name` in messages."""
    return _migrate_document(parse_yaml(raw, name), catalog, to_version)


def _migrate_document(document: YamlDocument, catalog: Catalog, to_version: int) -> Migration:
    loaded = check_document(document, catalog)
    return migrate(loaded, catalog, to_version, persons_comments(document, loaded, catalog))


def migrate(
    loaded: LoadedAssessment,
    catalog: Catalog,
    to_version: int,
    kept: KeptComments | None = None,
) -> Migration:
    """Carry ratings and evidence along the crosswalks; nothing is dropped without a note."""
    old = loaded.skill.sfia_version
    if to_version == old:
        raise SfiaAssessError(f"{loaded.source} is already SFIA {old}; nothing to migrate")
    chain = steps(catalog, loaded.skill.code, old, to_version)
    ratings: dict[str, tuple[Rating, list[str]]] = {
        k: (v, [f"{k} (SFIA {old})"]) for k, v in loaded.assessment.ratings.items()
    }
    supports: dict[str, tuple[list[str], list[str]]] = {
        e.id: (list(e.supports), list(e.supports)) for e in loaded.assessment.evidence
    }
    notes: list[str] = list(loaded.assessment.migration_notes)
    for crosswalk in chain:
        ratings, step_notes = _step_ratings(crosswalk, ratings)
        notes += step_notes
        for evidence_id, (current, original) in list(supports.items()):
            mapped: dict[str, None] = {}
            for statement_id in current:
                targets = crosswalk.targets(statement_id)
                if not targets:
                    notes.append(
                        f"Evidence {evidence_id} supported {statement_id} (SFIA"
                        f" {crosswalk.from_version}), which has no SFIA {crosswalk.to_version}"
                        " counterpart; the item is kept, review what it supports."
                    )
                mapped.update(dict.fromkeys(targets))
            supports[evidence_id] = (list(mapped), original)
    if loaded.assessment.target_level is not None:
        notes.append(
            f"target_level {loaded.assessment.target_level} (SFIA {old}) was not carried over:"
            f" the content of the levels moved in SFIA {to_version}; set it again if you want one."
        )
    target_skill = catalog.skill(loaded.skill.code, to_version)
    text = _migrated_yaml(
        loaded, target_skill, ratings, supports, notes, old, kept or KeptComments()
    )
    return Migration(
        text=text,
        from_version=old,
        to_version=to_version,
        notes=tuple(notes),
        ratings_before=len(loaded.assessment.ratings),
        evidence_before=len(loaded.assessment.evidence),
        ratings_after=len(ratings),
        evidence_after=len(supports),
        rating_origins={k: tuple(origins) for k, (_, origins) in ratings.items()},
    )


def _step_ratings(
    crosswalk: Crosswalk, ratings: dict[str, tuple[Rating, list[str]]]
) -> tuple[dict[str, tuple[Rating, list[str]]], list[str]]:
    old, new = crosswalk.from_version, crosswalk.to_version
    notes = []
    for statement_id, (rating, _) in ratings.items():
        if not crosswalk.targets(statement_id):
            notes.append(
                f"Rating {statement_id}: {rating.value} (SFIA {old}) has no SFIA {new}"
                " counterpart and was not carried over."
            )
    result: dict[str, tuple[Rating, list[str]]] = {}
    new_ids: dict[str, None] = {}
    for mapping in crosswalk.mappings:
        new_ids.update(dict.fromkeys(mapping.new))
    for new_id in new_ids:
        rated = [(s, ratings[s]) for s in crosswalk.sources(new_id) if s in ratings]
        if not rated:
            continue
        lowest = min((r for _, (r, _) in rated), key=lambda r: r.rank)
        origins = [o for _, (_, trail) in rated for o in trail]
        if len(rated) > 1:
            listed = ", ".join(f"{s} {r.value}" for s, (r, _) in rated)
            notes.append(
                f"{new_id} (SFIA {new}) combines {listed} (SFIA {old}); the lower rating,"
                f" {lowest.value}, is kept."
            )
        result[new_id] = (lowest, origins)
    return result, notes


def _migrated_yaml(
    loaded: LoadedAssessment,
    skill: SkillVersion,
    ratings: dict[str, tuple[Rating, list[str]]],
    supports: dict[str, tuple[list[str], list[str]]],
    notes: list[str],
    old: int,
    kept: KeptComments,
) -> str:
    a = loaded.assessment
    subject: dict[str, object] = {"name": a.subject.name}
    lines = [
        comment(
            f"Migrated from SFIA {old} to SFIA {skill.sfia_version} by sfia-assess,"
            f" from {loaded.source}."
        ),
        "# Review every rating against the new statement text before relying on it; the comments",
        "# say where each came from, and migration_notes lists what could not be carried over.",
        *_kept_lines(kept.top, 0, f"Your comments in {loaded.source}:"),
        entry("sfia_version", skill.sfia_version),
        entry("skill", skill.code),
        "subject:",
        entry("name", a.subject.name, indent=2),
    ]
    if a.subject.id:
        lines.append(entry("id", a.subject.id, indent=2))
        subject["id"] = a.subject.id
    if a.subject.role:
        lines.append(entry("role", a.subject.role, indent=2))
        subject["role"] = a.subject.role
    assessor: dict[str, object] = {"name": a.assessor.name}
    lines += ["assessor:", entry("name", a.assessor.name, indent=2)]
    if a.assessor.id:
        lines.append(entry("id", a.assessor.id, indent=2))
        assessor["id"] = a.assessor.id
    assessor["relation"] = a.assessor.relation
    lines += [
        entry("relation", a.assessor.relation, indent=2),
        entry("assessed_on", a.assessed_on),
        entry("migrated_from", old),
        "",
        "ratings:" if ratings else "ratings: {}",
    ]
    written_ratings: dict[str, str] = {}
    for statement_id in skill.statements_by_id:
        if statement_id in ratings:
            rating, origins = ratings[statement_id]
            for origin in origins:
                old_id = origin.split(" (SFIA")[0]
                lines += _kept_lines(kept.by_rating.get(old_id, []), 2, f"On {origin}:")
            lines.append(comment(skill.statements_by_id[statement_id].text, indent=2))
            lines.append(
                entry(
                    statement_id,
                    rating.value,
                    indent=2,
                    note=f"migrated from {', '.join(origins)}",
                )
            )
            written_ratings[statement_id] = rating.value
    lines += ["", "evidence:" if a.evidence else "evidence: []"]
    written_evidence = []
    for index, item in enumerate(a.evidence):
        item_lines, item_data = _evidence_lines(item, supports[item.id], old)
        lines += item_lines
        lines += _kept_lines(kept.by_evidence.get(index, []), 4, "")
        written_evidence.append(item_data)
    written_responsibility: dict[str, object] = {}
    if a.responsibility:
        lines += [
            "",
            "responsibility:    # generic attributes: not version-specific, carried as is",
        ]
        for code, rated in a.responsibility.items():
            lines += [
                f"  {value(code)}:",
                entry("level", rated.level, indent=4),
                entry("evidence", list(rated.evidence), indent=4),
            ]
            written_responsibility[code] = {"level": rated.level, "evidence": list(rated.evidence)}
    lines += ["", "migration_notes:" if notes else "migration_notes: []"]
    lines += [f"  - {value(note)}" for note in notes]
    expected = {
        "sfia_version": skill.sfia_version,
        "skill": skill.code,
        "subject": subject,
        "assessor": assessor,
        "assessed_on": a.assessed_on,
        "migrated_from": old,
        "ratings": written_ratings,
        "evidence": written_evidence,
        "migration_notes": notes,
    }
    if written_responsibility:
        expected["responsibility"] = written_responsibility
    return verified("\n".join(lines) + "\n", expected, "the migrated file")


def _kept_lines(texts: list[str], indent: int, title: str) -> list[str]:
    if not texts:
        return []
    return [comment(t, indent=indent) for t in ([title] if title else []) + texts]


def _evidence_lines(
    item: Evidence, supports: tuple[list[str], list[str]], old: int
) -> tuple[list[str], dict[str, object]]:
    """An evidence item's lines, and the data they must read back as."""
    current, original = supports
    data: dict[str, object] = {
        "id": item.id,
        "summary": item.summary,
        "date": item.date,
        "kind": item.kind.value,
        "supports": current,
    }
    out = [
        "  - " + entry("id", item.id),
        *block_entry("summary", item.summary, indent=4),
        entry("date", item.date, indent=4),
        entry("kind", item.kind.value, indent=4),
        entry(
            "supports",
            current,
            indent=4,
            note=f"was {', '.join(original) or 'nothing'} (SFIA {old})",
        ),
    ]
    if item.reference:
        out.append(entry("reference", item.reference, indent=4))
        data["reference"] = item.reference
    if item.verified_by:
        out.append(entry("verified_by", item.verified_by, indent=4))
        data["verified_by"] = item.verified_by
    return out, data
