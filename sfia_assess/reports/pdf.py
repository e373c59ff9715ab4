"""The gap report as PDF: the HTML report laid out by WeasyPrint."""

from __future__ import annotations

from .model import GapReport


def render(report: GapReport, *, paper: str = "a4") -> bytes:
    raise NotImplementedError
