"""The terminal summary: recommended level, coverage per level, gaps and warnings."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .model import REASON_LABELS, GapReport, level_label, summary_sentence
from .terminal import draw

_BAR = 20


def render(report: GapReport, *, color: bool = False, width: int = 100) -> str:
    return draw(lambda console: _paint(console, report), color=color, width=width)


def _paint(console: Console, report: GapReport) -> None:
    result = report.result
    subject = result.subject
    console.print(Text(subject.name + (f" \u2014 {subject.role}" if subject.role else ""), "bold"))
    console.print(
        f"{result.skill.name} ({result.skill.code}), SFIA {result.skill.version}"
        f" \u00b7 assessed {result.assessed_on.isoformat()} by {result.assessor.name}"
        f" ({result.assessor.relation})"
    )
    if result.migrated_from is not None:
        console.print(
            Text(
                f"Migrated from SFIA {result.migrated_from}: check the notes below.",
                "yellow",
            )
        )
    console.print()
    console.print(
        Text.assemble(
            ("Recommended level: ", "bold"),
            (level_label(result.recommended_level, report), "bold green"),
        )
    )
    console.print(
        Text.assemble(("Target level:      ", "bold"), level_label(result.target_level, report))
    )
    console.print(summary_sentence(report))
    console.print()

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("Level", justify="right")
    table.add_column("Name")
    table.add_column("Demonstrated", justify="right")
    table.add_column("Coverage")
    table.add_column("Reached")
    for level in result.levels:
        filled = round(level.coverage * _BAR)
        bar = Text("\u2588" * filled, "green" if level.reached else "yellow")
        bar.append("\u00b7" * (_BAR - filled), "dim")
        bar.append(f" {level.coverage:4.0%}")
        table.add_row(
            str(level.level),
            level.name or "",
            f"{level.demonstrated}/{level.statements} (need {level.needed})",
            bar,
            "yes" if level.reached else "no",
        )
    console.print(table)
    console.print()

    if result.gaps:
        low = min(g.level for g in result.gaps)
        high = max(g.level for g in result.gaps)
        span = f"level {high}" if low == high else f"levels {low}\u2013{high}"
        console.print(Text(f"Gaps to {span} ({len(result.gaps)})", "bold"))
        for gap in result.gaps:
            statement = next(s for s in result.statements if s.id == gap.id)
            console.print(
                Padding(
                    Text.assemble(f"{gap.id}  ", (gap.text, "bold")),
                    (0, 0, 0, 2),
                    expand=False,
                )
            )
            console.print(
                Padding(
                    Text(f"{REASON_LABELS[gap.reason]}: {statement.explanation}", "yellow"),
                    (0, 0, 0, 6),
                    expand=False,
                )
            )
            for suggestion in gap.suggestions:
                console.print(Padding(f"\u2192 {suggestion}", (0, 0, 0, 6), expand=False))
        console.print()
    else:
        console.print(Text("No gaps up to the target level.", "bold"))
        console.print()

    notes = [*result.warnings, *result.migration_notes]
    if report.responsibility_note:
        notes.append(report.responsibility_note)
    if notes:
        console.print(Text("Notes", "bold"))
        for note in notes:
            console.print(Padding(f"- {note}", (0, 0, 0, 2), expand=False))
