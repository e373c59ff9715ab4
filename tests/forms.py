"""The practitioner's form as the browser posts it, filled from an example file."""

from __future__ import annotations

import yaml

from .conftest import EXAMPLES


def form_of(example: str) -> dict[str, str]:
    """The fields `/assessment/...` receives for `examples/EXAMPLE` (ratings and evidence)."""
    data = yaml.safe_load((EXAMPLES / example).read_text("utf-8"))
    fields = {
        "skill": data["skill"],
        "sfia_version": str(data["sfia_version"]),
        "name": data["subject"]["name"],
        "assessed_on": str(data["assessed_on"]),
        "evidence_count": str(len(data["evidence"])),
        **{f"rating-{k}": v for k, v in data["ratings"].items()},
    }
    for i, item in enumerate(data["evidence"]):
        for key in ("id", "summary", "date", "kind", "reference"):
            fields[f"evidence-{i}-{key}"] = str(item.get(key, ""))
        fields[f"evidence-{i}-supports"] = ", ".join(item.get("supports", []))
    return fields
