"""The `sfia-assess` command line: a thin click layer over the library."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .assessment import LoadedAssessment, load_assessment
from .catalog import Catalog
from .errors import InputFileError, SfiaAssessError
from .output import write_atomic
from .policy import Policy, default_policy, load_policy
from .reports import Format, render
from .reports.model import build_report
from .scoring import score

F = TypeVar("F", bound=Callable[..., Any])


class _Cli(click.Group):
    """Turns the library's errors into a message on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputFileError as exc:
            click.echo(str(exc), err=True)
            raise click.exceptions.Exit(1) from None
        except SfiaAssessError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(1) from None


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sfia-assess")
def cli() -> None:
    """Assess people against SFIA skills from evidence, and report the gaps.

    \b
    Example:
        sfia-assess init --level 3 -o me.yaml     # a template to fill in
        sfia-assess assess me.yaml                # your level and your gaps
    """


# -- options used by several commands ---------------------------------------------------------


def skills_dir_option(func: F) -> F:
    return click.option(
        "--skills-dir",
        "skills_dirs",
        multiple=True,
        type=click.Path(path_type=Path, file_okay=False),
        help="Extra folder of skills YAML (<CODE>/sfia-<N>.yaml); also $SFIA_ASSESS_SKILLS_DIR.",
    )(func)


def output_option(func: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write to this file (atomically) instead of standard output.",
    )(func)


def policy_option(func: F) -> F:
    return click.option(
        "--policy",
        "policy_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Scoring policy YAML replacing the defaults (see `sfia-assess policy`).",
    )(func)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def _catalog(skills_dirs: tuple[Path, ...]) -> Catalog:
    return Catalog.default(skills_dirs)


def _policy(policy_file: Path | None) -> Policy:
    return load_policy(policy_file) if policy_file else default_policy()


def _today() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when set (reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _emit(data: str | bytes, output: Path | None) -> None:
    if output is not None:
        write_atomic(output, data)
        click.echo(f"wrote {output}", err=True)
    elif isinstance(data, bytes):
        raise click.UsageError("this format is binary: give -o FILE to write it to a file")
    else:
        click.echo(data, nl=False)


# -- framework ----------------------------------------------------------------------------


@cli.command()
@format_option("text", "json")
@skills_dir_option
def skills(fmt: str, skills_dirs: tuple[Path, ...]) -> None:
    """List the skills the tool knows, with their SFIA versions and defined levels.

    \b
    Example:
        sfia-assess skills --format json
    """
    from .reports import skill as view

    catalog = _catalog(skills_dirs)
    rows = list(catalog.all_skills())
    if fmt == "json":
        click.echo(view.skills_json(rows))
    else:
        click.echo(view.skills_text(rows, color=sys.stdout.isatty()), nl=False)


@cli.command()
@click.argument("code")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@click.option("--level", type=click.IntRange(1, 7), help="Show only this level.")
@format_option("text", "json", "md")
@skills_dir_option
def skill(
    code: str, version: int | None, level: int | None, fmt: str, skills_dirs: tuple[Path, ...]
) -> None:
    """Show a skill: description, guidance notes, and each level's statements with ids.

    \b
    Example:
        sfia-assess skill USUP --version 9 --level 3
    """
    from .reports import skill as view

    catalog = _catalog(skills_dirs)
    found = catalog.skill(code, version)
    if level is not None:
        found.level(level)
    responsibility = catalog.responsibility(found.sfia_version)
    if fmt == "json":
        click.echo(view.skill_json(found, responsibility, level))
    elif fmt == "md":
        click.echo(view.skill_markdown(found, responsibility, level), nl=False)
    else:
        click.echo(
            view.skill_text(found, responsibility, level, color=sys.stdout.isatty()), nl=False
        )


# -- assessments ----------------------------------------------------------------------------


@cli.command()
@click.option("--skill", "code", default="USUP", show_default=True, help="Skill code.")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@click.option("--level", type=click.IntRange(1, 7), help="List level N and N+1 only.")
@output_option
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@skills_dir_option
def init(
    code: str,
    version: int | None,
    level: int | None,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Write a commented assessment template listing the statements to rate.

    \b
    Example:
        sfia-assess init --level 3 -o sam-lee.yaml
    """
    from .template import self_assessment_template

    catalog = _catalog(skills_dirs)
    found = catalog.skill(code, version)
    text = self_assessment_template(
        found,
        catalog.responsibility(found.sfia_version),
        default_policy(),
        level=level,
        today=_today(),
    )
    if output is not None and output.exists() and not force:
        raise SfiaAssessError(f"{output} already exists; use --force to overwrite it")
    _emit(text, output)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@skills_dir_option
def validate(files: tuple[Path, ...], skills_dirs: tuple[Path, ...]) -> None:
    """Check assessment files: prints `FILE: ok` or every problem with its line.

    \b
    Example:
        sfia-assess validate examples/*.yaml
    """
    catalog = _catalog(skills_dirs)
    failed = False
    for path in files:
        try:
            load_assessment(path, catalog)
        except InputFileError as exc:
            failed = True
            click.echo(str(exc), err=True)
        else:
            click.echo(f"{path}: ok")
    if failed:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--target", type=click.IntRange(1, 7), help="Target level (default: file, else next)."
)
@policy_option
@format_option("text", "json", "html", "pdf")
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default="a4",
    show_default=True,
    help="Paper size for html/pdf.",
)
@output_option
@skills_dir_option
def assess(
    file: Path,
    target: int | None,
    policy_file: Path | None,
    fmt: str,
    paper: str,
    output: Path | None,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Score an assessment: recommended level, coverage per level, and the gaps to the target.

    \b
    Example:
        sfia-assess assess examples/sam-lee-analyst.yaml
        sfia-assess assess me.yaml --format pdf -o me.pdf
    """
    chosen = Format(fmt)
    if chosen.binary and output is None:
        raise click.UsageError("--format pdf needs -o FILE")
    catalog = _catalog(skills_dirs)
    policy = _policy(policy_file)
    loaded: LoadedAssessment = load_assessment(file, catalog)
    result = score(
        loaded,
        policy,
        target_level=target,
        responsibility=catalog.responsibility(loaded.skill.sfia_version),
    )
    report = build_report(result, catalog, _today())
    color = output is None and sys.stdout.isatty()
    _emit(render(report, chosen, color=color, paper=paper), output)


@cli.command()
@click.option(
    "--of",
    "what",
    type=click.Choice(["assessment", "result"]),
    default="assessment",
    show_default=True,
    help="The assessment file (input) or the `assess --format json` output.",
)
def schema(what: str) -> None:
    """Print the JSON Schema of the assessment file (or of the JSON result).

    \b
    Example:
        sfia-assess schema > assessment.schema.json
    """
    if what == "result":
        from .reports.json import result_schema

        data = result_schema()
    else:
        from .assessment import assessment_schema

        data = assessment_schema()
    click.echo(json.dumps(data, indent=2))


@cli.command("policy")
def policy_command() -> None:
    """Print the default scoring policy, ready to copy, edit and pass with --policy.

    \b
    Example:
        sfia-assess policy > strict.yaml && sfia-assess assess me.yaml --policy strict.yaml
    """
    from importlib.resources import files

    click.echo(files("sfia_assess").joinpath("policy", "default.yaml").read_text("utf-8"), nl=False)
