"""Evidence matcher quality and speed on tests/data/evidence-eval.yaml.

    python benchmarks/matcher.py

Prints top-1 and top-3 accuracy (the first label in the top 1 / any label in the top 3), the time
per evidence item, and how often the fit check accepts true claims and rejects random ones.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sfia_assess.core import semantic  # noqa: E402
from sfia_assess.core.catalog import Catalog  # noqa: E402
from sfia_assess.core.matcher import Matcher, matcher_for  # noqa: E402

EVAL = ROOT / "tests" / "data" / "evidence-eval.yaml"


def evaluate(kind: str = "lexical") -> dict[str, float]:
    items = yaml.safe_load(EVAL.read_text("utf-8"))["items"]
    skill = Catalog().skill("USUP", 9)
    if kind == "semantic":
        from sfia_assess.core.semantic import semantic_matcher_for

        matcher: Matcher = semantic_matcher_for(skill)
    else:
        matcher = matcher_for(skill)
    top1 = top3 = 0
    times = []
    for item in items:
        started = time.perf_counter()
        ranked = [s.id for s in matcher.rank(item["text"])]
        times.append(time.perf_counter() - started)
        top1 += ranked[0] == item["supports"][0]
        top3 += any(label in ranked[:3] for label in item["supports"])
    rng = random.Random(1)
    ids = list(skill.statements_by_id)
    true_fit = sum(matcher.fits(i["text"], i["supports"]) for i in items) / len(items)
    wrong = [(i["text"], [rng.choice([x for x in ids if x not in i["supports"]])]) for i in items]
    false_fit = sum(matcher.fits(text, claim) for text, claim in wrong) / len(wrong)
    return {
        "items": len(items),
        "top1": top1 / len(items),
        "top3": top3 / len(items),
        "ms_per_item": statistics.median(times) * 1000,
        "true_claims_accepted": true_fit,
        "random_claims_accepted": false_fit,
    }


if __name__ == "__main__":
    for kind, target in [("lexical", 0.75), ("semantic", 0.85)]:
        if kind == "semantic" and not semantic.available():
            print("semantic: not installed (pip install torch==2.13.0 'sfia-assess[semantic]')")
            continue
        figures = evaluate(kind)
        print(f"{kind}: {figures['items']} items")
        print(f"  top-1 accuracy: {figures['top1']:.2f}")
        print(f"  top-3 accuracy: {figures['top3']:.2f}   (target >= {target})")
        print(f"  time per evidence item: {figures['ms_per_item']:.2f} ms (median)")
        print(
            f"  fit check: accepts {figures['true_claims_accepted']:.0%} of true claims,"
            f" {figures['random_claims_accepted']:.0%} of random wrong claims"
        )
