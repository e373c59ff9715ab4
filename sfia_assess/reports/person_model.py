"""One person's assessments in several skills, gathered for one report (nothing rescored)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.assessment import LoadedAssessment
from ..core.catalog import Catalog, SkillVersion
from ..core.fit import group_by_person
from ..core.responsibility import generic_responsibility
from ..core.result import GenericResponsibility, Result
from ..errors import SfiaAssessError
from .gap.model import GapReport, build_report


@dataclass(frozen=True)
class SkillSection:
    """One skill's gap report, with the person's generic level set beside this skill's level."""

    report: GapReport
    generic: GenericResponsibility | None
    note: str | None


@dataclass(frozen=True)
class PersonReport:
    name: str
    role: str | None
    sections: tuple[SkillSection, ...]
    generic_source: str | None
    generated_on: dt.date

    @property
    def generic(self) -> GenericResponsibility | None:
        return self.sections[0].generic


def check_one_person(files: Sequence[LoadedAssessment]) -> None:
    """Refuse files about different people (naming them), or one skill twice."""
    groups = group_by_person(files)
    if len(groups) > 1:
        listed = ", ".join(
            f"{loaded.source} ({loaded.assessment.subject.name})"
            for group in groups
            for loaded in group
        )
        raise SfiaAssessError(
            f"these files are about different people: {listed}; give the files of one person"
            " (use `team` or `batch` for several)"
        )


def own_text_note(skill: SkillVersion) -> str | None:
    """Say so when a skill has none of our development suggestions or evidence examples."""
    statements = skill.statements_by_id.values()
    if any(s.development or s.evidence_examples for s in statements):
        return None
    return (
        f"{skill.name} ({skill.code}) has no development suggestions or evidence examples from"
        " sfia-assess (it was imported, or written without them): its gaps list none."
    )


def person_report(
    files: Sequence[LoadedAssessment],
    results: Sequence[Result],
    catalog: Catalog,
    generated_on: dt.date,
) -> PersonReport:
    """The person's skills in the order given; the generic level is taken from the most recent
    file that has a `responsibility:` block and set beside each skill's level."""
    check_one_person(files)
    rated = [f for f in files if f.assessment.responsibility]
    latest = max(rated, key=lambda f: f.assessment.assessed_on) if rated else None
    sections = tuple(
        SkillSection(
            report=build_report(result, catalog, generated_on),
            generic=generic_responsibility(
                latest.assessment.responsibility, result.recommended_level
            )
            if latest
            else None,
            note=own_text_note(loaded.skill),
        )
        for loaded, result in zip(files, results, strict=True)
    )
    subject = files[0].assessment.subject
    return PersonReport(
        name=subject.name,
        role=subject.role,
        sections=sections,
        generic_source=latest.source if latest else None,
        generated_on=generated_on,
    )
