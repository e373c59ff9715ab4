"""The one Jinja2 environment: package templates, autoescaping on, undefined names an error."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from markupsafe import Markup

from .printable import printable

if TYPE_CHECKING:
    from .reports import Options


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


class _CompiledTemplates(FileSystemBytecodeCache):
    """Report templates compiled once, not by every process (30-50 ms of a one-PDF run).

    Jinja2 keys each entry by the template's source, so an edited template is compiled anew.
    The folder is the user's own (created 0700); one others may write to is not used, as code
    is loaded from it. A cache that cannot be read or written costs the compiling, nothing else.
    """

    def __init__(self, directory: Path, settings: str) -> None:
        super().__init__(str(directory), f"%s-{settings}.jinja")
        self.folder = directory
        self.usable: bool | None = None

    def _ready(self) -> bool:
        if self.usable is None:
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                found = self.folder.lstat()
                self.usable = (
                    stat.S_ISDIR(found.st_mode)
                    and found.st_uid == os.getuid()
                    and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                )
            except OSError:
                self.usable = False
        return self.usable

    def load_bytecode(self, bucket: Bucket) -> None:
        if self._ready():
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable, cut short, not Jinja2's: compile instead
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self._ready():
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)


def _settings() -> str:
    """What compiled code depends on besides a template's source (which Jinja2 checks): this
    module, where the environment's options are, and Jinja2's version."""
    import jinja2

    mine = Path(__file__).read_bytes() + jinja2.__version__.encode()
    return hashlib.sha256(mine).hexdigest()[:16]


def _cache_folder() -> Path | None:
    """$XDG_CACHE_HOME/sfia-assess, else ~/.cache/sfia-assess; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # as the XDG spec says: a relative path is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "sfia-assess"


@cache
def environment() -> Environment:
    folder = _cache_folder()
    env = Environment(
        loader=PackageLoader("sfia_assess", "templates"),
        bytecode_cache=None if folder is None else _CompiledTemplates(folder, _settings()),
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
    from . import __version__

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
