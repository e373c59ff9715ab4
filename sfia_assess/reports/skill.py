"""How a skill reads in a terminal, in Markdown and in JSON (`skills`, `skill`)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.catalog import Level, LevelsOfResponsibility, SkillVersion
from . import Format, Options, Renderer
from .json import dumps
from .terminal import draw


@dataclass(frozen=True)
class SkillList:
    """Every skill version the tool knows (`skills`)."""

    skills: tuple[SkillVersion, ...]


@dataclass(frozen=True)
class SkillPage:
    """One skill version, all its levels or `only` one (`skill`)."""

    skill: SkillVersion
    responsibility: LevelsOfResponsibility
    only: int | None


def skills_text(view: SkillList, options: Options) -> str:
    skills = view.skills
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("Code", "Name", "SFIA versions", "Defined levels"):
        table.add_column(column)
    by_code: dict[str, list[SkillVersion]] = {}
    for skill in skills:
        by_code.setdefault(skill.code, []).append(skill)
    for code, versions in sorted(by_code.items()):
        newest = versions[-1]
        table.add_row(
            code,
            newest.name,
            ", ".join(str(v.sfia_version) for v in versions),
            "; ".join(
                f"{v.sfia_version}: {', '.join(str(n) for n in v.defined_levels)}" for v in versions
            ),
        )
    return draw(lambda console: console.print(table), color=options.color)


def skills_json(view: SkillList, options: Options) -> str:
    data = [
        {
            "code": s.code,
            "name": s.name,
            "version": s.sfia_version,
            "category": s.category,
            "subcategory": s.subcategory,
            "defined_levels": list(s.defined_levels),
        }
        for s in view.skills
    ]
    return dumps(data)


def _levels(skill: SkillVersion, only: int | None) -> list[Level]:
    return [skill.level(only)] if only is not None else list(skill.levels)


def skill_text(view: SkillPage, options: Options) -> str:
    def paint(console: Console) -> None:
        _paint_skill(console, view.skill, view.responsibility, view.only)

    return draw(paint, color=options.color)


def _paint_skill(
    console: Console, skill: SkillVersion, responsibility: LevelsOfResponsibility, only: int | None
) -> None:
    console.print(Text(f"{skill.name} ({skill.code}) \u2014 SFIA {skill.sfia_version}", "bold"))
    console.print(f"{skill.category} / {skill.subcategory}")
    if skill.source_note:
        console.print(Text(skill.source_note, "yellow"))
    console.print()
    console.print(skill.description)
    if only is None:
        console.print()
        console.print(Text("Guidance notes", "bold"))
        console.print(skill.guidance_notes)
    console.print()
    console.print("Defined levels: " + ", ".join(str(n) for n in skill.defined_levels))
    for level in _levels(skill, only):
        essence = responsibility.level(level.level)
        console.print()
        console.print(Text(f"Level {level.level} \u2014 {essence.name}", "bold"))
        console.print(Text(f"Essence: {essence.essence}", "italic"))
        for statement in level.statements:
            console.print(Text.assemble(f"  {statement.id}  ", statement.text))
    console.print()
    console.print(Text(skill.attribution, "dim"))


def skill_markdown(view: SkillPage, options: Options) -> str:
    skill, responsibility, only = view.skill, view.responsibility, view.only
    lines = [f"# {skill.name} ({skill.code}), SFIA {skill.sfia_version}", ""]
    lines += [f"*{skill.category} / {skill.subcategory}*", ""]
    if skill.source_note:
        lines += [f"> {skill.source_note}", ""]
    lines += [skill.description, ""]
    if only is None:
        lines += ["## Guidance notes", "", skill.guidance_notes, ""]
    for level in _levels(skill, only):
        essence = responsibility.level(level.level)
        lines += [f"## Level {level.level} \u2014 {essence.name}", "", f"*{essence.essence}*", ""]
        lines += [f"- **{s.id}** {s.text}" for s in level.statements]
        lines.append("")
    lines += ["---", "", skill.attribution, ""]
    return "\n".join(lines)


def skill_json(view: SkillPage, options: Options) -> str:
    skill, responsibility, only = view.skill, view.responsibility, view.only
    data = {
        "code": skill.code,
        "name": skill.name,
        "version": skill.sfia_version,
        "category": skill.category,
        "subcategory": skill.subcategory,
        "description": skill.description,
        "guidance_notes": skill.guidance_notes,
        "source_note": skill.source_note,
        "related_skills": list(skill.related_skills),
        "defined_levels": list(skill.defined_levels),
        "attribution": skill.attribution,
        "levels": [
            {
                "level": level.level,
                "name": responsibility.level(level.level).name,
                "essence": responsibility.level(level.level).essence,
                "statements": [{"id": s.id, "text": s.text} for s in level.statements],
            }
            for level in _levels(skill, only)
        ],
    }
    return dumps(data)


SKILLS_RENDERERS: dict[Format, Renderer] = {Format.TEXT: skills_text, Format.JSON: skills_json}
RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: skill_text,
    Format.JSON: skill_json,
    Format.MD: skill_markdown,
}
