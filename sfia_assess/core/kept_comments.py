"""The comments a person wrote in an assessment file, sorted by what they are about.

`migrate` writes a new file; these let it carry the person's own notes across: a comment on (or
just above) a rating goes with that rating, one inside an evidence item stays with the item,
the rest go to the top. Comments the tool wrote itself (the `init` instructions, statement texts,
earlier migration trails) are left behind: the new file gets its own.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from ..files.yamlfile import YamlDocument, comments_of
from .assessment import LoadedAssessment
from .catalog import Catalog
from .policy import default_policy
from .starter import self_assessment_template

_TOOL_TRAIL = re.compile(
    r"^(migrated from .*|was .*\(SFIA \d+\)|self: \S+|Migrated from SFIA .*"
    r"|Review every rating against .*|say where each came from.*|Level \d+ - .*)$"
)


@dataclass
class KeptComments:
    """A person's comments: at the top, by old statement id, and by evidence item index."""

    top: list[str] = field(default_factory=list)
    by_rating: dict[str, list[str]] = field(default_factory=dict)
    by_evidence: dict[int, list[str]] = field(default_factory=dict)


def persons_comments(
    document: YamlDocument, loaded: LoadedAssessment, catalog: Catalog
) -> KeptComments:
    kept = KeptComments()
    tools = _tool_comments(loaded, catalog)
    data_lines = sorted(set(document.lines.values()))
    rating_at = {
        document.lines[("ratings", key)]: key
        for key in loaded.assessment.ratings
        if ("ratings", key) in document.lines
    }
    starts = [
        document.lines.get(("evidence", i), 0) for i in range(len(loaded.assessment.evidence))
    ]
    evidence_end = _end_of(document, "evidence", data_lines)
    for note in comments_of(document.text):
        if not note.text or note.text in tools or _TOOL_TRAIL.match(note.text):
            continue
        # A comment on its own line is about the value below it.
        at = note.line
        if not note.trailing:
            after = bisect.bisect_right(data_lines, note.line)
            at = data_lines[after] if after < len(data_lines) else 0
        if at in rating_at:
            kept.by_rating.setdefault(rating_at[at], []).append(note.text)
            continue
        item = bisect.bisect_right(starts, at) - 1
        if starts and item >= 0 and at < evidence_end:
            kept.by_evidence.setdefault(item, []).append(note.text)
            continue
        kept.top.append(note.text)
    return kept


def _end_of(document: YamlDocument, key: str, data_lines: list[int]) -> int:
    """The first line after the top-level `key`'s value (a line number past the end if last)."""
    start = document.lines.get((key,))
    if start is None:
        return 0
    later = [
        line
        for loc, line in document.lines.items()
        if len(loc) == 1 and loc != (key,) and line > start
    ]
    return min(later) if later else 10**9


def _tool_comments(loaded: LoadedAssessment, catalog: Catalog) -> set[str]:
    """Every comment `init` writes for this skill version, and the statement texts."""
    skill = loaded.skill
    texts = {s.text for s in skill.statements_by_id.values()}
    for level in (None, skill.defined_levels[0]):
        template = self_assessment_template(
            skill,
            catalog.responsibility(skill.sfia_version),
            default_policy(),
            level=level,
            today=dt.date(2000, 1, 1),
        )
        texts.update(c.text for c in comments_of(template))
    return texts
