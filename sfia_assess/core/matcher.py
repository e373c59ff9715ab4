"""Match evidence text to the statements it most likely supports (lexical BM25, offline, no model).

The ranking is Okapi BM25 over each statement's text, keywords and evidence examples, with the
evidence expanded through incident-management synonyms (P1 -> major incident, RCA -> root cause).
BM25 is written out here (thirty lines) rather than taken from rank-bm25 because that package
imports numpy, which would triple the start-up of `assess`; tests check that the scores are the
same as rank-bm25's BM25Okapi.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypeVar

from ..files.packaged import packaged, read_packaged_yaml
from ..files.yamlfile import YamlDocument
from .assessment import LoadedAssessment
from .catalog import SkillVersion

MATCHER_NAME = "lexical (BM25 with incident-management synonyms)"
# A statement reads like an evidence item (a claim of it fits; `suggest` may offer it) when it
# covers at least FLOOR of the item's wording (see `Suggestion.score`) and it ranks in the top
# FIT_RANK for the text or scores at least FIT_SHARE of the best statement's score. Calibrated on
# tests/data/evidence-eval.yaml (see benchmarks/matcher.py): a true claim covers 0.38 of its
# evidence's wording (median; 95% cover 0.13 or more), a random wrong claim 0.07. The floor
# is set below where it would start to reject true claims: it removes near-zero matches only.
FLOOR = 0.08
FIT_RANK = 5
FIT_SHARE = 0.5
# Evidence with fewer content words than this is too vague to read as any statement
# ("Handled lots of tickets.").
MIN_WORDS = 6

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "this",
        "to",
        "was",
        "we",
        "were",
        "which",
        "with",
        "within",
        "without",
        "when",
        "where",
        "who",
        "all",
        "any",
        "each",
        "per",
        "via",
        "after",
        "before",
        "over",
        "under",
        "up",
        "out",
        "about",
        "also",
    ]
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")


@lru_cache(maxsize=8192)  # the statements repeat their words: ~25% of building a matcher
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet 'escalated' and 'escalates' at 'escalat'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


def vague(text: str) -> bool:
    return len(tokens(text)) < MIN_WORDS


@cache
def synonyms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(phrase tokens, expansion tokens) pairs from the shipped synonyms file."""
    data = read_packaged_yaml(packaged("skills", "synonyms.yaml"))
    pairs = []
    for phrase, expansion in data["synonyms"].items():
        pairs.append((tuple(tokens(str(phrase))), tuple(tokens(str(expansion)))))
    return tuple(pairs)


def expand(words: list[str]) -> list[str]:
    """The words, plus the expansion of every synonym entry whose phrase is among them."""
    out = list(words)
    starts = _entries_by_first_word()
    used: set[int] = set()
    for i, word in enumerate(words):
        for entry, phrase, expansion in starts.get(word, ()):
            if entry not in used and tuple(words[i : i + len(phrase)]) == phrase:
                used.add(entry)
                out.extend(expansion)
    return out


@cache
def _entries_by_first_word() -> dict[str, list[tuple[int, tuple[str, ...], tuple[str, ...]]]]:
    # Entries stay separate even when two phrases stem alike ("runbook", "runbooks"): each one
    # found adds its expansion, which is what the matcher was calibrated with.
    index: dict[str, list[tuple[int, tuple[str, ...], tuple[str, ...]]]] = {}
    for entry, (phrase, expansion) in enumerate(synonyms()):
        if phrase:
            index.setdefault(phrase[0], []).append((entry, phrase, expansion))
    return index


class BM25:
    """Okapi BM25 over fixed tokenised documents (the formula of rank-bm25's BM25Okapi)."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        self.k1, self.b = k1, b
        self.size = len(corpus)
        lengths = [len(doc) for doc in corpus]
        average = sum(lengths) / len(corpus)
        # term -> [(document, term frequency)], so a query touches only the documents it can score
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(corpus):
            for term, count in Counter(doc).items():
                self.postings.setdefault(term, []).append((i, count))
        self.norms = [k1 * (1 - b + b * length / average) for length in lengths]
        containing: Counter[str] = Counter()
        for doc in corpus:
            containing.update(set(doc))
        n = len(corpus)
        idf = {t: math.log(n - c + 0.5) - math.log(c + 0.5) for t, c in containing.items()}
        floor = epsilon * (sum(idf.values()) / len(idf))
        self.idf = {t: (v if v >= 0 else floor) for t, v in idf.items()}
        self.mean_idf = sum(self.idf.values()) / len(self.idf)

    def scores(self, query: Sequence[str]) -> list[float]:
        out = [0.0] * self.size
        boost = self.k1 + 1
        for term in query:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, f in self.postings[term]:
                out[i] += idf * f * boost / (f + self.norms[i])
        return out


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    text: str
    # How much of the evidence's wording the statement uses, 0 to 1, on the same scale for every
    # text (see Matcher.coverage); not scaled to the best statement.
    score: float
    rank: int
    share: float  # the matcher's ranking score over the best statement's (the best is 1.0)

    @property
    def confident(self) -> bool:
        """Whether the text reads enough like this statement to offer it, or to accept a claim."""
        return self.score >= FLOOR and (self.rank <= FIT_RANK or self.share >= FIT_SHARE)


class Matcher:
    """Ranks a skill version's statements for a piece of evidence text."""

    name = MATCHER_NAME

    def __init__(self, skill: SkillVersion) -> None:
        self.skill = skill
        self.ids = list(skill.statements_by_id)
        documents = []
        for statement in skill.statements_by_id.values():
            text = " ".join([statement.text, *statement.keywords, *statement.evidence_examples])
            documents.append(expand(tokens(text)))
        self.bm25 = BM25(documents)

    def rank(self, text: str) -> list[Suggestion]:
        """Every statement, best first, each with how much of the text's wording it covers."""
        query = expand(tokens(text))
        return self.ordered(self.bm25.scores(query), self.coverage(query))

    def coverage(self, query: Sequence[str]) -> list[float]:
        """For each statement, the share of the query's words that it uses (0 to 1).

        Each word weighs its rarity among the statements (its idf), so "incident" counts for
        less than "runbook"; a word no statement uses weighs half an average word.
        """
        bm25 = self.bm25
        total = sum(bm25.idf.get(term, bm25.mean_idf / 2) for term in query)
        covered = [0.0] * bm25.size
        for term in query:
            for i, _ in bm25.postings.get(term, ()):
                covered[i] += bm25.idf[term]
        return [c / total for c in covered] if total > 0 else covered

    def ordered(self, scores: Sequence[float], covered: Sequence[float]) -> list[Suggestion]:
        """Suggestions for every statement, best ranking score first."""
        top = max(scores) if scores and max(scores) > 0 else 1.0
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [
            Suggestion(
                self.ids[i],
                self.skill.statements_by_id[self.ids[i]].text,
                covered[i],
                rank + 1,
                scores[i] / top,
            )
            for rank, i in enumerate(order)
        ]

    def fits(self, text: str, claimed: Sequence[str]) -> bool:
        """Whether the text plausibly supports at least one of the statements it claims."""
        if not claimed:
            return True
        if vague(text):
            return False
        wanted = set(claimed)
        return any(s.confident for s in self.rank(text) if s.id in wanted)


