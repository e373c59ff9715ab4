"""A role profile HR can publish, as Markdown, JSON, HTML or PDF."""

from __future__ import annotations

from typing import Any

from ..core.profiles import RoleProfile
from . import Format, Options, Renderer
from .json import dumps
from .templating import render_page


def render_markdown(profile: RoleProfile, options: Options) -> str:
    out = [f"# {profile.title}", "", f"**Purpose.** {profile.purpose}", ""]
    for item in profile.skills:
        skill, essence = item.skill, item.responsibility
        out += [
            f"## {skill.name} ({skill.code}) \u2014 level {item.level}, SFIA {skill.sfia_version}",
            "",
            f"**Level of responsibility: {item.level} \u2014 {essence.name}.** {essence.essence}",
            "",
            "### Responsibilities, and the evidence that typically shows each",
            "",
        ]
        for statement in item.statements:
            out.append(f"- {statement.text} ({statement.id})")
            out += [f"  - {example}" for example in statement.evidence_examples]
        if skill.related_skills:
            out += ["", "### Related skills", "", ", ".join(skill.related_skills)]
        out.append("")
    if profile.responsibility_note:
        out += [f"*{profile.responsibility_note}*", ""]
    out += ["---", ""]
    out += [item.skill.attribution for item in profile.skills]
    return "\n".join(out) + "\n"


def render_json(profile: RoleProfile, options: Options) -> str:
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
    return dumps(data)


def render_html(profile: RoleProfile, options: Options) -> str:
    title = f"Role profile: {profile.title}"
    return render_page(
        "profile.html.j2",
        options,
        title=title,
        attribution=profile.main.skill.attribution,
        description=f"Role profile for {profile.title}",
        profile=profile,
        skill=profile.main.skill,
    )


RENDERERS: dict[Format, Renderer] = {
    Format.MD: render_markdown,
    Format.HTML: render_html,
    Format.JSON: render_json,
}
