"""`suggest` output: the statements each evidence item reads like, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.assessment import LoadedAssessment
from ..core.matcher import FLOOR, EvidenceSuggestions
from . import Format, Options, Renderer
from .json import dumps


@dataclass(frozen=True)
class SuggestView:
    """The suggestions for each evidence item, with the file they were made for."""

    found: tuple[EvidenceSuggestions, ...]
    loaded: LoadedAssessment


def render_json(view: SuggestView, options: Options) -> str:
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
        for item in view.found
    ]
    return dumps(data)


def render_text(view: SuggestView, options: Options) -> str:
    summaries = {e.id: e.summary for e in view.loaded.assessment.evidence}
    lines = [
        "Statements each evidence item reads like, with how much of its wording each covers"
        f" (offered from {FLOOR:.0%}).",
        "",
    ]
    for item in view.found:
        lines.append(f"{item.evidence_id}: {summaries[item.evidence_id]}")
        if item.note:
            lines.append(f"    ({item.note})")
        for s, claimed in item.suggestions:
            mark = "claimed" if claimed else "new    "
            lines.append(f"    {s.score:4.0%}  {mark}  {s.id}  {s.text}")
        lines.append("")
    return "\n".join(lines)


RENDERERS: dict[Format, Renderer] = {Format.TEXT: render_text, Format.JSON: render_json}
