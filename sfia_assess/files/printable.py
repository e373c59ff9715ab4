"""Control characters out of everything the tool shows: escaped so a reader sees them, never raw.

A name holding `ESC ] 0;title BEL` retitles a terminal, `ESC [2J` clears it, `ESC [8m` hides
text and a bare CR overwrites a line; in HTML they are invisible, and in a PDF's XMP metadata
they make the XML invalid. Tab and newline are kept.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from pydantic import BaseModel

_KEEP = {"\t", "\n"}
# C0, DEL and C1 controls, the line/paragraph separators, and the bidi overrides that reorder
# what a reader sees (the "Trojan Source" characters).
_CONTROLS = [
    *(chr(c) for c in range(0x20)),
    *(chr(c) for c in range(0x7F, 0xA0)),
    "\u2028",
    "\u2029",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]
_TABLE = {
    ord(char): (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
    for char in _CONTROLS
    if char not in _KEEP
}


# Finding none is the common case, and a search is far cheaper than `translate` (a dict lookup
# per character): every value a page shows passes here.
_ANY = re.compile("[" + "".join(re.escape(chr(code)) for code in _TABLE) + "]")


def printable(text: str) -> str:
    """`text` with every control character but tab and newline written as `\\x1b`, `\\u2028`."""
    return text.translate(_TABLE) if _ANY.search(text) else text


def scrub(value: Any) -> Any:
    """A copy of `value` (dataclasses, pydantic models, tuples, lists, dicts) with every string
    made `printable`; the very same object where nothing needed escaping."""
    if isinstance(value, str):
        escaped = printable(value)
        return value if escaped == value else escaped
    if isinstance(value, tuple | list):
        items = [scrub(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        pairs = [(scrub(k), scrub(v)) for k, v in value.items()]
        same = all(
            k2 is k and v2 is v for (k2, v2), (k, v) in zip(pairs, value.items(), strict=True)
        )
        return value if same else dict(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = scrub(old)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = scrub(old)
            if new is not old:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    return value
