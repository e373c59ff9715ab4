"""Folders of people's files: which files in a folder are assessments, and a safe file name
for a person (used by the batch's reports, the team view, `record DIR` and `export`)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import SfiaAssessError

MAX_NAME = 60
# A file name may hold 255 bytes; the temporary name adds a dot, a run tag, a random part and
# ".part" (under 50 bytes), so a stem stays well below that in UTF-8, whatever the script.
MAX_NAME_BYTES = 150
_UNSAFE = re.compile(r"[^\w]+", re.UNICODE)


def assessment_files(directory: Path) -> list[Path]:
    """The YAML files in `directory` (not its subfolders, which may hold role or skill files),
    in a stable order."""
    if not directory.is_dir():
        raise SfiaAssessError(f"{directory}: not a folder; give a folder of assessment files")
    return sorted(
        p for p in directory.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
    )


def _cut_to_bytes(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_stem(name: str) -> str:
    """A file name stem from a person's name: letters, digits and dashes only, never `..`."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _UNSAFE.sub("-", text).strip("-_")
    text = _cut_to_bytes(text[:MAX_NAME], MAX_NAME_BYTES).rstrip("-_")
    return text or "person"
