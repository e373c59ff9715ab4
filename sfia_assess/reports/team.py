"""The team view as a terminal table, JSON, or an HTML/PDF heatmap."""

from __future__ import annotations

import dataclasses

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..team import TeamView
from ..templating import environment, page
from . import Format, Options, Renderer
from .json import dumps
from .terminal import draw


def render_text(view: TeamView, options: Options) -> str:
    def paint(console: Console) -> None:
        skill = view.skill
        console.print(
            Text(f"Team view: {skill.name} ({skill.code}), SFIA {skill.sfia_version}", "bold")
        )
        console.print(f"{len(view.people)} people")
        console.print()
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("Person")
        table.add_column("Level", justify="right")
        for level in view.levels:
            table.add_column(f"L{level}", justify="right")
        table.add_column("Gaps", justify="right")
        for person in view.people:
            cells = [
                Text(f"{c:.0%}", "bold green" if reached else "")
                for c, reached in zip(person.coverage, person.reached, strict=True)
            ]
            table.add_row(
                person.name,
                str(person.recommended_level or "-"),
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


def render_json(view: TeamView, options: Options) -> str:
    data = dataclasses.asdict(view)
    skill = view.skill
    data["skill"] = {"code": skill.code, "name": skill.name, "version": skill.sfia_version}
    return dumps(data)


def _shade(coverage: float) -> str:
    light = round(255 - coverage * 170)
    return f"rgb({light}, {min(255, light + 20)}, 255)"


def render_html(view: TeamView, options: Options) -> str:
    skill = view.skill
    title = f"Team view: {skill.name} ({skill.code}), SFIA {skill.sfia_version}"
    return (
        environment()
        .get_template("team.html.j2")
        .render(
            view=view,
            skill=skill,
            shade=_shade,
            most=max((count for _, count in view.distribution), default=1) or 1,
            **page(
                title=title,
                attribution=skill.attribution,
                author="sfia-assess",
                description=f"Team view of {len(view.people)} people",
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
