"""The review record in every format: both ratings side by side, disagreements, the agreed level."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.catalog import LevelsOfResponsibility, SkillVersion
from ..core.history import Step
from ..core.review import ReviewResult
from . import Format, Options, Renderer
from .chart import coverage_svg
from .gap.model import REASON_LABELS, GapReport, level_label
from .json import dumps
from .templating import environment, page
from .terminal import draw


@dataclass(frozen=True)
class RecordTrail:
    """What the store knows of a reviewed assessment beyond its two files: the steps taken on
    it (submitted, returned, signed off: who and when) and the files kept for its evidence
    (evidence id, file name, size in bytes)."""

    steps: tuple[Step, ...] = ()
    files: tuple[tuple[str, str, int], ...] = ()

    @property
    def signed(self) -> Step | None:
        """The sign-off, once there is one."""
        done = [step for step in self.steps if step.kind == "signed-off"]
        return done[-1] if done else None


def step_words(step: Step) -> str:
    """One step of the trail in plain words: `Sent to Kim Ray for review`."""
    if step.kind == "submitted":
        return f"Sent to {step.recipient} for review" if step.recipient else "Sent for review"
    if step.kind == "returned":
        back = f"Sent back to {step.recipient or 'the person'}"
        return f"{back}: {step.note}" if step.note else back
    if step.kind == "signed-off":
        return f"Signed off ({step.note})" if step.note else "Signed off"
    if step.kind == "reassigned":
        return f"Moved to {step.recipient} for review" if step.recipient else "Moved for review"
    words = {
        "withdrawn": "Withdrawn from review",
        "drafted": "Saved as a draft",
        "recorded": "Recorded",
        "reviewed": "Reviewed",
        "agreed": "Level agreed",
        "migrated": "Moved from an older SFIA version",
    }
    return words.get(step.kind, step.kind.capitalize())


def moment_words(at: dt.datetime) -> str:
    """`4 December 2026, 19:01 UTC`."""
    return f"{at.day} {at:%B %Y}, {at:%H:%M} UTC"


@dataclass(frozen=True)
class ReviewReport:
    review: ReviewResult
    skill: SkillVersion
    responsibility: LevelsOfResponsibility
    generated_on: dt.date
    trail: RecordTrail | None = None  # from the store; the CLI's review of two files has none

    @property
    def agreed_report(self) -> GapReport:
        return GapReport(self.review.agreed, self.skill, self.responsibility, self.generated_on)

    def label(self, level: int | None) -> str:
        return level_label(level, self.agreed_report)


def _agreement_line(report: ReviewReport) -> str:
    agreement = report.review.agreement
    only = sum(1 for s in report.review.statements if s.self_rating is None and s.manager_rating)
    statements = f"{only} statement{'s' if only != 1 else ''}"
    if agreement.share_same is None:
        return agreement.note + (f" The manager rated {statements}." if only else "")
    also = f" The manager also rated {statements} the self-assessment left unrated." if only else ""
    text = (
        f"Rated the same: {agreement.same + agreement.kept} of {agreement.self_rated}"
        f" self-rated statements ({agreement.share_same:.0%}); the manager kept"
        f" {agreement.kept} as rated and rated {agreement.both_rated} again"
        f" ({agreement.same} the same)."
    )
    if agreement.kappa is not None:
        return f"{text} Weighted kappa: {agreement.kappa:.2f}. {agreement.note}{also}"
    return f"{text} {agreement.note}{also}"


def _reviewer(review: ReviewResult) -> str:
    """`Dana Boss, Service Desk Manager (manager)`."""
    assessor = review.manager_result.assessor
    role = f", {assessor.role}" if assessor.role else ""
    return f"{assessor.name}{role} ({assessor.relation})"


def render_text(report: ReviewReport, options: Options) -> str:
    return draw(lambda console: _paint(console, report), color=options.color, width=110)


def _paint(console: Console, report: ReviewReport) -> None:
    review = report.review
    agreed = review.agreed
    console.print(Text(f"Review of {agreed.subject.name}", "bold"))
    console.print(
        f"{agreed.skill.name} ({agreed.skill.code}), SFIA {agreed.skill.version}:"
        f" self-assessment by {review.self_result.assessor.name}"
        f" ({review.self_result.assessed_on.isoformat()}), review by {_reviewer(review)}"
        f" ({review.manager_result.assessed_on.isoformat()})"
    )
    console.print()
    console.print(f"Self level:     {report.label(review.self_result.recommended_level)}")
    console.print(
        f"Manager alone:  {report.label(review.manager_result.recommended_level)}"
        "  (the manager's file scored by itself)"
    )
    console.print(
        Text.assemble(
            ("Agreed level:   ", "bold"), (report.label(agreed.recommended_level), "bold green")
        )
    )
    console.print(_agreement_line(report))
    console.print()
    differing = review.disagreements
    if differing:
        table = Table(box=None, header_style="bold", pad_edge=False, title_justify="left")
        for column in ("", "Id", "Self", "Manager", "Agreed", "Why it matters"):
            table.add_column(column)
        for row in differing:
            table.add_row(
                "!!" if row.flagged else "",
                row.id,
                row.self_rating or "-",
                row.manager_rating or ("kept" if row.self_rating else "-"),
                "demonstrated" if row.agreed_demonstrated else "not demonstrated",
                row.note,
            )
        console.print(
            Text(f"Statements where the two differ ({len(differing)}; !! = flagged)", "bold")
        )
        console.print(table)
    else:
        console.print("The manager rated no statement differently from the self-assessment.")
    comments = [row for row in review.statements if row.comment]
    if comments:
        console.print()
        console.print(Text("The manager's comments", "bold"))
        for row in comments:
            console.print(f"  {row.id}  {row.comment}")
    console.print()
    if agreed.gaps:
        console.print(Text(f"Gaps from the agreed level ({len(agreed.gaps)})", "bold"))
        for gap in agreed.gaps:
            console.print(f"  {gap.id}  {gap.text}  [{REASON_LABELS[gap.reason]}]")
    for old, new in review.renamed_evidence:
        console.print(f"  - manager's evidence {old} is shown as {new} (the self file uses {old})")


def render_json(report: ReviewReport, options: Options) -> str:
    review = report.review
    data: dict[str, Any] = {
        "schema_version": 1,
        "kind": "review",
        "subject": dataclasses.asdict(review.agreed.subject),
        "skill": dataclasses.asdict(review.agreed.skill),
        "self_level": review.self_result.recommended_level,
        "manager_level": review.manager_result.recommended_level,
        "agreed_level": review.agreed.recommended_level,
        "agreement": dataclasses.asdict(review.agreement),
        "statements": [dataclasses.asdict(s) for s in review.statements],
        "disagreements": [s.id for s in review.disagreements],
        "flagged": [s.id for s in review.statements if s.flagged],
        "renamed_evidence": [{"from": a, "to": b} for a, b in review.renamed_evidence],
        "agreed": dataclasses.asdict(review.agreed),
    }
    return dumps(data)


def render_html(report: ReviewReport, options: Options) -> str:
    review = report.review
    agreed = review.agreed
    self_label = report.label(review.self_result.recommended_level)
    agreed_label = report.label(agreed.recommended_level)
    context = {
        **page(
            title=(
                f"{agreed.skill.name} ({agreed.skill.code}) review record \u2014"
                f" {agreed.subject.name}"
            ),
            attribution=report.skill.attribution,
            author=review.manager_result.assessor.name,
            description=(
                f"SFIA {agreed.skill.version} {agreed.skill.name} review of"
                f" {agreed.subject.name}: self level {self_label}, agreed level {agreed_label}"
            ),
            created=agreed.assessed_on,
            modified=report.generated_on,
            paper=options.paper,
        ),
        "self_label": self_label,
        "agreed_label": agreed_label,
        "report": report,
        "review": review,
        "result": agreed,
        "skill": report.skill,
        "manager_label": report.label(review.manager_result.recommended_level),
        "target_label": report.label(agreed.target_level),
        "agreement_line": _agreement_line(report),
        "chart": coverage_svg(agreed),
        "reason_labels": {k.value: v for k, v in REASON_LABELS.items()},
        "statements_by_id": {s.id: s for s in agreed.statements},
        "reviewer": _reviewer(review),
        "self_evidence": [e for e in agreed.evidence if e.id not in review.manager_evidence],
        "manager_evidence": [e for e in agreed.evidence if e.id in review.manager_evidence],
        "trail": report.trail,
        "signed": report.trail.signed if report.trail else None,
        "signed_when": (
            moment_words(report.trail.signed.at) if report.trail and report.trail.signed else ""
        ),
        "trail_steps": [
            (step_words(step), step.actor, moment_words(step.at))
            for step in (report.trail.steps if report.trail else ())
            if step.kind != "drafted"
        ],
    }
    return environment().get_template("review-record.html.j2").render(context)


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.HTML: render_html,
}
