"""Options shared by several commands, and the objects their values name (a catalog, a policy).

Each is declared once here so that a command's --help says the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import OutputConflict
from ..files.output import check_output

if TYPE_CHECKING:
    from ..core.catalog import Catalog
    from ..core.policy import Policy

F = TypeVar("F", bound=Callable[..., Any])


class FormatChoice(click.Choice[str]):
    """The --format choices of a view: the formats of its renderer table (`RENDERERS`), and pdf
    after html where the view has HTML (a PDF is its HTML laid out).

    The table is read when click first needs the choices (to check a value or write --help), so
    a command's module does not import its report module (rich, Jinja2) before the command runs.
    """

    def __init__(self, table: str, *, pdf: bool = True) -> None:
        self.table = table  # "module:ATTRIBUTE", e.g. "sfia_assess.reports.gap:RENDERERS"
        self.pdf = pdf
        self.found: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self.found is None:
            module, _, attribute = self.table.partition(":")
            renderers: Mapping[Any, Any] = getattr(importlib.import_module(module), attribute)
            self.found = tuple(formats(renderers, pdf=self.pdf))
        return self.found

    @choices.setter
    def choices(self, value: Iterable[str]) -> None:
        """click.Choice sets its choices when made; these come from the table instead."""


def formats(renderers: Mapping[Any, Any], *, pdf: bool = True) -> Iterable[str]:
    """The formats of a renderer table in its order, pdf after html (unless `pdf` is False)."""
    names = [str(getattr(fmt, "value", fmt)) for fmt in renderers]
    for name in names:
        yield name
        if name == "html" and pdf and "pdf" not in names:
            yield "pdf"


def format_option(table: str, *, default: str = "text", pdf: bool = True) -> Callable[[F], F]:
    """--format, its choices read from the renderer `table` ("module:ATTRIBUTE")."""
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice(table, pdf=pdf),
        default=default,
        show_default=True,
        help="Output format.",
    )


def skills_dir_option(func: F) -> F:
    return click.option(
        "--skills-dir",
        "skills_dirs",
        multiple=True,
        type=click.Path(path_type=Path, file_okay=False),
        help="Extra folder of skills YAML (<CODE>/sfia-<N>.yaml); also $SFIA_ASSESS_SKILLS_DIR.",
    )(func)


def _output_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is None:
        return None
    try:  # a folder, or a name ending in "/": a usage error before any work is done
        return check_output(value, force=True)  # (an existing file: --force decides later)
    except OutputConflict as exc:
        raise click.BadParameter(str(exc)) from None


def output_option(func: F) -> F:
    """-o FILE and --force: the rule for every output is in files/output.py."""
    func = click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")(
        func
    )
    return click.option(
        "-o",
        "--output",
        type=click.Path(),
        callback=_output_path,
        help="Write to this file (atomically) instead of standard output.",
    )(func)


def out_dir_option(func: F) -> F:
    """-o DIR of a batch (local or queued): the reports and summary.csv."""
    return click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(path_type=Path),
        required=True,
        help="Folder for the reports and summary.csv (created if missing).",
    )(func)


def policy_option(func: F) -> F:
    return click.option(
        "--policy",
        "policy_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Scoring policy YAML replacing the defaults (see `sfia-assess policy`).",
    )(func)


def paper_option(func: F) -> F:
    return click.option(
        "--paper",
        type=click.Choice(["a4", "letter"]),
        default="a4",
        show_default=True,
        help="Paper size for html/pdf.",
    )(func)


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        help="The history store: a database URL or an SQLite file path; also $SFIA_ASSESS_DB."
        " Default: history.sqlite3 in your user data folder.",
    )(func)


def store_option_saying(text: str) -> Callable[[F], F]:
    """--db with an optional URL (`team --db` alone means the default store), with `text` as
    its help."""
    return click.option(
        "--db", "db", metavar="[URL]", is_flag=False, flag_value="", default=None, help=text
    )


store_option = store_option_saying(
    "Read from the history store instead of a folder: a database URL, or none for"
    " $SFIA_ASSESS_DB or the default store."
)


def basis_option_saying(text: str) -> Callable[[F], F]:
    """`--level agreed|self`: whose level counts where a manager reviewed (agreed by default,
    as HR's dashboard shows it); `text` says where, for this command."""
    return click.option(
        "--level",
        "basis",
        type=click.Choice(["agreed", "self"]),
        default="agreed",
        show_default=True,
        help=text,
    )


def as_of_option(func: F) -> F:
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="With --db: the team as it stood on this day (YYYY-MM-DD).",
    )(func)


def as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def catalog_from(skills_dirs: tuple[Path, ...]) -> Catalog:
    """The shipped skills and those of --skills-dir (and $SFIA_ASSESS_SKILLS_DIR)."""
    from ..core.catalog import Catalog

    return Catalog.default(skills_dirs)


def policy_from(policy_file: Path | None) -> Policy:
    """The policy of --policy, or the default one."""
    from ..core.policy import default_policy, load_policy

    return load_policy(policy_file) if policy_file else default_policy()
