"""Who a person is: the one rule for telling whether two records are of the same person.

Names are compared Unicode-normalised (NFKC: a full-width or ligature letter is its plain form),
case-folded, with runs of whitespace as one space and none at the ends. A person's stable id
(their login: an email or an employee number), when a file or an account gives one, decides
instead of the name: two "Sam Lee"s with different ids are two people. The store keeps this key
beside each person; pairing, the team view, fit, the HR pages and the web's access rules compare
by it, so "Priya  Nair" and "PRIYA NAIR" are one person wherever they appear.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def person_key(name: str) -> str:
    """The form of `name` (or of an id) under which the same person always compares equal."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def key_of(name: str, id: str | None = None) -> str:
    """Who a record is of: its id when it carries one, else its name (`person_key` of it)."""
    if id is not None:
        key = person_key(id)
        if key:
            return key
    return person_key(name)


def same_person(first: str, second: str) -> bool:
    """Whether the two names name the same person (records with ids compare by `key_of`)."""
    return person_key(first) == person_key(second)


def shown_names(people: Iterable[tuple[str, str | None]]) -> dict[tuple[str, str | None], str]:
    """How each (name, id) is shown beside the others: the name, and the id too where two
    different people share the name ("Sam Lee (s1001)")."""
    people = list(dict.fromkeys(people))
    keys_by_name: dict[str, set[str]] = {}
    for name, id in people:
        keys_by_name.setdefault(person_key(name), set()).add(key_of(name, id))
    return {
        (name, id): f"{name} ({id})" if id and len(keys_by_name[person_key(name)]) > 1 else name
        for name, id in people
    }
