"""The fit of people to roles as text, JSON, HTML and PDF; nothing here recomputes a level."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..core.fit import FitReport, PersonFit, RoleFit, SkillFit
from . import Format, Options, Renderer
from .gap.model import REASON_LABELS
from .json import dumps
from .templating import render_page
from .terminal import draw


def role_verdict(role: RoleFit) -> str:
    """`ready (2 of 2 skills met)` or `not yet (1 of 2 skills met, 60% of the way)`."""
    counted = f"{role.skills_met} of {len(role.skills)} skills met"
    if role.met:
        return f"ready ({counted})"
    return f"not yet ({counted}, {role.closeness:.0%} of the way)"


def skill_verdict(skill: SkillFit) -> str:
    if skill.met:
        return "met"
    if not skill.assessed:
        return "not assessed: no file for this skill"
    return (
        f"not met: {skill.still_needed} more level-{skill.required_level} statement(s) to"
        f" demonstrate ({skill.demonstrated_at_required} of {skill.statements_at_required},"
        f" {skill.needed_at_required} needed)"
    )


def _level(number: int | None) -> str:
    return "none" if number is None else str(number)


def agreed_with(reviewed_by: str | None) -> str:
    """` (agreed with Kim Ray)` for a level a manager's review agreed; '' for the person's own."""
    return "" if reviewed_by is None else f" (agreed with {reviewed_by})"


def met_rule(report: FitReport) -> str:
    """The sentence that says which level counts, for the report's basis."""
    if report.basis == "self":
        return (
            "A skill is met when the person's own level (as `assess` scores it) is at least the"
            " level the role needs; managers' reviews are left out."
        )
    return (
        "A skill is met when its level is at least the level the role needs: the level agreed"
        " in a manager's review where there is one, else the person's own."
    )


def _title(report: FitReport) -> str:
    if len(report.roles) == 1:
        return f"Fit to the role: {report.roles[0].title}"
    return "Fit to roles: " + ", ".join(role.title for role in report.roles)


def _attribution(report: FitReport) -> str:
    seen: dict[str, None] = {}
    for role in report.roles:
        for item in role.skills:
            seen.setdefault(item.skill.attribution, None)
    return " ".join(seen)


# -- text -------------------------------------------------------------------------------------


def render_text(report: FitReport, options: Options) -> str:
    def paint(console: Console) -> None:
        console.print(Text(_title(report), "bold"))
        for person in report.people:
            _paint_person(console, person)
        console.print()
        console.print(
            met_rule(report) + " The missing statements are the gaps `assess --target LEVEL` lists."
        )
        console.print(Text(_attribution(report), "dim"))

    return draw(paint, color=options.color)


def _paint_person(console: Console, person: PersonFit) -> None:
    console.print()
    heading = person.name + (f" \u2014 {person.job_title}" if person.job_title else "")
    console.print(Text(heading, "bold"))
    console.print(Text("files: " + ", ".join(person.sources), "dim"))
    if person.generic_level is not None:
        console.print(
            f"generic level of responsibility given: {person.generic_level}"
            f" (from {person.generic_source})"
        )
    for role in person.roles:
        console.print()
        console.print(Text(f"  {role.title}: {role_verdict(role)}", "bold"))
        remark = person.generic_remark(role)
        if remark:
            console.print(Padding(remark, (0, 0, 0, 4)))
        for skill in role.skills:
            line = (
                f"{skill.code} {skill.name}: required {skill.required_level}, demonstrated"
                f" {_level(skill.demonstrated_level)}{agreed_with(skill.reviewed_by)}"
                f" \u2014 {skill_verdict(skill)}"
            )
            console.print(Padding(line, (0, 0, 0, 4)))
            if skill.missing:
                console.print(_missing_table(skill))
    for other in person.other_skills:
        console.print(
            f"  also assessed: {other.code} {other.name}, level"
            f" {_level(other.demonstrated_level)}{agreed_with(other.reviewed_by)} ({other.source})"
        )


def _missing_table(skill: SkillFit) -> Padding:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column()
    for gap in skill.missing:
        table.add_row(gap.id, f"{gap.text} ({REASON_LABELS[gap.reason]})")
    return Padding(table, (0, 0, 0, 6))


# -- JSON -------------------------------------------------------------------------------------


def _skill_json(skill: SkillFit) -> dict[str, Any]:
    return {
        "code": skill.code,
        "name": skill.name,
        "required_level": skill.required_level,
        "demonstrated_level": skill.demonstrated_level,
        "basis": skill.basis,
        "reviewed_by": skill.reviewed_by,
        "met": skill.met,
        "assessed": skill.assessed,
        "source": skill.source,
        "statements_at_required": skill.statements_at_required,
        "demonstrated_at_required": skill.demonstrated_at_required,
        "needed_at_required": skill.needed_at_required,
        "still_needed": skill.still_needed,
        "missing": [
            {
                "id": gap.id,
                "level": gap.level,
                "text": gap.text,
                "reason": str(gap.reason),
                "suggestions": list(gap.suggestions),
            }
            for gap in skill.missing
        ],
    }


def render_json(report: FitReport, options: Options) -> str:
    data = {
        "basis": report.basis,
        "roles": [
            {
                "title": role.title,
                "source": role.source,
                "sfia_version": role.sfia_version,
                "skills": [{"code": s.skill.code, "level": s.level} for s in role.skills],
            }
            for role in report.roles
        ],
        "people": [
            {
                "name": person.name,
                "role": person.job_title,
                "sources": list(person.sources),
                "generic_level": person.generic_level,
                "generic_source": person.generic_source,
                "roles": [
                    {
                        "title": role.title,
                        "source": role.source,
                        "met": role.met,
                        "skills_met": role.skills_met,
                        "closeness": round(role.closeness, 4),
                        "still_needed": role.still_needed,
                        "skills": [_skill_json(skill) for skill in role.skills],
                        "generic_remark": person.generic_remark(role),
                    }
                    for role in person.roles
                ],
                "other_skills": [
                    {
                        "code": other.code,
                        "name": other.name,
                        "demonstrated_level": other.demonstrated_level,
                        "reviewed_by": other.reviewed_by,
                        "source": other.source,
                    }
                    for other in person.other_skills
                ],
            }
            for person in report.people
        ],
    }
    return dumps(data)


# -- HTML (the PDF is made from it) -----------------------------------------------------------


def render_html(report: FitReport, options: Options) -> str:
    title = _title(report)
    return render_page(
        "fit.html.j2",
        options,
        title=title,
        attribution=_attribution(report),
        description=title,
        report=report,
        skill=report.roles[0].main.skill,
        role_verdict=role_verdict,
        skill_verdict=skill_verdict,
        agreed_with=agreed_with,
        met_rule=met_rule(report),
        reason_labels=REASON_LABELS,
        generated_on=options.date,
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.HTML: render_html,
}
