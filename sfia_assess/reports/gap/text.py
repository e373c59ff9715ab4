"""The terminal summary: recommended level, coverage per level, gaps and warnings.

Written with textwrap and plain ANSI codes rather than rich: `assess --format text` is the
command people run while editing, and rich's import alone would cost a third of its start-up time.
The codes are those click.style writes (the command line's other messages), without importing the
command line's toolkit into the reports.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from .model import REASON_LABELS, GapReport, level_label, summary_sentence

_BAR = 20
_FOREGROUND = {"green": 32, "yellow": 33}


def _ansi(text: str, fg: str | None = None, bold: bool = False) -> str:
    """`text` in a colour and/or bold for a terminal, as click.style(text, fg=..., bold=...)."""
    codes = ([f"\x1b[{_FOREGROUND[fg]}m"] if fg else []) + (["\x1b[1m"] if bold else [])
    return "".join(codes) + text + "\x1b[0m"


def render(report: GapReport, *, color: bool = False, width: int = 100) -> str:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return _ansi(text, fg, bold) if color else text

    lines: list[str] = []
    result = report.result
    subject = result.subject
    lines.append(
        style(subject.name + (f" \u2014 {subject.role}" if subject.role else ""), bold=True)
    )
    lines.append(
        f"{result.skill.name} ({result.skill.code}), SFIA {result.skill.version}"
        f" \u00b7 assessed {result.assessed_on.isoformat()} by {result.assessor.name}"
        f" ({result.assessor.relation})"
    )
    if result.migrated_from is not None:
        lines.append(
            style(f"Migrated from SFIA {result.migrated_from}: check the notes below.", fg="yellow")
        )
    lines.append("")
    recommended = level_label(result.recommended_level, report)
    lines.append(
        style("Recommended level: ", bold=True) + style(recommended, bold=True, fg="green")
    )
    lines.append(style("Target level:      ", bold=True) + level_label(result.target_level, report))
    if result.responsibility is not None:
        generic = result.responsibility
        given = ", ".join(f"{a.code} {a.level}" for a in generic.attributes)
        label = f"{level_label(generic.level, report)} ({given})"
        lines.append(style("Generic level:     ", bold=True) + label)
        lines += _wrap(generic.note, width, 0)
    lines += _wrap(summary_sentence(report), width, 0)
    lines.append("")
    lines += _levels_table(report, style)
    lines.append("")

    if result.gaps:
        low = min(g.level for g in result.gaps)
        high = max(g.level for g in result.gaps)
        span = f"level {high}" if low == high else f"levels {low}\u2013{high}"
        lines.append(style(f"Gaps to {span} ({len(result.gaps)})", bold=True))
        explanations = {s.id: s.explanation for s in result.statements}
        for gap in result.gaps:
            head = _wrap(f"{gap.id}  {gap.text}", width, 2, hang=len(gap.id) + 2)
            lines += [style(line, bold=True) for line in head]
            why = f"{REASON_LABELS[gap.reason]}: {explanations[gap.id]}"
            lines += [style(line, fg="yellow") for line in _wrap(why, width, 6)]
            for suggestion in gap.suggestions:
                lines += _wrap(f"\u2192 {suggestion}", width, 6, hang=2)
        lines.append("")
    else:
        lines += [style("No gaps up to the target level.", bold=True), ""]

    notes = [*result.warnings, *result.migration_notes]
    if report.responsibility_note:
        notes.append(report.responsibility_note)
    if notes:
        lines.append(style("Notes", bold=True))
        for note in notes:
            lines += _wrap(f"- {note}", width, 2, hang=2)
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int, indent: int, *, hang: int = 0) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hang),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def _levels_table(report: GapReport, style: Callable[..., str]) -> list[str]:
    rows = [("Level", "Name", "Demonstrated", "Coverage", "Reached")]
    bars = []
    for level in report.result.levels:
        filled = round(level.coverage * _BAR)
        bars.append((filled, level.reached))
        rows.append(
            (
                str(level.level),
                level.name or "",
                f"{level.demonstrated}/{level.statements} (need {level.needed})",
                f"{level.coverage:4.0%}",
                "yes" if level.reached else "no",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    out = []
    for index, row in enumerate(rows):
        if index == 0:
            bar = "Coverage".ljust(_BAR + 5)
        else:
            filled, reached = bars[index - 1]
            drawn = style("\u2588" * filled, fg="green" if reached else "yellow")
            bar = drawn + "\u00b7" * (_BAR - filled) + " " + row[3]
        cells = [
            row[0].rjust(widths[0]),
            row[1].ljust(widths[1]),
            row[2].rjust(widths[2]),
            bar,
            row[4],
        ]
        line = "  ".join(cells).rstrip()
        out.append(style(line, bold=True) if index == 0 else line)
    return out
