"""One person's skills as one report: a profile page, then each skill's gap report."""

from __future__ import annotations

import dataclasses
from typing import Any

from markupsafe import Markup

from . import Format, Options, Renderer
from .gap import html, text
from .gap.model import level_label
from .json import dumps
from .person_model import PersonReport
from .templating import environment, render_page
from .terminal import draw


def _label(level: int | None, person: PersonReport, index: int = 0) -> str:
    return level_label(level, person.sections[index].report)


def render_text(person: PersonReport, options: Options) -> str:
    heading = person.name + (f" \u2014 {person.role}" if person.role else "")
    lines = [f"{heading}: {len(person.sections)} skills", ""]
    width = max(len(s.report.skill.name) for s in person.sections)
    for section in person.sections:
        result = section.report.result
        target = result.target_level
        lines.append(
            f"  {result.skill.code:<6}{result.skill.name:<{width}}  SFIA {result.skill.version}"
            f"  level {level_label(result.recommended_level, section.report)}"
            + (f" (target {target})" if target else "")
        )
    generic = person.generic
    if generic is not None:
        given = ", ".join(f"{a.code} {a.level}" for a in generic.attributes)
        lines += [
            "",
            f"Generic level of responsibility: {_label(generic.level, person)} ({given};"
            f" from {person.generic_source})",
        ]
        lines += [
            f"  {s.report.result.skill.code}: {s.generic.note}"
            for s in person.sections
            if s.generic
        ]
    notes = [s.note for s in person.sections if s.note]
    if notes:
        lines += ["", *notes]
    color = options.color
    profile = draw(lambda console: console.print("\n".join(lines)), color=color)
    rule = "\n" + "\u2500" * 100 + "\n\n"
    return rule.join([profile, *(text.render(s.report, color=color) for s in person.sections)])


def render_json(person: PersonReport, options: Options) -> str:
    first = person.sections[0].report.result
    generic = person.generic
    data: dict[str, Any] = {
        "subject": dataclasses.asdict(first.subject),
        "responsibility": dataclasses.asdict(generic) if generic else None,
        "responsibility_source": person.generic_source,
        "skills": [
            {
                **dataclasses.asdict(section.report.result),
                "responsibility": dataclasses.asdict(section.generic) if section.generic else None,
                "skill_note": section.note,
            }
            for section in person.sections
        ],
    }
    return dumps(data)


def render_html(person: PersonReport, options: Options) -> str:
    paper = options.paper
    gap_report = environment().get_template("gap-report.html.j2")
    # The gap report's body block runs outside its template: give it the macros it imports.
    blocks = environment().get_template("_blocks.html.j2").module
    bodies = []
    for section in person.sections:
        context = {**html.context(section.report, paper=paper), "blocks": blocks}
        bodies.append(Markup("".join(gap_report.blocks["body"](gap_report.new_context(context)))))
    attributions = dict.fromkeys(s.report.skill.attribution for s in person.sections)
    title = f"Skills profile \u2014 {person.name}"
    return render_page(
        "person.html.j2",
        options,
        title=title,
        attribution=" ".join(attributions),
        description=title,
        author=person.name,
        created=person.generated_on,
        modified=person.generated_on,
        person=person,
        skill=person.sections[0].report.skill,
        bodies=bodies,
        level_label=level_label,
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.HTML: render_html,
}
