"""Whole numbers typed by people (a form field, a query value, an environment variable).

`str.isdigit()` is true for "²" and "٣", which `int()` then refuses or reads as another
number: only the ASCII digits 0-9 count here, and a number is bounded before it is read."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")  # below 2**63: fits every database's integer
MAX_WHOLE = 10**18 - 1


def whole_number(text: str) -> int | None:
    """`text` (surrounding spaces allowed) as a whole number 0..MAX_WHOLE; else None."""
    found = _DIGITS.fullmatch(text.strip())
    return int(found.group()) if found else None
