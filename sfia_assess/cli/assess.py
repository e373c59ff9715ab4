"""Commands on one person's files: `init`, `validate`, `assess`, `review`, `suggest`, and the
`schema` and `policy` they follow."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.assessment import LoadedAssessment, load_assessment
from ..core.policy import default_policy
from ..errors import InputFileError, SfiaAssessError
from ..files.clock import today
from ..files.output import check_output
from ..files.printable import printable
from ..reports import Format
from ..reports.build import gap_report
from ..reports.gap import RENDERERS as GAP_REPORT
from .options import (
    catalog_from,
    format_option,
    output_option,
    paper_option,
    policy_from,
    policy_option,
    skills_dir_option,
)
from .output import emit, needs_output, show, show_warnings


@click.command("init")
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
        text = manager_template(load_assessment(reviewing, catalog), today=today())
    else:
        found = catalog.skill(code, version)
        text = self_assessment_template(
            found,
            catalog.responsibility(found.sfia_version),
            default_policy(),
            level=level,
            today=today(),
        )
    emit(text, output, force=force, inputs=(reviewing,) if reviewing else ())


@click.command("validate")
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
            show_warnings(loaded)
            click.echo(printable(f"{path}: ok"))
    if failed:
        raise click.exceptions.Exit(1)


@click.command("assess")
@click.argument(
    "files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--target", type=click.IntRange(1, 7), help="Target level (default: file, else next)."
)
@policy_option
@format_option("sfia_assess.reports.gap:RENDERERS")
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

        person = person_view(files, catalog, policy, target, today())
        show(PERSON_REPORT, person, chosen, output, paper, force=force, inputs=inputs)
        return
    loaded: LoadedAssessment = load_assessment(files[0], catalog)
    show_warnings(loaded)
    report = gap_report(loaded, catalog, policy, today=today(), target=target)
    show(GAP_REPORT, report, chosen, output, paper, force=force, inputs=inputs)


@click.command("schema")
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


@click.command("policy")
def policy_command() -> None:
    """Print the default scoring policy, ready to copy, edit and pass with --policy.

    \b
    Example:
        sfia-assess policy > strict.yaml && sfia-assess assess me.yaml --policy strict.yaml
    """
    from importlib.resources import files

    click.echo(files("sfia_assess").joinpath("policy", "default.yaml").read_text("utf-8"), nl=False)


@click.command("review")
@click.argument("self_file", metavar="SELF", type=click.Path(path_type=Path))
@click.argument("manager_file", metavar="MANAGER", type=click.Path(path_type=Path))
@click.option("--target", type=click.IntRange(1, 7), help="Target level for the agreed gaps.")
@policy_option
@format_option("sfia_assess.reports.review:RENDERERS")
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
        own, manager, catalog, policy_from(policy_file), today=today(), target=target
    )
    show(RENDERERS, report, chosen, output, paper, force=force, inputs=inputs)


@click.command("suggest")
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
@format_option("sfia_assess.reports.suggest:RENDERERS")
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
        emit(annotated, output, force=force, inputs=(file,))
        return
    from ..reports import suggest as view

    shown = view.SuggestView(tuple(found), loaded)
    show(view.RENDERERS, shown, Format(fmt), output, force=force, inputs=(file,))
