"""The starter files `init` writes: a self-assessment to fill in, and a manager's review of one."""

from __future__ import annotations

import datetime as dt

from ..errors import AssessmentError
from ..files.yamlwriter import comment, entry, verified
from .assessment import (
    PLACEHOLDER_NAME,
    PLACEHOLDER_ROLE,
    PLACEHOLDER_SUMMARY,
    EvidenceKind,
    LoadedAssessment,
    Rating,
)
from .catalog import LevelsOfResponsibility, SkillVersion
from .policy import Policy


def levels_for(skill: SkillVersion, level: int | None) -> list[int]:
    """Level N and the one above it (when defined), or every defined level."""
    if level is None:
        return list(skill.defined_levels)
    skill.level(level)  # raises when not defined
    return [n for n in skill.defined_levels if n in (level, level + 1)]


def self_assessment_template(
    skill: SkillVersion,
    responsibility: LevelsOfResponsibility,
    policy: Policy,
    *,
    level: int | None,
    today: dt.date,
) -> str:
    levels = levels_for(skill, level)
    ratings = " | ".join(r.value for r in Rating)
    kinds = " | ".join(k.value for k in EvidenceKind)
    lines = [
        comment(f"sfia-assess assessment: {skill.name} ({skill.code}), SFIA {skill.sfia_version}"),
        "#",
        "# 1. Fill in who is assessed and who assesses.",
        f"# 2. Rate each statement by how often you do it: {ratings}.",
        "# 3. Add evidence: what you did, when, and which statements it supports.",
        f"#    A statement counts as demonstrated when it is rated {policy.rating_threshold.value}"
        " or higher AND at least",
        f"#    {policy.min_evidence_per_statement} evidence item(s) dated no more than"
        f" {policy.evidence_max_age_years} years before assessed_on support it.",
        "#    A rating alone demonstrates nothing.",
        "# 4. Check the file with `sfia-assess validate FILE`, then run `sfia-assess assess FILE`.",
        comment(f"Statement texts: {skill.attribution}"),
        "",
        f"sfia_version: {skill.sfia_version}",
        entry("skill", skill.code),
        "subject:",
        entry("name", PLACEHOLDER_NAME, indent=2),
        entry("role", PLACEHOLDER_ROLE, indent=2),
        "assessor:",
        entry("name", PLACEHOLDER_NAME, indent=2),
        "  relation: self            # self | manager | peer | assessor",
        f"assessed_on: {today.isoformat()}",
    ]
    data: dict[str, object] = {
        "sfia_version": skill.sfia_version,
        "skill": skill.code,
        "subject": {"name": PLACEHOLDER_NAME, "role": PLACEHOLDER_ROLE},
        "assessor": {"name": PLACEHOLDER_NAME, "relation": "self"},
        "assessed_on": today,
    }
    if level is not None:
        above = [n for n in skill.defined_levels if n > level]
        if above:
            lines.append(f"target_level: {above[0]}           # the level you are working towards")
            data["target_level"] = above[0]
    else:
        lines.append("# target_level: 4           # optional: the level you are working towards")
    lines += ["", "ratings:"]
    data["ratings"] = {
        s.id: Rating.NOT_YET.value for number in levels for s in skill.level(number).statements
    }
    for number in levels:
        essence = responsibility.level(number)
        lines.append(comment(f"Level {number} - {essence.name}: {essence.essence}", indent=2))
        for statement in skill.level(number).statements:
            lines.append(comment(statement.text, indent=2))
            lines.append(entry(statement.id, Rating.NOT_YET.value, indent=2))
        lines.append("")
    lines += [
        "evidence:",
        "  # One item per piece of evidence; copy the block for more.",
        "  - id: e1",
        entry("summary", PLACEHOLDER_SUMMARY, indent=4),
        f"    date: {today.isoformat()}",
        f"    kind: work-record        # {kinds}",
        "    supports: []             # statement ids this shows, e.g. "
        f"[{skill.level(levels[0]).statements[0].id}]",
        "    # reference: INC-12345   # optional: ticket, document or link",
        "    # verified_by: A. Manager  # optional: who can confirm it",
        "",
        "# Optional: your level (1-7) in each SFIA generic attribute (`sfia-assess attributes`),",
        "# with the ids of the evidence that shows it. Reports set your generic level of",
        "# responsibility beside the skill level; it never changes the score.",
        "# responsibility:",
        "#   AUTO: {level: 3, evidence: [e1]}   # Autonomy",
        "#   INFL: 3                            # Influence",
        "#   COMP: 3                            # Complexity",
        "#   KNGE: 3                            # Knowledge",
        "",
    ]
    data["evidence"] = [
        {
            "id": "e1",
            "summary": PLACEHOLDER_SUMMARY,
            "date": today,
            "kind": EvidenceKind.WORK_RECORD.value,
            "supports": [],
        }
    ]
    return verified("\n".join(lines), data, "the assessment template")


