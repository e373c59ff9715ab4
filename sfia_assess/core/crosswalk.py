"""Across SFIA versions: the statement crosswalks and `diff` between versions (`migrate` is
migrate.py)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import CatalogError, SfiaAssessError, UnknownSkillError
from ..files.validation import validated
from ..files.yamlfile import read_yaml
from .catalog import Catalog, SkillVersion

Relation = Literal["same", "reworded", "moved", "split", "merged", "new", "removed"]
StatementId = Annotated[str, Field(min_length=1)]


class Mapping(BaseModel):
    """Old statements -> new statements, and how they relate."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    old: tuple[StatementId, ...] = Field(alias="from")
    new: tuple[StatementId, ...] = Field(alias="to")
    relation: Relation
    note: str | None = None


class Crosswalk(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    skill: str
    from_version: int
    to_version: int
    mappings: tuple[Mapping, ...]

    def targets(self, old_id: str) -> list[str]:
        """New ids that an old statement's content went to, in order, without repeats."""
        found: dict[str, None] = {}
        for mapping in self.mappings:
            if old_id in mapping.old:
                found.update(dict.fromkeys(mapping.new))
        return list(found)

    def sources(self, new_id: str) -> list[str]:
        found: dict[str, None] = {}
        for mapping in self.mappings:
            if new_id in mapping.new:
                found.update(dict.fromkeys(mapping.old))
        return list(found)


def _shape_problem(mapping: Mapping) -> str | None:
    old, new, relation = len(mapping.old), len(mapping.new), mapping.relation
    if relation == "new" and (old or not new):
        return "a 'new' mapping has an empty `from` and at least one `to`"
    if relation == "removed" and (new or not old):
        return "a 'removed' mapping has at least one `from` and an empty `to`"
    if relation == "split" and (old != 1 or new < 2):
        return "a 'split' mapping has one `from` and several `to`"
    if relation == "merged" and (old < 2 or new != 1):
        return "a 'merged' mapping has several `from` and one `to`"
    if relation in ("same", "reworded", "moved") and (old != 1 or new != 1):
        return f"a '{relation}' mapping has exactly one `from` and one `to`"
    return None


def load_crosswalk(catalog: Catalog, code: str, old: int, new: int) -> Crosswalk:
    """The crosswalk file of one version step, checked against both versions' statements."""
    code = catalog.check_code(code)
    folder = catalog.folder_of(code)
    name = f"crosswalk-{old}-{new}.yaml"
    source = folder.joinpath(name)
    if not source.is_file():
        raise UnknownSkillError(f"there is no crosswalk from SFIA {old} to SFIA {new} for {code}")
    display = f"skills/{code}/{name}"
    document = read_yaml(source, display_name=display)
    crosswalk = validated(document, Crosswalk, error=CatalogError)
    before, after = catalog.skill(code, old), catalog.skill(code, new)
    problems = []
    for i, mapping in enumerate(crosswalk.mappings):
        shape = _shape_problem(mapping)
        if shape:
            problems.append(document.problem(("mappings", i, "relation"), shape))
        for key, ids, skill in (("from", mapping.old, before), ("to", mapping.new, after)):
            for j, statement_id in enumerate(ids):
                if statement_id not in skill.statements_by_id:
                    problems.append(
                        document.problem(
                            ("mappings", i, key, j),
                            f"{statement_id} is not a statement of SFIA {skill.sfia_version}",
                        )
                    )
    covered_old = {s for m in crosswalk.mappings for s in m.old}
    covered_new = {s for m in crosswalk.mappings for s in m.new}
    for skill, covered in ((before, covered_old), (after, covered_new)):
        missing = [s for s in skill.statements_by_id if s not in covered]
        if missing:
            problems.append(
                document.problem(
                    ("mappings",),
                    f"SFIA {skill.sfia_version} statements missing from the crosswalk: "
                    + ", ".join(missing),
                )
            )
    if problems:
        raise CatalogError(problems)
    return crosswalk


def steps(catalog: Catalog, code: str, old: int, new: int) -> list[Crosswalk]:
    """The chain of crosswalks from `old` to `new` (7 -> 9 is 7 -> 8 -> 9); forward only."""
    versions = catalog.versions(catalog.check_code(code))
    for version in (old, new):
        if version not in versions:
            listed = ", ".join(str(v) for v in versions)
            raise UnknownSkillError(f"{code} has no SFIA {version}; versions: {listed}")
    if new <= old:
        raise SfiaAssessError(
            f"can only go forward, from an older SFIA version to a newer one ({old} -> {new})"
        )
    chain = [v for v in versions if old <= v <= new]
    return [load_crosswalk(catalog, code, a, b) for a, b in itertools.pairwise(chain)]


# -- diff -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiffEntry:
    relation: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    old_text: tuple[str, ...]
    new_text: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class LevelDiff:
    level: int
    version: int
    summary: str
    entries: tuple[DiffEntry, ...]


@dataclass(frozen=True, slots=True)
class VersionDiff:
    code: str
    name: str
    from_version: int
    to_version: int
    old_levels: tuple[LevelDiff, ...]
    added: tuple[DiffEntry, ...]
    counts: dict[str, int]
    attribution: str


def diff(catalog: Catalog, code: str, old: int, new: int) -> VersionDiff:
    """What happened to each old level's statements, and what the new version added."""
    chain = steps(catalog, code, old, new)
    before, after = catalog.skill(code, old), catalog.skill(code, new)
    composed = _compose(chain, before, after)
    level_of_new = after.level_of_statement

    def entry(relation: str, olds: list[str], news: list[str], note: str | None) -> DiffEntry:
        return DiffEntry(
            relation,
            tuple(olds),
            tuple(news),
            tuple(before.statements_by_id[s].text for s in olds),
            tuple(after.statements_by_id[s].text for s in news),
            note,
        )

    levels = []
    for level in before.levels:
        entries = []
        destinations: Counter[int] = Counter()
        for statement in level.statements:
            for mapping in composed:
                if statement.id in mapping.old:
                    entries.append(
                        entry(mapping.relation, [statement.id], list(mapping.new), mapping.note)
                    )
                    destinations.update(level_of_new[s] for s in mapping.new)
        levels.append(
            LevelDiff(
                level.level, old, _summary(level.level, old, new, destinations), tuple(entries)
            )
        )
    added = tuple(entry("new", [], list(m.new), m.note) for m in composed if m.relation == "new")
    counts = Counter(m.relation for m in composed)
    return VersionDiff(
        before.code,
        after.name,
        old,
        new,
        tuple(levels),
        added,
        dict(sorted(counts.items())),
        after.attribution,
    )


def _summary(level: int, old: int, new: int, destinations: Counter[int]) -> str:
    if not destinations:
        return f"Level {level} in SFIA {old} has no counterpart in SFIA {new}."
    (top, count), total = destinations.most_common(1)[0], sum(destinations.values())
    where = f"level {top}" if top != level else f"level {level} (the same level)"
    share = "entirely" if count == total else "mostly"
    return f"Level {level} in SFIA {old} maps {share} to {where} in SFIA {new}."


def _compose(chain: list[Crosswalk], before: SkillVersion, after: SkillVersion) -> list[Mapping]:
    """One step's mappings as written, or several steps folded into direct old -> new mappings.

    Folded relations are derived from the result: one to one is same, reworded or moved (by text
    and level); one to many is split; nothing is removed.
    """
    if len(chain) == 1:
        return list(chain[0].mappings)
    out: list[Mapping] = []
    for old_id in before.statements_by_id:
        reached = [old_id]
        notes: list[str] = []
        for crosswalk in chain:
            step: dict[str, None] = {}
            for statement_id in reached:
                step.update(dict.fromkeys(crosswalk.targets(statement_id)))
                notes += [m.note for m in crosswalk.mappings if statement_id in m.old and m.note]
            reached = list(step)
        relation: Relation
        if not reached:
            relation = "removed"
        elif len(reached) > 1:
            relation = "split"
        elif after.level_of_statement[reached[0]] != before.level_of_statement[old_id]:
            relation = "moved"
        elif after.statements_by_id[reached[0]].text == before.statements_by_id[old_id].text:
            relation = "same"
        else:
            relation = "reworded"
        note = " Then: ".join(dict.fromkeys(notes)) or None
        out.append(Mapping(old=(old_id,), new=tuple(reached), relation=relation, note=note))
    reached_new = {s for m in out for s in m.new}
    out.extend(
        Mapping(old=(), new=(s,), relation="new", note=None)
        for s in after.statements_by_id
        if s not in reached_new
    )
    return out
