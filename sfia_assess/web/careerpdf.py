"""PDF jobs for the HR pages' role profiles and pathways, run in the PDF pool's workers
(web/pdfpool.py): they take the page's parameters, not a report, so the server's own process
does next to nothing per PDF."""

from __future__ import annotations

import datetime as dt

from ..reports import Format, Options, render
from .pdfpool import _catalog


def profile_pdf(code: str, level: int, title: str, version: int | None, today: dt.date) -> bytes:
    """The role profile PDF, as `profile CODE --level N --title T --format pdf` makes it."""
    from ..core.profiles import role_profile
    from ..reports.profile import RENDERERS

    found = role_profile(_catalog(), code, level, title, version)
    pdf = render(RENDERERS, found, Format.PDF, Options(today=today))
    assert isinstance(pdf, bytes)
    return pdf


def pathway_pdf(code: str, version: int | None, today: dt.date) -> bytes:
    """The career pathway PDF, as `pathway CODE --format pdf` makes it."""
    from ..core.profiles import pathway
    from ..reports.pathway import RENDERERS

    pdf = render(RENDERERS, pathway(_catalog(), code, version), Format.PDF, Options(today=today))
    assert isinstance(pdf, bytes)
    return pdf