def manager_template(own: LoadedAssessment, *, today: dt.date) -> str:
    """A reviewer's file for `own`: the person's details, and each statement they rated.

    The self ratings are shown as comments; the manager's rating lines start commented out, so a
    statement the manager does not touch keeps the self rating.
    """
    assessment, skill = own.assessment, own.skill
    if assessment.assessor.relation != "self":
        raise AssessmentError.single(
            own.source,
            f"is {assessment.assessor.name}'s review (relation: {assessment.assessor.relation});"
            " a review template is made from the person's self-assessment: give that file",
        )
    ratings = " | ".join(r.value for r in Rating)
    subject = assessment.subject
    data: dict[str, object] = {
        "sfia_version": skill.sfia_version,
        "skill": skill.code,
        "subject": {"name": subject.name},
        "assessor": {"name": PLACEHOLDER_NAME, "relation": "manager"},
        "assessed_on": today,
    }
    lines = [
        comment(
            f"sfia-assess review: {subject.name}, {skill.name} ({skill.code}),"
            f" SFIA {skill.sfia_version}"
        ),
        comment(f"Reviewing {own.source}, assessed on {assessment.assessed_on.isoformat()}."),
        "#",
        "# For each statement where you see it differently, uncomment the line and rate it:",
        f"# {ratings}.",
        "# Where you leave a line commented out, the self rating stands.",
        "# Add your own evidence (observations, feedback) below; evidence from both files counts.",
        "# Then run: sfia-assess review SELF.yaml THIS.yaml",
        "",
        entry("sfia_version", skill.sfia_version),
        entry("skill", skill.code),
        "subject:",
        entry("name", subject.name, indent=2),
    ]
    written: dict[str, str] = {"name": subject.name}
    if subject.id:
        lines.append(entry("id", subject.id, indent=2))
        written["id"] = subject.id
    if subject.role:
        lines.append(entry("role", subject.role, indent=2))
        written["role"] = subject.role
    data["subject"] = written
    lines += [
        "assessor:",
        "  name: Your Name",
        "  relation: manager",
        entry("assessed_on", today),
    ]
    if assessment.target_level is not None:
        lines.append(entry("target_level", assessment.target_level))
        data["target_level"] = assessment.target_level
    rated = [s for s in skill.statements_by_id if s in assessment.ratings]
    lines += ["", "ratings:" if rated else "ratings: {}"]
    data["ratings"] = None if rated else {}
    for statement_id in rated:
        statement = skill.statements_by_id[statement_id]
        self_rating = assessment.ratings[statement_id].value
        lines.append(comment(statement.text, indent=2))
        lines.append(comment(f"self: {self_rating}", indent=2))
        lines.append(comment(entry(statement_id, self_rating), indent=2))
    lines += [
        "evidence:",
        "  # - id: m1",
        "  #   summary: What you observed, when, and the outcome.",
        f"  #   date: {today.isoformat()}",
        "  #   kind: observation",
        "  #   supports: []",
        "",
    ]
    data["evidence"] = None
    return verified("\n".join(lines), data, "the review template")
