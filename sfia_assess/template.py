"""`init`: a commented assessment file, listing the statements to rate, ready to fill in."""

from __future__ import annotations

import datetime as dt

from .assessment import EvidenceKind, Rating
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
        f"# sfia-assess assessment: {skill.name} ({skill.code}), SFIA {skill.sfia_version}",
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
        f"# Statement texts: {skill.attribution}",
        "",
        f"sfia_version: {skill.sfia_version}",
        f"skill: {skill.code}",
        "subject:",
        "  name: Your Name",
        "  role: Your job title",
        "assessor:",
        "  name: Your Name",
        "  relation: self            # self | manager | peer | assessor",
        f"assessed_on: {today.isoformat()}",
    ]
    if level is not None:
        above = [n for n in skill.defined_levels if n > level]
        if above:
            lines.append(f"target_level: {above[0]}           # the level you are working towards")
    else:
        lines.append("# target_level: 4           # optional: the level you are working towards")
    lines += ["", "ratings:"]
    for number in levels:
        essence = responsibility.level(number)
        lines.append(f"  # Level {number} - {essence.name}: {essence.essence}")
        for statement in skill.level(number).statements:
            lines.append(f"  # {statement.text}")
            lines.append(f"  {statement.id}: not-yet")
        lines.append("")
    lines += [
        "evidence:",
        "  # One item per piece of evidence; copy the block for more.",
        "  - id: e1",
        "    summary: What you did and the outcome, with numbers where you can.",
        f"    date: {today.isoformat()}",
        f"    kind: work-record        # {kinds}",
        "    supports: []             # statement ids this shows, e.g. "
        f"[{skill.level(levels[0]).statements[0].id}]",
        "    # reference: INC-12345   # optional: ticket, document or link",
        "    # verified_by: A. Manager  # optional: who can confirm it",
        "",
    ]
    return "\n".join(lines)
