"""Role profiles and career pathways as Markdown, text, JSON, HTML and PDF."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..profiles import Pathway, RoleProfile
from ..templating import environment, page


def profile_markdown(profile: RoleProfile) -> str:
    out = [f"# {profile.title}", "", f"**Purpose.** {profile.purpose}", ""]
    for item in profile.skills:
        skill, essence = item.skill, item.responsibility
        out += [
            f"## {skill.name} ({skill.code}) \u2014 level {item.level}, SFIA {skill.sfia_version}",
            "",
            f"**Level of responsibility: {item.level} \u2014 {essence.name}.** {essence.essence}",
            "",
            "### Responsibilities",
            "",
        ]
        out += [f"- {s.text} ({s.id})" for s in item.statements]
        examples = [e for s in item.statements for e in s.evidence_examples]
        if examples:
            out += ["", "### Evidence that typically shows them", ""]
            out += [f"- {e}" for e in examples]
        if skill.related_skills:
            out += ["", "### Related skills", "", ", ".join(skill.related_skills)]
        out.append("")
    if profile.responsibility_note:
        out += [f"*{profile.responsibility_note}*", ""]
    out += ["---", ""]
    out += [item.skill.attribution for item in profile.skills]
    return "\n".join(out) + "\n"


def profile_json(profile: RoleProfile) -> str:
    data: dict[str, Any] = {
        "title": profile.title,
        "purpose": profile.purpose,
        "sfia_version": profile.sfia_version,
        "skills": [
            {
                "code": item.skill.code,
                "name": item.skill.name,
                "level": item.level,
                "level_name": item.responsibility.name,
                "essence": item.responsibility.essence,
                "responsibilities": [{"id": s.id, "text": s.text} for s in item.statements],
                "evidence_examples": [e for s in item.statements for e in s.evidence_examples],
                "related_skills": list(item.skill.related_skills),
                "attribution": item.skill.attribution,
            }
            for item in profile.skills
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def profile_html(profile: RoleProfile, *, today: dt.date, paper: str = "a4") -> str:
    title = f"Role profile: {profile.title}"
    return (
        environment()
        .get_template("profile.html.j2")
        .render(
            profile=profile,
            skill=profile.main.skill,
            **page(
                title=title,
                attribution=profile.main.skill.attribution,
                author="sfia-assess",
                description=f"Role profile for {profile.title}",
                created=today,
                modified=today,
                paper=paper,
            ),
        )
    )


def pathway_markdown(path: Pathway) -> str:
    skill = path.skill
    out = [f"# Career pathway: {skill.name} ({skill.code}), SFIA {skill.sfia_version}", ""]
    out += [skill.description, ""]
    for step in path.steps:
        essence = step.responsibility
        out += [f"## Level {step.level} \u2014 {essence.name}", "", f"*{essence.essence}*", ""]
        if step.below is not None:
            out += [
                f"**What changes from level {step.below.level} ({step.below.name}):** the"
                f" responsibility moves from \u201c{step.below.essence}\u201d to"
                f" \u201c{essence.essence}\u201d. The skill asks for"
                f" {len(step.statements)} statement(s) here instead of {step.below_statements}:",
                "",
            ]
        out += [f"- **{s.id}** {s.text}" for s in step.statements]
        if step.development:
            out += ["", "How to grow into it:", ""]
            out += [f"- {d}" for d in step.development[:3]]
        out.append("")
    if path.responsibility_note:
        out += [f"*{path.responsibility_note}*", ""]
    out += ["---", "", skill.attribution]
    return "\n".join(out) + "\n"


def pathway_html(path: Pathway, *, today: dt.date, paper: str = "a4") -> str:
    skill = path.skill
    title = f"Career pathway: {skill.name} ({skill.code}), SFIA {skill.sfia_version}"
    return (
        environment()
        .get_template("pathway.html.j2")
        .render(
            path=path,
            skill=skill,
            **page(
                title=title,
                attribution=skill.attribution,
                author="sfia-assess",
                description=f"Career pathway for {skill.name}",
                created=today,
                modified=today,
                paper=paper,
            ),
        )
    )
