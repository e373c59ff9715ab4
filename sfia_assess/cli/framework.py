"""Commands on the framework itself: `skills`, `skill`, `diff`, `migrate`, `import-sfia`."""

from __future__ import annotations

from pathlib import Path

import click

from ..files.printable import printable
from ..reports import Format
from .options import catalog_from, format_option, output_option, skills_dir_option
from .output import emit, show


@click.command("skills")
@format_option("sfia_assess.reports.skill:SKILLS_RENDERERS")
@skills_dir_option
def skills(fmt: str, skills_dirs: tuple[Path, ...]) -> None:
    """List the skills the tool knows, with their SFIA versions and defined levels.

    \b
    Example:
        sfia-assess skills --format json
    """
    from ..reports import skill as view

    found = view.SkillList(tuple(catalog_from(skills_dirs).all_skills()))
    show(view.SKILLS_RENDERERS, found, Format(fmt), None)


@click.command("skill")
@click.argument("code")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@click.option("--level", type=click.IntRange(1, 7), help="Show only this level.")
@format_option("sfia_assess.reports.skill:RENDERERS")
@skills_dir_option
def skill(
    code: str, version: int | None, level: int | None, fmt: str, skills_dirs: tuple[Path, ...]
) -> None:
    """Show a skill: description, guidance notes, and each level's statements with ids.

    \b
    Example:
        sfia-assess skill USUP --version 9 --level 3
    """
    from ..reports import skill as view

    catalog = catalog_from(skills_dirs)
    found = catalog.skill(code, version)
    if level is not None:
        found.level(level)
    page = view.SkillPage(found, catalog.responsibility(found.sfia_version), level)
    show(view.RENDERERS, page, Format(fmt), None)


@click.command("diff")
@click.argument("code")
@click.option("--from", "old", type=int, required=True, help="The older SFIA version.")
@click.option("--to", "new", type=int, required=True, help="The newer SFIA version.")
@format_option("sfia_assess.reports.diff:RENDERERS", pdf=False)
@output_option
@skills_dir_option
def diff_command(
    code: str,
    old: int,
    new: int,
    fmt: str,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Show what changed in a skill between two SFIA versions, level by level.

    \b
    Example:
        sfia-assess diff USUP --from 8 --to 9
    """
    from ..core.crosswalk import diff
    from ..reports import diff as view

    found = diff(catalog_from(skills_dirs), code, old, new)
    show(view.RENDERERS, found, Format(fmt), output, force=force, inputs=skills_dirs)


@click.command("migrate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--to", "new", type=int, required=True, help="The SFIA version to move to.")
@output_option
@skills_dir_option
def migrate_command(
    file: Path, new: int, output: Path | None, force: bool, skills_dirs: tuple[Path, ...]
) -> None:
    """Move an assessment to another SFIA version along the statement crosswalk.

    Ratings and evidence follow the statements they were given for; where several statements
    merge, the lower rating wins. Nothing is dropped silently: what cannot be carried over is
    listed in the new file's migration_notes and here.

    \b
    Example:
        sfia-assess migrate examples/jordan-park-sfia8.yaml --to 9 -o jordan-park-sfia9.yaml
    """
    from ..core.migrate import migrate_file

    catalog = catalog_from(skills_dirs)
    migration = migrate_file(file, catalog, new)
    emit(migration.text, output, force=force, inputs=(file,))
    click.echo(
        f"migrated SFIA {migration.from_version} -> {migration.to_version}:"
        f" {migration.ratings_before} ratings -> {migration.ratings_after},"
        f" {migration.evidence_before} evidence items -> {migration.evidence_after}",
        err=True,
    )
    for note in migration.notes:
        click.echo(printable(f"  note: {note}"), err=True)


@click.command("import-sfia")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("skills"),
    show_default=True,
    help="Folder to write <CODE>/sfia-<N>.yaml into.",
)
@click.option(
    "--sfia-version",
    type=click.IntRange(1, 99),
    default=9,
    show_default=True,
    help="The SFIA version of the spreadsheet.",
)
@click.option("--force", is_flag=True, help="Replace skill files that already exist.")
def import_sfia_command(file: Path, out_dir: Path, sfia_version: int, force: bool) -> None:
    """Convert the official SFIA skills spreadsheet (CSV or XLSX) into skills YAML files.

    Then use them in every command with --skills-dir (or $SFIA_ASSESS_SKILLS_DIR).

    \b
    Example:
        sfia-assess import-sfia sfia-9_current-standard_en.xlsx -o my-skills
        sfia-assess skills --skills-dir my-skills
    """
    from ..core.importer import import_sfia

    written = import_sfia(file, out_dir, sfia_version=sfia_version, replace=force)
    click.echo(f"wrote {len(written)} skill file(s) under {out_dir}", err=True)
