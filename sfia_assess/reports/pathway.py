"""A skill's career pathway, each level and what changes from the one below: Markdown, HTML, PDF."""

from __future__ import annotations

from ..profiles import Pathway
from ..templating import environment, page
from . import Format, Options, Renderer


def render_markdown(path: Pathway, options: Options) -> str:
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


def render_html(path: Pathway, options: Options) -> str:
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
                created=options.date,
                modified=options.date,
                paper=options.paper,
            ),
        )
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_markdown,
    Format.MD: render_markdown,
    Format.HTML: render_html,
}
