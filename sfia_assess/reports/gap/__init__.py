"""The gap report: one person's level, coverage and gaps, as text, JSON, HTML or PDF."""

from __future__ import annotations

from .. import Format, Options, Renderer
from .. import render as render_view
from .model import GapReport, build_report

__all__ = ["RENDERERS", "GapReport", "build_report", "render"]


# The renderers import their modules when called: `assess --format text` is the command people
# run while editing, and must not pay for Jinja2 (or rich) at start-up.
def _text(report: GapReport, options: Options) -> str:
    from . import text

    return text.render(report, color=options.color)


def _json(report: GapReport, options: Options) -> str:
    from ..json import result_json

    return result_json(report.result)


def _html(report: GapReport, options: Options) -> str:
    from . import html

    return html.render(report, paper=options.paper)


RENDERERS: dict[Format, Renderer] = {Format.TEXT: _text, Format.JSON: _json, Format.HTML: _html}


def render(report: GapReport, fmt: Format, options: Options | None = None) -> str | bytes:
    """The gap report in `fmt` (the contract of every view, with the gap report's renderers)."""
    return render_view(RENDERERS, report, fmt, options)
