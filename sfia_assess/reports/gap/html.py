"""The gap report as one HTML document; the PDF is this same HTML laid out by WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.result import EvidenceItem, Result, StatementResult
from ..chart import coverage_svg
from ..templating import environment, page
from .model import REASON_LABELS, GapReport, level_label, summary_sentence


@dataclass(frozen=True)
class StatementRow:
    statement: StatementResult
    status: str
    evidence: tuple[EvidenceItem, ...]
    rejected: tuple[tuple[EvidenceItem, str], ...]


def _rows(report: GapReport) -> dict[int, list[StatementRow]]:
    by_id = {item.id: item for item in report.result.evidence}
    rows: dict[int, list[StatementRow]] = {}
    for statement in report.result.statements:
        status = "demonstrated" if statement.reason is None else REASON_LABELS[statement.reason]
        rows.setdefault(statement.level, []).append(
            StatementRow(
                statement=statement,
                status=status,
                evidence=tuple(by_id[e] for e in statement.evidence_counted),
                rejected=tuple(
                    (by_id[r.id], "too old" if r.why == "too-old" else "after assessment")
                    for r in statement.evidence_not_counted
                ),
            )
        )
    return rows


def focus_levels(result: Result) -> set[int]:
    """The levels a reader needs in full: the recommended one, the next, and the target.

    With no level recommended, the first defined level stands in for it; every other level
    goes to the compact appendix.
    """
    defined = [level.level for level in result.levels]
    if not defined:
        return set()
    base = result.recommended_level
    wanted = {defined[0]} if base is None else {base, base + 1}
    if result.target_level is not None:
        wanted.add(result.target_level)
    return wanted & set(defined)


def context(report: GapReport, *, paper: str = "a4") -> dict[str, Any]:
    result = report.result
    title = f"{result.skill.name} ({result.skill.code}) gap report \u2014 {result.subject.name}"
    notes = [*result.warnings]
    focus = focus_levels(result)
    if report.responsibility_note:
        notes.append(report.responsibility_note)
    return {
        **page(
            title=title,
            attribution=report.skill.attribution,
            author=result.subject.name,
            description=(
                f"SFIA {result.skill.version} {result.skill.name} ({result.skill.code}):"
                f" recommended level {level_label(result.recommended_level, report)},"
                f" target level {level_label(result.target_level, report)}"
            ),
            created=result.assessed_on,
            modified=report.generated_on,
            paper=paper,
        ),
        "report": report,
        "result": result,
        "skill": report.skill,
        "recommended_label": level_label(result.recommended_level, report),
        "target_label": level_label(result.target_level, report),
        "summary": summary_sentence(report),
        "chart": coverage_svg(result),
        "rows": _rows(report),
        "reason_labels": {k.value: v for k, v in REASON_LABELS.items()},
        "notes": notes,
        "target_essence": report.target,
        "statements_by_id": {s.id: s for s in result.statements},
        "focus_levels": [level for level in result.levels if level.level in focus],
        "appendix_levels": [level for level in result.levels if level.level not in focus],
    }


def render(report: GapReport, *, paper: str = "a4") -> str:
    return environment().get_template("gap-report.html.j2").render(context(report, paper=paper))
