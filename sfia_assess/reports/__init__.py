"""Reports, one module per view, behind one contract: a view's `RENDERERS` maps a format to a
function `(view, options) -> str`, and `render` lays out any view in any of its formats.
A table's order is the order in which its command's --format lists the choices (cli/options.py).

A PDF is always the view's HTML laid out by WeasyPrint, here and nowhere else; text and
Markdown are made from a copy of the view whose control characters are escaped (a name holding
ESC ] 0; ... BEL must not retitle the reader's terminal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class Format(StrEnum):
    TEXT = "text"
    MD = "md"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


@dataclass(frozen=True)
class Options:
    """How to lay a view out: colours for a terminal, paper size, and the date printed on it."""

    color: bool = False
    paper: Literal["a4", "letter"] = "a4"
    today: dt.date | None = None

    @property
    def date(self) -> dt.date:
        """The date given, else today as the whole tool tells it (`files.clock`)."""
        if self.today is not None:
            return self.today
        from ..files.clock import today

        return today()


Renderer = Callable[[Any, Options], str]


def render(
    renderers: Mapping[Format, Renderer],
    view: Any,
    fmt: Format,
    options: Options | None = None,
) -> str | bytes:
    """Lay out `view` in `fmt`; WeasyPrint is imported only when a PDF is asked for."""
    options = options or Options()
    if fmt is Format.PDF:
        from .pdf.render import html_to_pdf

        return html_to_pdf(renderers[Format.HTML](view, options))
    if fmt in (Format.TEXT, Format.MD):
        from ..files.printable import scrub

        view = scrub(view)
    return renderers[fmt](view, options)
