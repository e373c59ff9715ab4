"""Career mapping commands: the generic attributes, and a person's fit to roles."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import _catalog, format_option, skills_dir_option


@click.command("attributes")
@click.argument("code", required=False)
@click.option("--level", type=click.IntRange(1, 7), help="Show only this level.")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@format_option("text", "json")
@skills_dir_option
def attributes_command(
    code: str | None,
    level: int | None,
    version: int | None,
    fmt: str,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Show the SFIA generic attributes (Autonomy, Influence, ...) and business skills.

    With no CODE, lists them; with CODE, shows one in full; --level N shows only that level.

    \b
    Example:
        sfia-assess attributes
        sfia-assess attributes AUTO --level 4
        sfia-assess attributes --level 5 --format json
    """
    from .reports import attributes as view

    found = _catalog(skills_dirs).attributes(version)
    if code is not None:
        found.attribute(code)
    if fmt == "json":
        click.echo(view.attributes_json(found, code, level))
    else:
        click.echo(view.attributes_text(found, code, level, color=sys.stdout.isatty()), nl=False)
