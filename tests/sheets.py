"""The SFIA skills spreadsheet in its official layout, for made-up skills: rows and CSV files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER = [
    "Code",
    "URL",
    "Skill",
    "Category",
    "Subcategory",
    "Overall description",
    "Guidance notes",
    *(f"Level {n} description" for n in range(1, 8)),
]


def skill_row(code: str, levels: dict[int, str], guidance: str = "Some notes.") -> list[str]:
    """A row in the official layout for a made-up skill."""
    return [
        code,
        "",
        f"Skill {code}",
        "Made-up category",
        "Invented things",
        f"What {code} is about.",
        guidance,
        *(levels.get(n, "") for n in range(1, 8)),
    ]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
