"""Report formats: each module lays out a prepared GapReport; none of them recomputes a score."""

from __future__ import annotations

from enum import StrEnum

from .model import GapReport


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"

    @property
    def binary(self) -> bool:
        return self is Format.PDF


def render(
    report: GapReport, fmt: Format, *, color: bool = False, paper: str = "a4"
) -> str | bytes:
    """Lay out `report` in `fmt`; heavy renderers are imported only when asked for."""
    if fmt is Format.TEXT:
        from . import text

        return text.render(report, color=color)
    if fmt is Format.JSON:
        from . import json

        return json.render(report.result)
    if fmt is Format.HTML:
        from . import html

        return html.render(report, paper=paper)
    from . import pdf

    return pdf.render(report, paper=paper)
