"""People in the store: who a file is of (its id, else an account with its name, else its name),
found or added, and matched by name for `history`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core.identity import key_of, person_key, shown_names
from .database import StoreError
from .models import Account, Person

MAX_CANDIDATES = 10


class AmbiguousPerson(StoreError):
    """A file names a person only by a name that more than one account has."""


@dataclass(frozen=True)
class Identity:
    """Who a person named in a file is in this store: their key and their id (login), if any."""

    key: str
    login: str | None


def identify(
    session: Session, name: str, id: str | None = None, *, field: str = "subject"
) -> Identity:
    """Who `name` (with the file's `id`, if any) is: the id decides when there is one; else the
    one account with that name (its key); else the name. A name that two accounts share is
    refused with both shown: the file must say which by its id (`field` is where it goes)."""
    if id is not None and person_key(id):
        return Identity(key_of(name, id), " ".join(id.split()))
    named = list(
        session.scalars(
            select(Account)
            .where(Account.name_key == person_key(name))
            .order_by(Account.login)
            .limit(5)
        )
    )
    if len(named) > 1:
        both = " and ".join(f"{a.name} ({a.login})" for a in named)
        raise AmbiguousPerson(
            f"{' '.join(name.split())!r} is the name of more than one account ({both}); add"
            f" `id:` with their login under `{field}:` to say which"
        )
    if named:
        account = named[0]  # (made before ids, an account's login is its name: no id to keep)
        return Identity(account.key, account.login if account.key != person_key(name) else None)
    return Identity(person_key(name), None)


def get_or_add(session: Session, name: str, id: str | None = None) -> Person:
    """The person a file's subject is (`identify`), added the first time."""
    who = identify(session, name, id)
    found = session.scalars(select(Person).where(Person.key == who.key)).one_or_none()
    if found is None:
        found = Person(name=" ".join(name.split()), key=who.key, login=who.login)
        session.add(found)
        session.flush()
    return found


def shown(person: Person) -> str:
    return (
        f"{person.name} ({person.login})"
        if person.login and person.login != person.name
        else person.name
    )


def find_person(session: Session, name: str) -> Person:
    """The one person whose id or name is `name` (any case), or else the one whose name
    contains it.

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
        .where(or_(Person.key.like(pattern, escape="\\"), Person.name.ilike(pattern, escape="\\")))
        .order_by(Person.key)
        .limit(MAX_CANDIDATES + 1)
    ).all()
    named = [p for p in found if person_key(p.name) == key]
    if len(named) == 1:
        return named[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise StoreError(
            f"no one named {name!r} is recorded; `sfia-assess history --list` lists everyone"
        )
    listed = named or found
    names = ", ".join(repr(shown(p)) for p in listed[:MAX_CANDIDATES])
    more = " and more" if len(listed) > MAX_CANDIDATES else ""
    hint = "give the id" if named else "give the full name"
    raise StoreError(f"{name!r} matches several people: {names}{more}; {hint}")


def everyone(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.key)))


def names_shown(people: list[Person]) -> dict[str, str]:
    """Person key -> the name to show beside the others (with the id where two share a name)."""
    told = shown_names((p.name, p.login) for p in people)
    return {p.key: told[(p.name, p.login)] for p in people}
