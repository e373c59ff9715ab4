"""Career mapping commands: the generic attributes, and a person's fit to roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.catalog import Catalog
from ..core.policy import Policy
from ..files.printable import printable
from .options import (
    basis_option_saying,
    catalog_from,
    format_option,
    output_option,
    paper_option,
    policy_from,
    policy_option,
    skills_dir_option,
    store_option_saying,
)
from .output import needs_output, show

if TYPE_CHECKING:
    from ..core.assessment import LoadedAssessment
    from ..core.profiles import RoleProfile
    from ..core.team import Basis
    from ..reports.person_model import PersonReport


@click.command("attributes")
@click.argument("code", required=False)
@click.option("--level", type=click.IntRange(1, 7), help="Show only this level.")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@format_option("sfia_assess.reports.attributes:RENDERERS")
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
    from ..reports import attributes as view

    found = catalog_from(skills_dirs).attributes(version)
    if code is not None:
        found.attribute(code)
    show(view.RENDERERS, view.AttributesView(found, code, level), fmt, None)


@click.command("fit")
@click.argument("paths", metavar="ROLE.yaml FILE...", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--roles",
    "roles_dir",
    type=click.Path(path_type=Path),
    help="A folder of role files: compare with each, closest first (then give only FILEs).",
)
@store_option_saying(
    "Compare everyone in the history store (their latest assessments) instead of FILEs."
)
@basis_option_saying(
    "Whose level counts for a skill a manager reviewed (review files given, or the store)."
)
@policy_option
@format_option("sfia_assess.reports.fit:RENDERERS")
@paper_option
@output_option
@skills_dir_option
def fit_command(
    paths: tuple[Path, ...],
    roles_dir: Path | None,
    db: str | None,
    basis: Basis,
    policy_file: Path | None,
    fmt: str,
    paper: str,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Compare people's levels with a role's skills: met or not, and the statements missing.

    FILEs are assessment files, one per skill and person; several people may be given, and are
    listed closest first. A manager's review among them goes with the self-assessment it
    reviews, and its agreed level counts (--level self: the person's own). The role file is
    the `profile --from-file` format (see the README).

    \b
    Example:
        sfia-assess fit examples/roles/major-incident-manager.yaml \\
            examples/priya-nair-coordinator.yaml examples/tailored/priya-nair-communication.yaml \\
            --skills-dir examples/skills --format pdf -o priya-mim.pdf
        sfia-assess fit examples/priya-nair-coordinator.yaml --roles examples/roles \\
            --skills-dir examples/skills
        sfia-assess fit examples/roles/major-incident-manager.yaml --db \\
            --skills-dir examples/skills --format pdf -o who-is-ready.pdf
    """
    from ..core.assessment import load_assessment
    from ..core.fit import check_file_kinds, fit, load_roles
    from ..core.profiles import role_profile_from_file
    from ..reports import fit as view

    if db is not None:
        if roles_dir is None and len(paths) != 1:
            raise click.UsageError("with --db, give ROLE.yaml only (or --roles DIR and no file)")
        if roles_dir is not None and paths:
            raise click.UsageError("with --db and --roles DIR, give no FILE")
    elif roles_dir is None and len(paths) < 2:
        raise click.UsageError("give ROLE.yaml and at least one assessment FILE (or --roles DIR)")
    elif roles_dir is not None and not paths:
        raise click.UsageError("give at least one assessment FILE to compare with --roles DIR")
    needs_output(fmt, output)
    catalog = catalog_from(skills_dirs)
    if db is not None:
        roles = (
            load_roles(catalog, roles_dir)
            if roles_dir is not None
            else [role_profile_from_file(catalog, paths[0])]
        )
        found = fit(roles, _from_store(db, catalog, roles), policy_from(policy_file), basis=basis)
        _say_skipped(found.skipped)
        show(view.RENDERERS, found, fmt, output, paper, force=force, inputs=paths)
        return
    if roles_dir is not None:
        check_file_kinds(None, paths)
        roles = load_roles(catalog, roles_dir)
        files = paths
    else:
        check_file_kinds(paths[0], paths[1:])
        roles = [role_profile_from_file(catalog, paths[0])]
        files = paths[1:]
    loaded = [load_assessment(path, catalog) for path in files]
    found = fit(roles, loaded, policy_from(policy_file), basis=basis)
    _say_skipped(found.skipped)
    given = (policy_file, roles_dir)
    inputs = (*paths, *(path for path in given if path is not None))
    show(view.RENDERERS, found, fmt, output, paper, force=force, inputs=inputs)


def _say_skipped(skipped: tuple[str, ...]) -> None:
    """Each file fit left out (a review of no one in the files, ...), on stderr."""
    for reason in skipped:
        click.echo(printable(f"skipped {reason}"), err=True)


def _from_store(db: str, catalog: Catalog, roles: list[RoleProfile]) -> list[LoadedAssessment]:
    """Everyone's latest self-assessment in the store and the review that counts for it, in the
    SFIA version the roles use (a record in another version is named on stderr, with what to do
    about it)."""
    from ..store.loading import team_from_store

    versions = {(s.skill.code, s.skill.sfia_version) for role in roles for s in role.skills}
    codes = {code for code, _ in versions}
    chosen = []
    for loaded in team_from_store(db, catalog, None):
        key = (loaded.skill.code, loaded.skill.sfia_version)
        if loaded.skill.code in codes and key not in versions:
            click.echo(
                printable(
                    f"skipped {loaded.source}: {loaded.assessment.subject.name}'s"
                    f" {loaded.skill.code} is SFIA {loaded.skill.sfia_version}, the roles use"
                    " another version; migrate it and record the new file"
                ),
                err=True,
            )
            continue
        chosen.append(loaded)
    return chosen


def person_view(
    paths: tuple[Path, ...], catalog: Catalog, policy: Policy, target: int | None, today: dt.date
) -> PersonReport:
    """`assess A.yaml B.yaml ...`: one report for several skills of one person."""
    from ..core.assessment import load_assessment
    from ..core.fit_notes import evaluate
    from ..reports.person_model import check_one_person, person_report

    files = [load_assessment(path, catalog) for path in paths]
    check_one_person(files)
    results = [
        evaluate(
            loaded,
            policy,
            target_level=target,
            responsibility=catalog.responsibility(loaded.skill.sfia_version),
        )
        for loaded in files
    ]
    return person_report(files, results, catalog, today)
