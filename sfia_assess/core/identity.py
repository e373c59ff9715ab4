"""Who a person is: the one rule for telling whether two names name the same person.

Names are compared Unicode-normalised (NFKC: a full-width or ligature letter is its plain form),
case-folded, with runs of whitespace as one space and none at the ends. The store keeps this key
beside each name; pairing, the team view, fit, the HR pages and the web's access rules compare by
it, so "Priya  Nair" and "PRIYA NAIR" are one person wherever they appear.
"""

from __future__ import annotations

import unicodedata


def person_key(name: str) -> str:
    """The form of `name` under which the same person always compares equal."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def same_person(first: str, second: str) -> bool:
    """Whether the two names name the same person."""
    return person_key(first) == person_key(second)
