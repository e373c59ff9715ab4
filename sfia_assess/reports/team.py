"""The team view as a terminal table, JSON, or an HTML/PDF heatmap."""

from __future__ import annotations

import dataclasses

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.team import TeamMember, TeamView
from . import Format, Options, Renderer
from .json import dumps
from .templating import environment, page
from .terminal import draw


def render_text(view: TeamView, options: Options) -> str:
    def paint(console: Console) -> None:
        skill = view.skill
        console.print(
            Text(f"Team view: {skill.name} ({skill.code}), SFIA {skill.sfia_version}", "bold")
        )
        console.print(f"{_people(len(view.people))}; {_basis_note(view)}")
        console.print()
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("Person")
        table.add_column("Level", justify="right")
        table.add_column("Self" if view.basis == "agreed" else "Agreed", justify="right")
        for level in view.levels:
            table.add_column(f"L{level}", justify="right")
        table.add_column("Gaps", justify="right")
        for person in view.people:
            cells = [
                Text(f"{c:.0%}", "bold green" if reached else "")
                for c, reached in zip(person.coverage, person.reached, strict=True)
            ]
            other = person.self_level if view.basis == "agreed" else person.agreed_level
            table.add_row(
                _name(view, person),
                str(person.recommended_level or "-"),
                ""
                if person.agreed_level is None and person.reviewed_by is None
                else str(other or "-"),
                *cells,
                str(person.gaps),
            )
        console.print(table)
        console.print()
        console.print(Text("Level distribution", "bold"))
        for label, count in view.distribution:
            console.print(f"  {label:>4}: {'#' * count} {count}")
        console.print()
        if view.shared_gaps:
            console.print(Text("Gaps most of the team shares", "bold"))
            for gap in view.shared_gaps:
                console.print(f"  {gap.id}  {gap.people} people ({gap.share:.0%})  {gap.text}")
        if view.skipped:
            console.print()
            console.print(Text(f"Skipped ({len(view.skipped)})", "bold"))
            for line in view.skipped:
                console.print(f"  {line}")

    return draw(paint, color=options.color, width=120)


def _basis_note(view: TeamView) -> str:
    if view.basis == "agreed":
        return "level: agreed with the reviewer where there is a review, else self-assessed"
    return "level: self-assessed (where there is a review, the agreed level is shown beside it)"


def _name(view: TeamView, person: TeamMember) -> str:
    if person.sfia_version == view.skill.sfia_version:
        return person.name
    return f"{person.name} (SFIA {person.sfia_version})"


def render_json(view: TeamView, options: Options) -> str:
    data = dataclasses.asdict(view)
    for person in data["people"]:
        if person["id"] is None:  # files without ids give the same JSON as before ids
            del person["id"]
    skill = view.skill
    data["skill"] = {"code": skill.code, "name": skill.name, "version": skill.sfia_version}
    return dumps(data)


def shade(coverage: float) -> str:
    """A heatmap cell's background for a coverage from 0 to 1: lighter is less. The darkest
    keeps the page's text readable (axe-core's contrast check passes at 150, not at 170); the
    web dashboard and the PDF use the same."""
    light = round(255 - coverage * 150)
    return f"rgb({light}, {min(255, light + 15)}, 255)"


def render_html(view: TeamView, options: Options) -> str:
    skill = view.skill
    title = f"Team view: {skill.name} ({skill.code}), SFIA {skill.sfia_version}"
    return (
        environment()
        .get_template("team.html.j2")
        .render(
            view=view,
            skill=skill,
            shade=shade,
            basis_note=_basis_note(view),
            most=max((count for _, count in view.distribution), default=1) or 1,
            **page(
                title=title,
                attribution=skill.attribution,
                author="sfia-assess",
                description=f"Team view of {_people(len(view.people))}",
                created=options.date,
                modified=options.date,
                paper=options.paper,
            ),
        )
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.HTML: render_html,
}


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"
