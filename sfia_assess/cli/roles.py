"""Commands that describe roles for HR: `profile` (a role to publish) and `pathway` (a skill's
levels one above the other)."""

from __future__ import annotations

from pathlib import Path

import click

from ..reports import Format
from .options import catalog_from, format_option, output_option, paper_option, skills_dir_option
from .output import needs_output, show


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
