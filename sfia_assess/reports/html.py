"""The gap report as one HTML document (also the input of the PDF)."""

from __future__ import annotations

from .model import GapReport


def render(report: GapReport, *, paper: str = "a4") -> str:
    raise NotImplementedError
