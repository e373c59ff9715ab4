"""The coverage chart: one bar per defined level against the threshold line, as inline SVG.

Drawn in Python so the report needs no JavaScript and no external file; readable in black and
white (reached levels are solid, others hatched, and every bar carries its numbers).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..core.result import Result
from ..files.printable import printable

_WIDTH = 640
_ROW = 22
_LABEL = 175
_BAR = 290
_TOP = 22


def coverage_svg(result: Result) -> Markup:
    levels = result.levels
    height = _TOP + _ROW * len(levels) + 22
    threshold = result.policy.level_threshold
    x_threshold = _LABEL + threshold * _BAR
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_WIDTH}"'
        f' height="{height}" viewBox="0 0 {_WIDTH} {height}">',
        f"<title>Coverage per level against the {threshold:.0%} threshold</title>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#555555" stroke-width="2"/></pattern></defs>',
    ]
    for i, level in enumerate(levels):
        y = _TOP + i * _ROW
        width = level.coverage * _BAR
        label = f"Level {level.level}" + (f" \u2014 {level.name}" if level.name else "")
        fill = "#1f5f8b" if level.reached else "url(#hatch)"
        mark = "reached" if level.reached else "not reached"
        if result.recommended_level == level.level:
            mark = "recommended"
        parts += [
            f'<text x="0" y="{y + 12}" class="label">{escape(printable(label))}</text>',
            f'<rect x="{_LABEL}" y="{y}" width="{_BAR}" height="16" fill="#f2f2f2"'
            ' stroke="#999999" stroke-width="0.5"/>',
            f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="16" fill="{fill}"'
            ' stroke="#1f5f8b" stroke-width="1"/>'
            if width
            else "",
            f'<text x="{_LABEL + _BAR + 8}" y="{y + 12}" class="value">{level.demonstrated}/'
            f"{level.statements} ({level.coverage:.0%}) {mark}</text>",
        ]
    bottom = _TOP + len(levels) * _ROW
    parts += [
        f'<line x1="{x_threshold:.1f}" y1="{_TOP - 6}" x2="{x_threshold:.1f}" y2="{bottom}"'
        ' stroke="#000000" stroke-width="1.5" stroke-dasharray="5,3"/>',
        f'<text x="{x_threshold:.1f}" y="{_TOP - 10}" text-anchor="middle" class="value">'
        f"threshold {threshold:.0%}</text>",
        f'<text x="{_LABEL}" y="{bottom + 16}" class="axis">0%</text>',
        f'<text x="{_LABEL + _BAR}" y="{bottom + 16}" text-anchor="end" class="axis">100%</text>',
        "</svg>",
    ]
    svg = "".join(parts).replace(
        "<text ", '<text font-family="DejaVu Sans, sans-serif" font-size="11" fill="#111111" '
    )
    return Markup(svg)
