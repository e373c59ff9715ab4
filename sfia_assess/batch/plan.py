"""Before any report is made: every file checked, reviews paired with the self-assessments they
review, and each person's report named (a Job each, for the pool's workers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.assessment import check_document
from ..core.catalog import Catalog
from ..core.pairing import Card, pair_reviews
from ..core.policy import Policy
from ..errors import SfiaAssessError
from ..files.folders import safe_stem
from ..files.yamlfile import read_yaml
from ..reports import Format
from .summary import Done, Row, card_row

# The formats a batch writes, with each report's file extension (also `batch --format`'s choices).
EXTENSIONS = {Format.PDF: "pdf", Format.HTML: "html", Format.JSON: "json", Format.TEXT: "txt"}


def unique_stems(names: list[str]) -> list[str]:
    """`safe_stem` of each name, with -2, -3 ... added where two people would collide."""
    used: set[str] = set()
    out = []
    for name in names:
        stem = candidate = safe_stem(name)
        n = 2
        while candidate in used:
            candidate = f"{stem}-{n}"
            n += 1
        used.add(candidate)
        out.append(candidate)
    return out


@dataclass(frozen=True)
class Job:
    """One report to make. The parent checked the files and keeps only their cards (a few words
    each, so its memory stays flat however many people); the worker reads the files again."""

    source: Path
    own: Card  # the self-assessment
    reviewed_by: Card | None  # the manager's review of it, when the folder has one
    target: Path
    fmt: Format
    skills_dirs: tuple[Path, ...]
    policy: Policy
    generated_on: dt.date
    temp_prefix: str  # this run's own temporary names: a run never removes another's files


_CATALOGS: dict[tuple[Path, ...], Catalog] = {}


def catalog_for(skills_dirs: tuple[Path, ...]) -> Catalog:
    if skills_dirs not in _CATALOGS:
        _CATALOGS[skills_dirs] = Catalog.default(skills_dirs)
    return _CATALOGS[skills_dirs]


def load_all(
    files: list[Path], catalog: Catalog, *, texts: dict[str, str] | None = None
) -> tuple[list[Card], list[Done]]:
    """Check every file first (fast): a card for each good one, a failed row for each bad one.

    Only the cards are kept: a checked file costs tens of kilobytes, its card a few hundred
    bytes, so a thousand people do not grow the batch's processes (workers are forks of it).
    `texts`, when given, receives each good file's text as it was checked (the job queue stores
    it for its workers)."""
    cards: list[Card] = []
    failed: list[Done] = []
    for path in files:
        try:
            document = read_yaml(path)
            card = Card.of(check_document(document, catalog))
        except SfiaAssessError as exc:
            failed.append(Done(path, None, "failed", Row(), str(exc)))
            continue
        cards.append(card)
        if texts is not None:
            texts[card.source] = document.text
    return cards, failed


def plan(
    cards: list[Card], out_dir: Path, fmt: Format
) -> tuple[list[tuple[Card, Card | None, Path]], list[Done]]:
    """Pair reviews with the self-assessments they review, and name each person's report."""
    people, unpaired = pair_reviews(cards)
    done: list[Done] = []
    for item in unpaired:
        review = item.review
        if item.failed:
            done.append(Done(Path(review.source), None, "failed", card_row(review), item.reason))
        else:
            done.append(
                Done(
                    Path(review.source), None, "not used", card_row(review), None, note=item.reason
                )
            )
    stems = unique_stems([p.own.name for p in people])
    extension = EXTENSIONS[fmt]
    planned = [
        (p.own, p.review, out_dir / f"{stem}.{extension}")
        for p, stem in zip(people, stems, strict=True)
    ]
    return planned, done
