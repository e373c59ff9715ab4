"""The `sfia-assess` command line: a thin click layer over the library."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from ..core.assessment import LoadedAssessment, load_assessment
from ..core.catalog import Catalog
from ..core.policy import Policy, default_policy, load_policy
from ..errors import InputFileError, OutputConflict, SfiaAssessError
from ..files.clock import today
from ..files.output import check_output, write_output
from ..files.printable import printable
from ..reports import Format, Options, Renderer, render
from ..reports.build import gap_report
from ..reports.gap import RENDERERS as GAP_REPORT
from ..version import __version__
from .pydantic_plugins import disable_pydantic_plugins
from .store import as_date, as_of_option, store_option

F = TypeVar("F", bound=Callable[..., Any])


class _Cli(click.Group):
    """Turns the library's errors into a message on stderr and exit code 1, never a traceback.

    Commands that live in other modules are registered by name in `lazy_commands` (at the end of
    this file) and imported only when run or listed by --help (click's lazy group pattern): a
    text report need not import the store, web or queue modules.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}  # name -> "module:attribute" in this package

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return self.commands.get(cmd_name)
        module, _, attribute = self.lazy_commands[cmd_name].partition(":")
        command = getattr(importlib.import_module(module, __package__), attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise TypeError(f"{self.lazy_commands[cmd_name]} is not the command {cmd_name!r}")
        self.add_command(command)
        return command

    def all_commands(self) -> dict[str, click.Command]:
        """Every command by name, the lazy ones imported (for tests and documentation)."""
        ctx = click.Context(self)
        found = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        return {name: command for name, command in found.items() if command is not None}

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputFileError as exc:
            click.echo(printable(str(exc)), err=True)
            raise click.exceptions.Exit(1) from None
        except OutputConflict as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(2) from None
        except SfiaAssessError as exc:
            click.echo(printable(f"Error: {exc}"), err=True)
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
    # Before pydantic builds its first validator it looks for plugins (importing
    # importlib.metadata, scanning entry points): ~13 ms of each start-up, and no plugin has a
    # say in this tool. An explicit PYDANTIC_DISABLE_PLUGINS (even empty) is kept.
    disable_pydantic_plugins()


# -- options used by several commands ---------------------------------------------------------


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
    """-o FILE and --force: the rule for every output is in output.py."""
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


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def catalog_from(skills_dirs: tuple[Path, ...]) -> Catalog:
    return Catalog.default(skills_dirs)


def policy_from(policy_file: Path | None) -> Policy:
    return load_policy(policy_file) if policy_file else default_policy()


def _today() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when set (reproducible reports)."""
    return today()


def _show_warnings(loaded: LoadedAssessment) -> None:
    for warning in loaded.warnings:
        click.echo(printable(str(warning)), err=True)


def needs_output(fmt: str, output: Path | None) -> None:
    if fmt == "pdf" and output is None:
        raise click.UsageError("--format pdf needs -o FILE")


def _options(output: Path | None, paper: str = "a4") -> Options:
    """Colours only for a terminal; the date from SOURCE_DATE_EPOCH when set."""
    color = output is None and sys.stdout.isatty()
    return Options(color=color, paper="letter" if paper == "letter" else "a4", today=_today())


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
    data = render(renderers, view, Format(fmt), _options(output, paper))
    _write(data, output, force=force, inputs=inputs)
    if fmt == Format.PDF:
        _pdf_speed_hint()


def _pdf_speed_hint() -> None:
    from ..reports.pdf.render import speed_hint

    hint = speed_hint()
    if hint:
        click.echo(hint, err=True)


def _emit(
    data: str | bytes, output: Path | None, *, force: bool = False, inputs: tuple[Path, ...] = ()
) -> None:
    """Emit what is not a report view (a YAML file, a message); on a terminal or a pipe, its
    control characters are escaped, so text from an input file cannot drive the terminal."""
    if isinstance(data, str) and output is None:
        data = printable(data)
    _write(data, output, force=force, inputs=inputs)


def _write(
    data: str | bytes, output: Path | None, *, force: bool = False, inputs: tuple[Path, ...] = ()
) -> None:
    if output is not None:
        write_output(output, data, inputs=inputs, force=force)
        click.echo(printable(f"wrote {output}"), err=True)
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
    from ..reports import skill as view

    found = view.SkillList(tuple(catalog_from(skills_dirs).all_skills()))
    show(view.SKILLS_RENDERERS, found, Format(fmt), None)


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
    from ..reports import skill as view

    catalog = catalog_from(skills_dirs)
    found = catalog.skill(code, version)
    if level is not None:
        found.level(level)
    page = view.SkillPage(found, catalog.responsibility(found.sfia_version), level)
    show(view.RENDERERS, page, Format(fmt), None)


# -- assessments ----------------------------------------------------------------------------


@cli.command()
@click.option("--skill", "code", default="USUP", show_default=True, help="Skill code.")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@click.option("--level", type=click.IntRange(1, 7), help="List level N and N+1 only.")
@click.option(
    "--manager",
    "reviewing",
    type=click.Path(path_type=Path),
    help="Write a manager's review template for this self-assessment file instead.",
)
@output_option
@skills_dir_option
def init(
    code: str,
    version: int | None,
    level: int | None,
    reviewing: Path | None,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Write a commented assessment template listing the statements to rate.

    \b
    Example:
        sfia-assess init --level 3 -o sam-lee.yaml
        sfia-assess init --manager sam-lee.yaml -o sam-lee-review.yaml
    """
    from ..core.starter import manager_template, self_assessment_template

    catalog = catalog_from(skills_dirs)
    if reviewing is not None:
        text = manager_template(load_assessment(reviewing, catalog), today=_today())
    else:
        found = catalog.skill(code, version)
        text = self_assessment_template(
            found,
            catalog.responsibility(found.sfia_version),
            default_policy(),
            level=level,
            today=_today(),
        )
    _emit(text, output, force=force, inputs=(reviewing,) if reviewing else ())


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@skills_dir_option
def validate(files: tuple[Path, ...], skills_dirs: tuple[Path, ...]) -> None:
    """Check assessment files: prints `FILE: ok` or every problem with its line.

    \b
    Example:
        sfia-assess validate examples/*.yaml
    """
    catalog = catalog_from(skills_dirs)
    failed = False
    for path in files:
        try:
            loaded = load_assessment(path, catalog)
        except InputFileError as exc:
            failed = True
            click.echo(printable(str(exc)), err=True)
        else:
            _show_warnings(loaded)
            click.echo(printable(f"{path}: ok"))
    if failed:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument(
    "files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--target", type=click.IntRange(1, 7), help="Target level (default: file, else next)."
)
@policy_option
@format_option("text", "json", "html", "pdf")
@paper_option
@output_option
@skills_dir_option
def assess(
    files: tuple[Path, ...],
    target: int | None,
    policy_file: Path | None,
    fmt: str,
    paper: str,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Score an assessment: recommended level, coverage per level, and the gaps to the target.

    Several files of one person (one per skill) make one report: a profile page, then each skill.

    \b
    Example:
        sfia-assess assess examples/sam-lee-analyst.yaml
        sfia-assess assess me.yaml --format pdf -o me.pdf
        sfia-assess assess usup.yaml mico.yaml --skills-dir my-skills --format pdf -o me.pdf
    """
    chosen = Format(fmt)
    needs_output(fmt, output)
    inputs = (*files, *((policy_file,) if policy_file else ()))
    if output is not None:
        check_output(output, inputs=inputs, force=force)
    catalog = catalog_from(skills_dirs)
    policy = policy_from(policy_file)
    if len(files) > 1:
        from ..reports.person import RENDERERS as PERSON_REPORT
        from .career import person_view

        person = person_view(files, catalog, policy, target, _today())
        show(PERSON_REPORT, person, chosen, output, paper, force=force, inputs=inputs)
        return
    loaded: LoadedAssessment = load_assessment(files[0], catalog)
    _show_warnings(loaded)
    report = gap_report(loaded, catalog, policy, today=_today(), target=target)
    show(GAP_REPORT, report, chosen, output, paper, force=force, inputs=inputs)


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
    from ..reports.json import dumps

    if what == "result":
        from ..reports.json import result_schema

        data = result_schema()
    else:
        from ..core.assessment import assessment_schema

        data = assessment_schema()
    click.echo(dumps(data), nl=False)


@cli.command("policy")
def policy_command() -> None:
    """Print the default scoring policy, ready to copy, edit and pass with --policy.

    \b
    Example:
        sfia-assess policy > strict.yaml && sfia-assess assess me.yaml --policy strict.yaml
    """
    from importlib.resources import files

    click.echo(files("sfia_assess").joinpath("policy", "default.yaml").read_text("utf-8"), nl=False)


@cli.command("review")
@click.argument("self_file", metavar="SELF", type=click.Path(path_type=Path))
@click.argument("manager_file", metavar="MANAGER", type=click.Path(path_type=Path))
@click.option("--target", type=click.IntRange(1, 7), help="Target level for the agreed gaps.")
@policy_option
@format_option("text", "json", "html", "pdf")
@paper_option
@output_option
@skills_dir_option
def review_command(
    self_file: Path,
    manager_file: Path,
    target: int | None,
    policy_file: Path | None,
    fmt: str,
    paper: str,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Reconcile a self-assessment with a manager's review and agree a level.

    Where the manager rated a statement, that rating counts; elsewhere the self rating stands.
    Evidence from both files counts.

    \b
    Example:
        sfia-assess review examples/priya-nair-coordinator.yaml examples/priya-nair-manager.yaml
        sfia-assess review self.yaml manager.yaml --format pdf -o review.pdf
    """
    from ..reports.build import review_report
    from ..reports.review import RENDERERS

    chosen = Format(fmt)
    needs_output(fmt, output)
    inputs = (self_file, manager_file, *((policy_file,) if policy_file else ()))
    if output is not None:
        check_output(output, inputs=inputs, force=force)
    catalog = catalog_from(skills_dirs)
    own = load_assessment(self_file, catalog)
    manager = load_assessment(manager_file, catalog)
    report = review_report(
        own, manager, catalog, policy_from(policy_file), today=_today(), target=target
    )
    show(RENDERERS, report, chosen, output, paper, force=force, inputs=inputs)


@cli.command("diff")
@click.argument("code")
@click.option("--from", "old", type=int, required=True, help="The older SFIA version.")
@click.option("--to", "new", type=int, required=True, help="The newer SFIA version.")
@format_option("text", "json", "md", "html")
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


@cli.command("migrate")
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
    from ..core.crosswalk import migrate_file

    catalog = catalog_from(skills_dirs)
    migration = migrate_file(file, catalog, new)
    _emit(migration.text, output, force=force, inputs=(file,))
    click.echo(
        f"migrated SFIA {migration.from_version} -> {migration.to_version}:"
        f" {migration.ratings_before} ratings -> {migration.ratings_after},"
        f" {migration.evidence_before} evidence items -> {migration.evidence_after}",
        err=True,
    )
    for note in migration.notes:
        click.echo(printable(f"  note: {note}"), err=True)


@cli.command("profile")
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
@format_option("md", "html", "pdf", "json", default="md")
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


@cli.command("pathway")
@click.argument("code")
@click.option("--version", "version", type=int, help="SFIA version (default: the newest).")
@format_option("text", "md", "html", "pdf")
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


@cli.command("batch")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the reports and summary.csv (created if missing).",
)
@format_option("pdf", "html", "json", "text", default="pdf")
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(1, 3600),
    default=120,
    show_default=True,
    help="Seconds one report may take; past it that report fails and the rest go on.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@policy_option
@skills_dir_option
@store_option
@as_of_option
@click.option(
    "--queue",
    metavar="URL",
    help="Spread the batch over workers on other machines"
    " through this PostgreSQL job queue (see `sfia-assess worker`).",
)
@click.option("--no-wait", is_flag=True, help="With --queue: enqueue, print the batch id, return.")
def batch_command(
    directory: Path | None,
    out_dir: Path,
    fmt: str,
    jobs: int,
    time_limit: float,
    quiet: bool,
    policy_file: Path | None,
    skills_dirs: tuple[Path, ...],
    db: str | None,
    as_of: dt.datetime | None,
    queue: str | None = None,
    no_wait: bool = False,
) -> None:
    """Assess every file in a folder: one report per person, and a summary.csv.

    A manager's review in the folder goes with the self-assessment it reviews: that person's
    report is then the review record, and summary.csv gives both levels. A file that cannot be
    read is reported and skipped; the others are still produced, and the exit code is 1 if any
    failed. Ctrl-C stops within a second or two; summary.csv then says what was not made.

    With --db, the folder is everyone's latest recorded assessment in the history store.

    \b
    Example:
        sfia-assess batch team/ -o reports/ --format pdf --jobs 2
        sfia-assess batch --db --as-of 2026-10-31 -o reports/
    """
    if (directory is None) == (db is None):
        raise click.UsageError("give a DIRECTORY of assessment files, or --db [URL] (not both)")
    if as_of is not None and db is None:
        raise click.UsageError("--as-of needs --db: a folder has no history")
    if db is not None:
        from ..store.snapshot import snapshot_folder

        with snapshot_folder(db, as_date(as_of)) as folder:
            ctx = click.get_current_context()
            ctx.invoke(
                batch_command,
                directory=folder,
                db=None,
                as_of=None,
                out_dir=out_dir,
                fmt=fmt,
                jobs=jobs,
                quiet=quiet,
                policy_file=policy_file,
                skills_dirs=skills_dirs,
                time_limit=time_limit,
                queue=queue,
                no_wait=no_wait,
            )
        return
    assert directory is not None
    from ..batch.run import BatchInterrupted, run_batch

    policy = policy_from(policy_file)
    if queue is not None:
        from .queue import queue_batch

        if jobs != 1 or skills_dirs:
            raise click.UsageError(
                "--jobs and --skills-dir (or $SFIA_ASSESS_SKILLS_DIR) are for a local batch:"
                " with --queue, the workers' --concurrency sets the processes, and they use the"
                " shipped skills"
            )

        fmt_ = Format(fmt)
        queue_batch(
            directory,
            queue,
            out_dir,
            fmt=fmt_,
            policy=policy,
            generated_on=_today(),
            wait=not no_wait,
            quiet=quiet,
        )
        return
    show = not quiet and sys.stderr.isatty()

    def run(progress: Callable[[int, int], None] | None) -> Any:
        return run_batch(
            directory,
            out_dir,
            fmt=Format(fmt),
            jobs=jobs,
            policy=policy,
            skills_dirs=skills_dirs,
            generated_on=_today(),
            time_limit=time_limit,
            progress=progress,
        )

    try:
        if show:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("Assessing", total=None)
                outcome = run(lambda done, total: bar.update(task, completed=done, total=total))
        else:
            outcome = run(None)
    except BatchInterrupted as stop:
        click.echo(f"Error: {stop}", err=True)
        raise click.exceptions.Exit(128 + stop.signum) from None
    if fmt == "pdf":
        _pdf_speed_hint()
    for item in outcome.failed:
        click.echo(printable(item.error), err=True)
    made = len(outcome.done) - len(outcome.failed)
    click.echo(
        f"{made} report(s) written to {out_dir}, {len(outcome.failed)} failed;"
        f" summary: {outcome.summary}",
        err=True,
    )
    if outcome.failed:
        raise click.exceptions.Exit(1)


@cli.command("team")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@format_option("text", "json", "html", "pdf")
@click.option(
    "--level",
    "basis",
    type=click.Choice(["agreed", "self"]),
    default="agreed",
    show_default=True,
    help="Whose level to show for a person who has a review (in the folder or the store).",
)
@paper_option
@output_option
@policy_option
@skills_dir_option
@store_option
@as_of_option
def team_command(
    directory: Path | None,
    fmt: str,
    basis: str,
    paper: str,
    output: Path | None,
    force: bool,
    policy_file: Path | None,
    skills_dirs: tuple[Path, ...],
    db: str | None,
    as_of: dt.datetime | None,
) -> None:
    """Show where a team stands: people x levels, the level mix, and shared gaps.

    With --db, the team is everyone in the history store (their latest assessment, with the
    level agreed with their manager where a review was recorded). A manager's review in a folder
    goes with the self-assessment it reviews; that person is shown at the agreed level (or the
    self-assessed one with --level self), never twice.

    \b
    Example:
        sfia-assess team team/ --format pdf -o team.pdf
        sfia-assess team --db --as-of 2026-10-31
    """
    from ..core.team import Basis, team_of, team_view
    from ..reports import team as view

    needs_output(fmt, output)
    catalog = catalog_from(skills_dirs)
    if (directory is None) == (db is None):
        raise click.UsageError("give a DIRECTORY of assessment files, or --db [URL] (not both)")
    if as_of is not None and db is None:
        raise click.UsageError("--as-of needs --db: a folder has no history")
    inputs = (*((directory,) if directory else ()), *((policy_file,) if policy_file else ()))
    if output is not None:
        check_output(output, inputs=inputs, force=force)
    chosen_basis: Basis = "self" if basis == "self" else "agreed"
    if db is not None:
        from ..store.loading import team_from_store

        loaded = team_from_store(db, catalog, as_date(as_of))
        found = team_of(loaded, catalog, policy_from(policy_file), basis=chosen_basis)
    else:
        assert directory is not None
        found = team_view(directory, catalog, policy_from(policy_file), basis=chosen_basis)
    show(view.RENDERERS, found, Format(fmt), output, paper, force=force, inputs=inputs)


@cli.command("import-sfia")
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


@cli.command("suggest")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--top", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option(
    "--matcher",
    "matcher_kind",
    type=click.Choice(["auto", "lexical", "semantic"]),
    default="auto",
    show_default=True,
    help="auto: semantic when the [semantic] extra is installed, else lexical.",
)
@format_option("text", "json")
@click.option(
    "--write", is_flag=True, help="Write the file with suggestions added as comments (needs -o)."
)
@output_option
@skills_dir_option
def suggest_command(
    file: Path,
    top: int,
    matcher_kind: str,
    fmt: str,
    write: bool,
    output: Path | None,
    force: bool,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Suggest which statements each piece of evidence supports, best first.

    Claims already in `supports` are marked. With --write -o NEW.yaml the suggestions are added
    to a copy of the file as comments for the person to confirm; nothing they claimed changes.

    \b
    Example:
        sfia-assess suggest examples/sam-lee-analyst.yaml --top 3
        sfia-assess suggest me.yaml --write -o me-with-suggestions.yaml
    """
    from ..core import semantic
    from ..core.assessment import check_document
    from ..core.matcher import annotated_file, matcher_for, suggest
    from ..files.yamlfile import read_yaml
    from ..files.yamlwriter import with_same_data

    document = read_yaml(file)
    loaded = check_document(document, catalog_from(skills_dirs))
    if matcher_kind == "semantic" and not semantic.available():
        raise SfiaAssessError(
            "the semantic matcher needs the extra: pip install torch==2.13.0 first (a CPU"
            ' build), then pip install "sfia-assess[semantic]"'
        )
    use_semantic = matcher_kind == "semantic" or (matcher_kind == "auto" and semantic.available())
    matcher = (
        semantic.semantic_matcher_for(loaded.skill) if use_semantic else matcher_for(loaded.skill)
    )
    found = suggest(loaded, top, matcher)
    click.echo(f"matcher: {matcher.name}", err=True)
    if write:
        if output is None:
            raise click.UsageError("--write needs -o NEW.yaml (the original file is not changed)")
        text = file.read_bytes().decode("utf-8-sig")
        annotated = with_same_data(
            document,
            annotated_file(text, document, found),
            "suggestions cannot be added as comments here without changing what the file says"
            " (a multi-line value in {...}?); run suggest without --write and copy them by hand",
        )
        _emit(annotated, output, force=force, inputs=(file,))
        return
    from ..reports import suggest as view

    shown = view.SuggestView(tuple(found), loaded)
    show(view.RENDERERS, shown, Format(fmt), output, force=force, inputs=(file,))


# -- commands in other modules: register each here, by name and "module:attribute" -------------

cli.lazy_commands = {
    "attributes": ".career:attributes_command",
    "fit": ".career:fit_command",
    "db": ".store:db_group",
    "record": ".store:record_command",
    "history": ".store:history_command",
    "export": ".store:export_command",
    "attach": ".store:attach_command",
    "serve": ".web:serve",
    "worker": ".queue:worker_command",
    "batch-status": ".queue:batch_status_command",
    "batch-collect": ".queue:batch_collect_command",
    "users": ".accounts:users_group",
    "audit": ".accounts:audit_command",
}
