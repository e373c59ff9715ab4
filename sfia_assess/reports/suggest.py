"""`suggest` output: the statements each evidence item reads like, as text or JSON."""

from __future__ import annotations

import json

from ..assessment import LoadedAssessment
from ..matcher import FLOOR, EvidenceSuggestions


def render_json(found: list[EvidenceSuggestions]) -> str:
    data = [
        {
            "evidence_id": item.evidence_id,
            "note": item.note,
            "suggestions": [
                {
                    "id": s.id,
                    "text": s.text,
                    "score": round(s.score, 4),
                    "already_claimed": claimed,
                }
                for s, claimed in item.suggestions
            ],
        }
        for item in found
    ]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_text(found: list[EvidenceSuggestions], loaded: LoadedAssessment) -> str:
    summaries = {e.id: e.summary for e in loaded.assessment.evidence}
    lines = [
        "Statements each evidence item reads like, with how much of its wording each covers"
        f" (offered from {FLOOR:.0%}).",
        "",
    ]
    for item in found:
        lines.append(f"{item.evidence_id}: {summaries[item.evidence_id]}")
        if item.note:
            lines.append(f"    ({item.note})")
        for s, claimed in item.suggestions:
            mark = "claimed" if claimed else "new    "
            lines.append(f"    {s.score:4.0%}  {mark}  {s.id}  {s.text}")
        lines.append("")
    return "\n".join(lines)
