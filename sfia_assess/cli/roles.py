"""Commands that describe roles for HR: `profile` (a role to publish), `pathway` (a skill's
levels one above the other) and `roles` (roles kept in the store: import, export, list)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import SfiaAssessError
from ..files.printable import printable
from ..reports import Format
from .options import (
    catalog_from,
    db_option,
    format_option,
    output_option,
    paper_option,
    skills_dir_option,
)
from .output import needs_output, show

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@click.command("profile")
@click.argument("code", required=False)
@click.option("--level", type=click.IntRange(1, 7), help="The level the role needs.")
@click.option("--title", help='The role title, e.g. "Incident Coordinator".')
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@click.option(
    "--from-file",
    "role_file",
    type=click.Path(path_type=Path),
    help="A role YAML with title, purpose and several skills at their levels.",
)
@format_option("sfia_assess.reports.profile:RENDERERS", default="md")
@paper_option
@output_option
@skills_dir_option
def profile_command(
    code: str | None,
    level: int | None,
    title: str | None,
    version: int | None,
    role_file: Path | None,
    fmt: str,
    paper: str,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Write a role profile HR can publish: purpose, level, responsibilities, evidence.

    \b
    Example:
        sfia-assess profile USUP --level 4 --title "Incident Coordinator" --format pdf -o ic.pdf
        sfia-assess profile --from-file examples/roles/major-incident-manager.yaml \\
            --skills-dir examples/skills
    """
    from ..core.profiles import role_profile, role_profile_from_file
    from ..reports import profile as view

    catalog = catalog_from(skills_dirs)
    if role_file is not None:
        found = role_profile_from_file(catalog, role_file)
    elif code and level and title:
        found = role_profile(catalog, code, level, title, version)
    else:
        raise click.UsageError("give CODE --level N --title TEXT, or --from-file ROLE.yaml")
    needs_output(fmt, output)
    show(
        view.RENDERERS,
        found,
        Format(fmt),
        output,
        paper,
        force=force,
        inputs=(role_file,) if role_file else (),
    )


@click.command("pathway")
@click.argument("code")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@format_option("sfia_assess.reports.pathway:RENDERERS")
@paper_option
@output_option
@skills_dir_option
def pathway_command(
    code: str,
    version: int | None,
    fmt: str,
    paper: str,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Show the career pathway of a skill: each level, and what changes from the one below.

    \b
    Example:
        sfia-assess pathway USUP --format pdf -o usup-pathway.pdf
    """
    from ..core.profiles import pathway
    from ..reports import pathway as view

    found = pathway(catalog_from(skills_dirs), code, version)
    needs_output(fmt, output)
    show(view.RENDERERS, found, Format(fmt), output, paper, force=force, inputs=skills_dirs)


@click.group("roles")
def roles_group() -> None:
    """Keep roles in the history store: import role files, export them back, list, retire.

    The web's Roles pages and career pages read the roles kept here; those who keep role
    files in git import them after each change and export what HR changed on the pages.

    \b
    Example:
        sfia-assess roles import examples/roles --skills-dir examples/skills
        sfia-assess roles export roles/
        sfia-assess roles list
    """


def _by() -> str:
    import getpass

    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def _role_files(source: Path) -> list[Path]:
    if source.is_dir():
        found = sorted(p for p in source.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not found:
            raise SfiaAssessError(f"{source}: no role files (*.yaml) in this folder")
        return found
    if not source.is_file():
        raise SfiaAssessError(f"{source}: no such file or folder; give a role file or a folder")
    return [source]


@roles_group.command("import")
@click.argument("source", metavar="DIR|FILE", type=click.Path(path_type=Path))
@db_option
@skills_dir_option
def roles_import(source: Path, db: str | None, skills_dirs: tuple[Path, ...]) -> None:
    """Keep role files in the store: each file is a role, its key the file's name (a changed
    file is a new version of the role; an unchanged one adds nothing). All or nothing.

    \b
    Example:
        sfia-assess roles import examples/roles --skills-dir examples/skills
    """
    from ..core.profiles import role_key
    from ..errors import InputFileError
    from ..store import open_store, writing
    from ..store.roles import save_role

    catalog = catalog_from(skills_dirs)
    texts = []
    for path in _role_files(source):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError.single(str(path), f"cannot be read as UTF-8 ({exc})") from None
        texts.append((path, role_key(path.stem), text))
    by = _by()

    def work(session: Session) -> list[tuple[str, int, bool]]:
        saved = []
        for path, key, text in texts:
            try:
                kept, new = save_role(session, catalog, key, text, by)
            except InputFileError as exc:
                raise InputFileError([replace(p, file=str(path)) for p in exc.problems]) from None
            saved.append((kept.key, kept.version, new))
        return saved

    with open_store(db) as engine:
        saved = writing(engine, work)
    for key, version, new in saved:
        click.echo(f"{key}: {'version ' + str(version) if new else 'unchanged'}")


@roles_group.command("export")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace role files already in DIR.")
@db_option
def roles_export(folder: Path, force: bool, db: str | None) -> None:
    """Write each role in use as DIR/KEY.yaml, exactly the text kept (importing them again
    changes nothing). All or nothing.

    \b
    Example:
        sfia-assess roles export roles/
    """
    from ..files.output import write_all
    from ..store import open_store, reading
    from ..store.roles import current_roles

    with open_store(db, read_only=True, existing=True) as engine, reading(engine) as session:
        roles = current_roles(session)
    if not roles:
        raise SfiaAssessError("no roles are kept in the store; add them with `roles import`")
    files = [(folder / f"{role.key}.yaml", role.content) for role in roles]
    there = [str(path) for path, text in files if path.exists()]
    if there and not force:
        raise SfiaAssessError(
            f"{there[0]} is there already; give --force to replace the role files in {folder}"
        )
    write_all(files)
    click.echo(f"{len(files)} roles written to {folder}")


@roles_group.command("list")
@click.option("--retired", is_flag=True, help="List retired roles too.")
@db_option
def roles_list(retired: bool, db: str | None) -> None:
    """The roles kept in the store: key, version, title.

    \b
    Example:
        sfia-assess roles list
    """
    from ..store import open_store, reading
    from ..store.roles import current_roles

    with open_store(db, read_only=True, existing=True) as engine, reading(engine) as session:
        roles = current_roles(session, retired=retired)
    if not roles:
        click.echo("no roles are kept in the store", err=True)
    for role in roles:
        gone = " (retired)" if role.retired else ""
        click.echo(printable(f"{role.key}\tversion {role.version}\t{role.title}{gone}"))


@roles_group.command("retire")
@click.argument("key")
@db_option
def roles_retire(key: str, db: str | None) -> None:
    """Take a role out of use (its versions are kept; importing it again brings it back).

    \b
    Example:
        sfia-assess roles retire incident-coordinator
    """
    from ..store import open_store, writing
    from ..store.roles import retire_role

    by = _by()
    with open_store(db) as engine:
        kept = writing(engine, lambda session: retire_role(session, key, by))
    click.echo(f"{kept.key}: retired (version {kept.version})")
