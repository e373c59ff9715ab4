"""What changes from one level of a skill to the next: the statements that are new, and those that
grow out of one below (a stronger verb, or the same verb with a wider reach).

A word-overlap heuristic over the statements' own words, nothing learned: a statement grows out
of one below when both start with the same verb, or when they share two or more words that are
not common to the whole skill (words in over a quarter of its statements, like "incident").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .catalog import Statement

_STOP = frozenset(
    {"a", "an", "and", "the", "of", "to", "in", "on", "for", "with", "as", "by", "or", "at"}
    | {"from", "their", "its", "all", "any", "this", "that", "these", "those", "are", "is"}
    | {"be", "into", "within", "across"}
)
# The leading verb phrase: "Monitors and manages", "Develops, maintains and tests".
_VERBS = re.compile(r"^((?:\w+(?:,\s*|\s+and\s+))*\w+)")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class StatementChange:
    """A statement of the higher level, and the one below it grows out of (None: it is new)."""

    statement: Statement
    verbs: str
    grows_from: Statement | None
    grows_from_verbs: str | None

    @property
    def same_verb(self) -> bool:
        return self.grows_from_verbs is not None and (
            self.verbs.lower() == self.grows_from_verbs.lower()
        )


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _split(text: str) -> tuple[str, frozenset[str]]:
    match = _VERBS.match(text)
    verbs = match.group(1) if match else ""
    rest = text[len(verbs) :]
    return verbs, frozenset(_stem(w) for w in _WORD.findall(rest) if w.lower() not in _STOP)


def level_changes(
    upper: Sequence[Statement], lower: Sequence[Statement], every: Sequence[Statement]
) -> tuple[StatementChange, ...]:
    """How each statement of `upper` relates to `lower`; `every` is the whole skill's statements
    (to tell a telling word from one the skill uses everywhere)."""
    split = {s.id: _split(s.text) for s in every}
    split.update({s.id: _split(s.text) for s in (*upper, *lower)})
    counts = Counter(word for _, words in split.values() for word in words)
    common = {word for word, n in counts.items() if n > len(split) / 4}
    changes = []
    for statement in upper:
        verbs, words = split[statement.id]
        best: tuple[int, int, Statement] | None = None
        for candidate in lower:
            their_verbs, their_words = split[candidate.id]
            same = int(verbs.lower() == their_verbs.lower())
            shared = len((words & their_words) - common)
            if (same or shared >= 2) and (best is None or (same, shared) > best[:2]):
                best = (same, shared, candidate)
        source = best[2] if best else None
        changes.append(
            StatementChange(
                statement, verbs, source, split[source.id][0] if source is not None else None
            )
        )
    return tuple(changes)
