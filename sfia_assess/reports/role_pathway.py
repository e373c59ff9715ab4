"""The career pathways of a role's skills, one after another, each marked with the level the
role needs: Markdown, HTML (and PDF from it)."""

from __future__ import annotations

from ..core.profiles import RolePathway
from . import Format, Options, Renderer
from .pathway import change_note
from .pathway import render_markdown as skill_markdown
from .templating import render_page


def render_markdown(view: RolePathway, options: Options) -> str:
    out = [f"# Career pathways for {view.profile.title}", ""]
    for path, level in view.paths:
        out += [f"The role needs {path.skill.name} ({path.skill.code}) at level {level}.", ""]
        out.append(skill_markdown(path, options))
    return "\n".join(out)


def render_html(view: RolePathway, options: Options) -> str:
    return render_page(
        "role-pathway.html.j2",
        options,
        title=f"Career pathways: {view.profile.title}",
        attribution=view.profile.main.skill.attribution,
        description=f"Career pathways for the skills of {view.profile.title}",
        view=view,
        skill=view.profile.main.skill,
        change_note=change_note,
    )


RENDERERS: dict[Format, Renderer] = {
    Format.MD: render_markdown,
    Format.HTML: render_html,
}
