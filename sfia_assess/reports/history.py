"""A person's history as text, JSON, or an HTML/PDF page with a chart of the level over time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup, escape
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..store.history import History, HistoryRow
from ..templating import environment, page
from .json import dumps
from .terminal import draw

_W, _H = 640, 250
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 20, 40


def _level(value: int | None) -> str:
    return str(value) if value is not None else "-"


def render_text(history: History, *, color: bool = False) -> str:
    def paint(console: Console) -> None:
        console.print(Text(f"History: {history.person}", "bold"))
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

    return draw(paint, color=color, width=120)


def render_json(history: History) -> str:
    return dumps({"schema_version": 1, **dataclasses.asdict(history)})


def level_chart(rows: Sequence[HistoryRow], skill: str) -> Markup:
    """The recommended (solid) and agreed (dashed) level over time, as inline SVG."""
    dates = [r.assessed_on for r in rows]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    plot_w = _W - _LEFT - _RIGHT
    plot_h = _H - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        if first == last:
            return _LEFT + plot_w / 2
        return _LEFT + (day - first).days / span * plot_w

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

    def series(values: list[tuple[dt.date, int | None]], dash: str, marker: str) -> None:
        if not values:
            return
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in values)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#1f5f8b" stroke-width="2"'
            f' stroke-dasharray="{dash}"/>'
        )
        for d, v in values:
            if marker == "circle":
                parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="4" fill="#1f5f8b"/>')
            else:
                parts.append(
                    f'<rect x="{x(d) - 4:.1f}" y="{y(v) - 4:.1f}" width="8" height="8"'
                    ' fill="#ffffff" stroke="#1f5f8b" stroke-width="2"/>'
                )

    series([(r.assessed_on, r.recommended_level) for r in rows], "none", "circle")
    series(
        [(r.reviewed_on or r.assessed_on, r.agreed_level) for r in rows if r.reviewed_by],
        "6,4",
        "square",
    )
    parts.append("</svg>")
    svg = "".join(parts).replace(
        "<text ", '<text font-family="DejaVu Sans, sans-serif" font-size="11" fill="#111111" '
    )
    return Markup(svg)


def render_html(
    history: History,
    *,
    skill_names: dict[str, str],
    attribution: str,
    today: dt.date,
    paper: str = "a4",
) -> str:
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
    created = max((r.assessed_on for r in history.rows), default=today)
    return (
        environment()
        .get_template("history.html.j2")
        .render(
            history=history,
            charts=charts,
            skill=skill,
            **page(
                title=f"History: {history.person}",
                attribution=attribution,
                author="sfia-assess",
                description=f"{len(history.rows)} recorded assessment(s) of {history.person}",
                created=created,
                modified=created,
                paper=paper,
            ),
        )
    )
