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


def role_profile_pdf(content: str, key: str, today: dt.date) -> bytes:
    """A kept role's profile PDF (its role file's text), as `profile --from-file` makes it."""
    from ..core.profiles import role_profile_from_text
    from ..reports.profile import RENDERERS

    found = role_profile_from_text(_catalog(), content, f"role {key}")
    pdf = render(RENDERERS, found, Format.PDF, Options(today=today))
    assert isinstance(pdf, bytes)
    return pdf


def role_pathway_pdf(content: str, key: str, today: dt.date) -> bytes:
    """The pathways of a kept role's skills, one PDF."""
    from ..core.profiles import role_pathway, role_profile_from_text
    from ..reports.role_pathway import RENDERERS

    catalog = _catalog()
    found = role_pathway(catalog, role_profile_from_text(catalog, content, f"role {key}"))
    pdf = render(RENDERERS, found, Format.PDF, Options(today=today))
    assert isinstance(pdf, bytes)
    return pdf
