"""The one Jinja2 environment: package templates, autoescaping on, undefined names an error."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..files.printable import printable

if TYPE_CHECKING:
    from jinja2 import Environment

    from . import Options


def _date(value: object) -> str:
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def _css_string(value: object) -> Markup:
    """`value` as a quoted CSS string, safe inside <style>, where HTML escapes do not apply."""
    out = []
    for char in printable(str(value)):
        if char.isalnum() or char in " .,;:()-_/'\u00a9":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')


def _shown(value: object) -> object:
    """Every `{{ ... }}` passes here before escaping: control characters from the input are
    written out visibly (they are invalid in the PDF's XMP metadata and invisible on a page).
    Markup (a macro's output, the chart) was built from values that already passed here."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def _percent(value: float) -> str:
    return f"{value:.0%}"


@cache
def environment() -> Environment:
    # Jinja2 is imported here, when HTML is first made: a text or JSON report need not (~20 ms).
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from .templatecache import CompiledTemplates, cache_folder, settings

    folder = cache_folder()

    env = Environment(
        loader=PackageLoader("sfia_assess", "templates"),
        # The templates are the package's own and do not change while a process runs: checking
        # each one's file on every render cost about a third of a busy server's CPU.
        auto_reload=False,
        bytecode_cache=None if folder is None else CompiledTemplates(folder, settings()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    env.filters["date"] = _date
    env.filters["percent"] = _percent
    env.filters["css_string"] = _css_string
    return env


def page(
    *,
    title: str,
    attribution: str,
    author: str,
    description: str,
    created: object,
    modified: object,
    paper: str,
) -> dict[str, object]:
    """What base.html.j2 needs around any document: metadata, footer and paper size."""
    from ..version import __version__

    return {
        "title": title,
        "author": author,
        "description": description,
        "created": created,
        "modified": modified,
        "footer_left": attribution,
        "paper": {"a4": "A4", "letter": "letter"}[paper],
        "generator": f"sfia-assess {__version__}",
    }


def render_page(
    template: str,
    options: Options,
    *,
    title: str,
    attribution: str,
    description: str,
    author: str = "sfia-assess",
    created: object = None,
    modified: object = None,
    **context: Any,
) -> str:
    """A report page: `template` with `context` and the page's metadata, footer and paper
    (created and modified on the report's date unless given)."""
    return (
        environment()
        .get_template(template)
        .render(
            **context,
            **page(
                title=title,
                attribution=attribution,
                author=author,
                description=description,
                created=options.date if created is None else created,
                modified=options.date if modified is None else modified,
                paper=options.paper,
            ),
        )
    )
