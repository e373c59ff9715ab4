"""What commands print or write: a report view in a format, a file's text, a warning."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..files.clock import today
from ..files.output import write_output
from ..files.printable import printable
from ..reports import Format, Options, Renderer, render

if TYPE_CHECKING:
    from ..core.assessment import LoadedAssessment


def show_warnings(loaded: LoadedAssessment) -> None:
    for warning in loaded.warnings:
        click.echo(printable(str(warning)), err=True)


def needs_output(fmt: str, output: Path | None) -> None:
    if fmt == "pdf" and output is None:
        raise click.UsageError("--format pdf needs -o FILE")


def report_options(output: Path | None, paper: str = "a4") -> Options:
    """Colours only for a terminal; the date from SOURCE_DATE_EPOCH when set."""
    color = output is None and sys.stdout.isatty()
    return Options(color=color, paper="letter" if paper == "letter" else "a4", today=today())


def show(
    renderers: Mapping[Format, Renderer],
    view: Any,
    fmt: Format | str,
    output: Path | None,
    paper: str = "a4",
    *,
    force: bool = False,
    inputs: tuple[Path, ...] = (),
) -> None:
    """Lay out a view (its text made from a copy with control characters escaped) and emit it."""
    data = render(renderers, view, Format(fmt), report_options(output, paper))
    write(data, output, force=force, inputs=inputs)
    if fmt == Format.PDF:
        pdf_speed_hint()


def pdf_speed_hint() -> None:
    from ..reports.pdf.render import speed_hint

    hint = speed_hint()
    if hint:
        click.echo(hint, err=True)


def emit(
    data: str | bytes, output: Path | None, *, force: bool = False, inputs: tuple[Path, ...] = ()
) -> None:
    """Emit what is not a report view (a YAML file, a message); on a terminal or a pipe, its
    control characters are escaped, so text from an input file cannot drive the terminal."""
    if isinstance(data, str) and output is None:
        data = printable(data)
    write(data, output, force=force, inputs=inputs)


def write(
    data: str | bytes, output: Path | None, *, force: bool = False, inputs: tuple[Path, ...] = ()
) -> None:
    if output is not None:
        write_output(output, data, inputs=inputs, force=force)
        click.echo(printable(f"wrote {output}"), err=True)
    elif isinstance(data, bytes):
        raise click.UsageError("this format is binary: give -o FILE to write it to a file")
    else:
        click.echo(data, nl=False)
