"""People in the store: found or added by name, and matched by name for `history`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.identity import person_key
from .database import StoreError
from .models import Person

MAX_CANDIDATES = 10


def get_or_add(session: Session, name: str) -> Person:
    key = person_key(name)
    found = session.scalars(select(Person).where(Person.key == key)).one_or_none()
    if found is None:
        found = Person(name=" ".join(name.split()), key=key)
        session.add(found)
        session.flush()
    return found


def find_person(session: Session, name: str) -> Person:
    """The one person whose name is `name` (any case), or else the one whose name contains it.

    No match, or several: a StoreError that lists who there is, so the user can say which.
    """
    key = person_key(name)
    if not key:
        raise StoreError('give a person\'s name, e.g. history "Priya Nair"')
    exact = session.scalars(select(Person).where(Person.key == key)).one_or_none()
    if exact is not None:
        return exact
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = session.scalars(
        select(Person)
        .where(Person.key.like(pattern, escape="\\"))
        .order_by(Person.key)
        .limit(MAX_CANDIDATES + 1)
    ).all()
    if len(found) == 1:
        return found[0]
    if not found:
        raise StoreError(
            f"no one named {name!r} is recorded; `sfia-assess history --list` lists everyone"
        )
    names = ", ".join(repr(p.name) for p in found[:MAX_CANDIDATES])
    more = " and more" if len(found) > MAX_CANDIDATES else ""
    raise StoreError(f"{name!r} matches several people: {names}{more}; give the full name")


def everyone(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.key)))
