"""A skill's career pathway, each level and what changes from the one below: Markdown, HTML, PDF."""

from __future__ import annotations

from ..core.profiles import Pathway
from ..core.progression import StatementChange
from . import Format, Options, Renderer
from .templating import render_page


def change_note(change: StatementChange, level: int) -> str:
    """`Stronger verb: ensures, where level 3 documents, communicates (USUP-3.6).`"""
    source = change.grows_from
    if source is None:
        return ""
    if change.same_verb:
        return f"Same verb, wider reach than level {level} ({source.id})."
    return (
        f"Stronger verb: *{change.verbs.lower()}*, where level {level}"
        f" *{(change.grows_from_verbs or '').lower()}* ({source.id})."
    )


def render_markdown(path: Pathway, options: Options) -> str:
    skill = path.skill
    out = [f"# Career pathway: {skill.name} ({skill.code}), SFIA {skill.sfia_version}", ""]
    out += [skill.description, ""]
    for step in path.steps:
        essence = step.responsibility
        out += [f"## Level {step.level} \u2014 {essence.name}", "", f"*{essence.essence}*", ""]
        if step.below is None:
            out += [f"- **{s.id}** {s.text}" for s in step.statements]
        else:
            below = step.below.level
            out += [
                f"**What changes from level {below} ({step.below.name}):**"
                f" {len(step.statements)} statement(s) here instead of {step.below_statements}.",
                "",
            ]
            if step.new:
                out += [f"New at level {step.level}:", ""]
                out += [f"- **{c.statement.id}** {c.statement.text}" for c in step.new]
                out.append("")
            if step.grown:
                out += [f"Grown from level {below}:", ""]
                out += [
                    f"- **{c.statement.id}** {c.statement.text} {change_note(c, below)}"
                    for c in step.grown
                ]
            if out[-1] == "":
                out.pop()
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
    return render_page(
        "pathway.html.j2",
        options,
        title=title,
        attribution=skill.attribution,
        description=f"Career pathway for {skill.name}",
        path=path,
        skill=skill,
        change_note=change_note,
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_markdown,
    Format.MD: render_markdown,
    Format.HTML: render_html,
}
