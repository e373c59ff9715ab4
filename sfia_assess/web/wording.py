"""The library's notes said in the words of the page's reader: the CLI's notes speak of the
file a person wrote (`supports`, ids); the browser's reader ticks boxes in a form."""

from __future__ import annotations

import re

# (what the library says, what the form's reader is told instead), tried in order.
_PLAIN = [
    (
        re.compile(r"supports no statement; list the statement ids it shows under `supports`\."),
        "shows no statement yet, so it counts for nothing: tick the statements it shows.",
    ),
    (
        re.compile(r"(\d+) statement\(s\) rated (\S+) or higher have no evidence"),
        r"\1 statement(s) you rated \2 or higher have no evidence ticked",
    ),
]


def plain(note: str) -> str:
    for pattern, words in _PLAIN:
        note = pattern.sub(words, note)
    return note