_MATCHERS: dict[tuple[type[Matcher], int], Matcher] = {}
# A batch worker receives each person's skill version as a new object: a few matchers are kept,
# not one per report.
MAX_MATCHERS = 8
M = TypeVar("M", bound="Matcher")


def cached(kind: type[M], skill: SkillVersion) -> M:
    """One matcher of each kind per loaded skill version (building one takes a while)."""
    key = (kind, id(skill))
    found = _MATCHERS.get(key)
    if not isinstance(found, kind) or found.skill is not skill:
        if len(_MATCHERS) >= MAX_MATCHERS:
            _MATCHERS.clear()
        found = _MATCHERS[key] = kind(skill)
    return found


def matcher_for(skill: SkillVersion) -> Matcher:
    return cached(Matcher, skill)


# -- what the commands use ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceSuggestions:
    evidence_id: str
    suggestions: tuple[tuple[Suggestion, bool], ...]  # (suggestion, already claimed)
    note: str | None = None  # why nothing is suggested


TOO_VAGUE = "too vague to suggest a statement; say what was done, when and with what result"
NO_MATCH = "reads like none of the statements closely enough to suggest one"


def suggest(
    loaded: LoadedAssessment, top: int = 3, matcher: Matcher | None = None
) -> list[EvidenceSuggestions]:
    """For each evidence item, up to `top` statements its text reads like, best first.

    Only statements the fit check would accept as a claim are offered: none for a vague text,
    none that cover less than FLOOR of its wording.
    """
    matcher = matcher or matcher_for(loaded.skill)
    out = []
    for item in loaded.assessment.evidence:
        claimed = set(item.supports)
        if vague(item.summary):
            out.append(EvidenceSuggestions(item.id, (), TOO_VAGUE))
            continue
        offered = [s for s in matcher.rank(item.summary) if s.confident][:top]
        pairs = tuple((s, s.id in claimed) for s in offered)
        out.append(EvidenceSuggestions(item.id, pairs, None if offered else NO_MATCH))
    return out


def fit_warnings(loaded: LoadedAssessment) -> list[str]:
    """A note for each evidence item whose text reads like none of the statements it claims."""
    matcher = matcher_for(loaded.skill)
    notes = []
    for item in loaded.assessment.evidence:
        if item.supports and not matcher.fits(item.summary, item.supports):
            best = matcher.rank(item.summary)[0]
            if vague(item.summary):
                notes.append(
                    f"Evidence {item.id} is too vague to show any statement (it claims"
                    f" {', '.join(item.supports)}); say what was done, when and with what"
                    " result. This does not change the score."
                )
                continue
            notes.append(
                f"Evidence {item.id} claims {', '.join(item.supports)}, but its text reads more"
                f" like {best.id} ({best.text}); a reviewer may want to check the link."
                " This does not change the score."
            )
    return notes


def annotated_file(text: str, document: YamlDocument, found: list[EvidenceSuggestions]) -> str:
    """The original file with suggested statement ids added as comments under each evidence item.

    Nothing the person wrote changes: a suggestion is a comment until they move it into
    `supports` themselves.
    """
    lines = text.splitlines()
    inserts: dict[int, list[str]] = {}
    for index, item in enumerate(found):
        new = [(s, claimed) for s, claimed in item.suggestions if not claimed]
        if not new:
            continue
        at = document.lines.get(("evidence", index, "supports")) or document.line_of(
            ("evidence", index, "id")
        )
        if at is None:
            continue
        indent = " " * (len(lines[at - 1]) - len(lines[at - 1].lstrip()))
        inserts.setdefault(at, []).extend(
            f"{indent}# suggested: {s.id} (covers {s.score:.0%}) {s.text}" for s, _ in new
        )
    out = []
    for number, line in enumerate(lines, start=1):
        out.append(line)
        out.extend(inserts.get(number, []))
    return "\n".join(out) + "\n"
