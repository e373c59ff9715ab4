"""A person's history as text, JSON, or an HTML/PDF page with a chart of the level over time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..core.catalog import Catalog
from ..core.history import History, HistoryRow
from ..errors import UnknownSkillError
from . import Format, Options, Renderer
from .json import dumps

if TYPE_CHECKING:
    from rich.console import Console

# rich and Jinja2 are imported by the format that needs them: `history` is a quick look-up.

_W, _H = 640, 270
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 50, 34, 40
_PAD = 24  # keeps the first and last points (and their date labels) off the edges
SELF_COLOUR, AGREED_COLOUR = "#1f5f8b", "#b35900"


@dataclass(frozen=True)
class HistoryView:
    """A person's history with the names of its skills and the framework's attribution."""

    history: History
    skill_names: dict[str, str]
    attribution: str = ""


def history_view(history: History, catalog: Catalog) -> HistoryView:
    """The history with each skill's name from `catalog` (a skill it lacks shows its code)."""
    names: dict[str, str] = {}
    attribution = ""
    for row in history.rows:
        try:
            skill = catalog.skill(row.skill, row.sfia_version)
        except UnknownSkillError:  # recorded with a --skills-dir not given now: code only
            continue
        names.setdefault(row.skill, skill.name)
        attribution = skill.attribution
    return HistoryView(history, names, attribution)


def _level(value: int | None) -> str:
    return str(value) if value is not None else "-"


def render_text(view: HistoryView, options: Options) -> str:
    from rich.table import Table
    from rich.text import Text

    from .terminal import draw

    history = view.history

    def paint(console: Console) -> None:
        console.print(Text(f"History: {history.person}", "bold"))
        known = [history.role or "", f"manager: {history.manager}" if history.manager else ""]
        if any(known):
            console.print(", ".join(k for k in known if k))
        console.print(f"{len(history.rows)} assessment(s)")
        console.print()
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("Date", "Skill", "Version", "Level", "Agreed", "Reviewed by", "Status"):
            table.add_column(column, justify="right" if column in ("Level", "Agreed") else "left")
        for row in history.rows:
            table.add_row(
                row.assessed_on.isoformat(),
                f"{row.skill} SFIA {row.sfia_version}",
                f"v{row.version}",
                _level(row.recommended_level),
                _level(row.agreed_level),
                row.reviewed_by or "",
                row.status,
            )
        console.print(table)

    return draw(paint, color=options.color, width=120)


def render_json(view: HistoryView, options: Options) -> str:
    return dumps({"schema_version": 1, **dataclasses.asdict(view.history)})


def level_chart(rows: Sequence[HistoryRow], skill: str) -> Markup:
    """The recommended (solid) and agreed (dashed) level over time, as inline SVG."""
    dates = [r.assessed_on for r in rows]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    plot_w = _W - _LEFT - _RIGHT - 2 * _PAD
    plot_h = _H - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        if first == last:
            return _LEFT + _PAD + plot_w / 2
        return _LEFT + _PAD + (day - first).days / span * plot_w

    def y(level: int | None) -> float:
        return _TOP + plot_h - (level or 0) / 7 * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_W}"'
        f' height="{_H}" viewBox="0 0 {_W} {_H}">',
        f"<title>{escape(skill)}: level over time (solid: recommended; dashed: agreed)</title>",
    ]
    for level in range(8):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(level):.1f}" x2="{_W - _RIGHT}" y2="{y(level):.1f}"'
            ' stroke="#dddddd" stroke-width="0.5"/>'
            f'<text x="{_LEFT - 8}" y="{y(level) + 4:.1f}" text-anchor="end" class="axis">'
            f"{'none' if level == 0 else f'Level {level}'}</text>"
        )
    for day in sorted(set(dates)):
        parts.append(
            f'<text x="{x(day):.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle"'
            f' class="axis">{day.isoformat()}</text>'
        )

    def marker(cx: float, cy: float, kind: str) -> str:
        if kind == "circle":
            return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{SELF_COLOUR}"/>'
        return (
            f'<rect x="{cx - 3.5:.1f}" y="{cy - 3.5:.1f}" width="7" height="7" fill="#ffffff"'
            f' stroke="{AGREED_COLOUR}" stroke-width="2"/>'
        )

    def series(values: list[tuple[dt.date, int | None]], colour: str, dash: str, kind: str) -> None:
        if not values:
            return
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in values)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
            f' stroke-dasharray="{dash}"/>'
        )
        parts.extend(marker(x(d), y(v), kind) for d, v in values)

    series([(r.assessed_on, r.recommended_level) for r in rows], SELF_COLOUR, "none", "circle")
    series(
        [(r.reviewed_on or r.assessed_on, r.agreed_level) for r in rows if r.reviewed_by],
        AGREED_COLOUR,
        "6,4",
        "square",
    )
    legend = [(SELF_COLOUR, "none", "circle", "self-assessment (evidence)")]
    legend.append((AGREED_COLOUR, "6,4", "square", "agreed with the manager"))
    for i, (colour, dash, kind, label) in enumerate(legend):
        left = _LEFT + i * 230
        parts += [
            f'<line x1="{left}" y1="12" x2="{left + 28}" y2="12" stroke="{colour}"'
            f' stroke-width="2" stroke-dasharray="{dash}"/>',
            marker(left + 14, 12, kind),
            f'<text x="{left + 36}" y="16">{label}</text>',
        ]
    parts.append("</svg>")
    svg = "".join(parts).replace(
        "<text ", '<text font-family="DejaVu Sans, sans-serif" font-size="11" fill="#111111" '
    )
    return Markup(svg)


def render_html(view: HistoryView, options: Options) -> str:
    from .templating import render_page

    history, skill_names = view.history, view.skill_names

    charts = []
    for code in sorted({r.skill for r in history.current}):
        rows = [r for r in history.current if r.skill == code]
        label = f"{skill_names.get(code, code)} ({code})"
        charts.append((label, level_chart(rows, label)))
    codes = sorted({r.skill for r in history.rows})
    skill = {
        "code": ", ".join(codes),
        "name": ", ".join(skill_names.get(c, c) for c in codes),
    }
    created = max((r.assessed_on for r in history.rows), default=options.date)
    return render_page(
        "history.html.j2",
        options,
        title=f"History: {history.person}",
        attribution=view.attribution,
        description=f"{len(history.rows)} recorded assessment(s) of {history.person}",
        created=created,
        modified=created,
        history=history,
        charts=charts,
        skill=skill,
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.HTML: render_html,
}
