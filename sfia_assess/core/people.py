"""An organisation's people from its HR system: rows checked, then compared with the accounts
there are, as a plan of changes (nothing here reads or writes the store).

A person is known by their id (the login: an email or an employee number), compared by the one
identity rule, so ids that differ only in case or Unicode form are one id. Each row names the
person's manager by id. A plan is all or nothing: any problem with any row refuses the whole
import, every problem with its line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..errors import InputFileError, Problem
from ..files.csvfile import CsvRow, looks_like_formula
from .identity import person_key

ROLES = ("practitioner", "manager", "hr", "admin")
MANAGING = ("manager", "hr", "admin")  # the roles that may be someone's manager
COLUMNS = ("id", "name", "email", "role", "manager", "title")
REQUIRED = ("id", "name")
FIELDS = ("name", "email", "role", "manager", "title")  # what an import may change
MAX_ID = 200
MAX_TEXT = 200
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Person:
    """One account as the HR system describes it (`manager` is the manager's id key)."""

    login: str
    name: str
    email: str = ""
    role: str = "practitioner"
    manager: str | None = None
    title: str = ""
    disabled: bool = False
    line: int | None = field(default=None, compare=False)  # its row in the file imported

    @property
    def key(self) -> str:
        return person_key(self.login)


@dataclass(frozen=True)
class Change:
    """One account added, changed, disabled or enabled again; `fields` what changes, from what
    to what (empty for an account added: `person` says it all)."""

    kind: str  # "add" | "update" | "disable" | "enable"
    person: Person
    fields: tuple[tuple[str, str, str], ...] = ()
    manager_login: str = ""  # the manager as the file names them (the person keeps the key)

    def __str__(self) -> str:
        who = f"{self.person.name} ({self.person.login})"
        if self.kind == "add":
            boss = self.manager_login or self.person.manager
            manager = f", manager {boss}" if boss else ""
            return f"add {who}: {self.person.role}{manager}"
        if self.kind == "disable":
            return f"disable {who}: not in the file"
        said = "; ".join(
            f"{name} {old or '(none)'} -> {new or '(none)'}" for name, old, new in self.fields
        )
        verb = "enable again" if self.kind == "enable" else "change"
        return f"{verb} {who}" + (f": {said}" if said else "")


@dataclass(frozen=True)
class Plan:
    """What an import changes; empty when the accounts already say what the file says."""

    changes: tuple[Change, ...] = field(default=())
    unchanged: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    def summary(self) -> str:
        if not self.changes:
            return f"nothing to change: the {self.unchanged} accounts already match the file"
        parts = [
            f"{self.count(kind)} {word}"
            for kind, word in (
                ("add", "added"),
                ("update", "changed"),
                ("enable", "enabled again"),
                ("disable", "disabled"),
            )
            if self.count(kind)
        ]
        return ", ".join(parts) + f"; {self.unchanged} unchanged"


def _text(row: CsvRow, column: str, source: str, problems: list[Problem]) -> str:
    value = " ".join(row.cells.get(column, "").split())
    if looks_like_formula(value):
        problems.append(
            Problem(
                source,
                row.line,
                f"{column} {value!r} would be a formula in a spreadsheet; give plain text",
            )
        )
    elif len(value) > (MAX_ID if column in ("id", "manager") else MAX_TEXT):
        problems.append(Problem(source, row.line, f"{column} is over {MAX_TEXT} characters"))
    return value


def people_from_rows(rows: Sequence[CsvRow], source: str) -> list[Person]:
    """Each row as a Person, checked on its own and against the other rows: ids present and
    unique (by the identity rule), roles known, emails well-formed, managers in the file."""
    people, problems = checked_rows(rows, source)
    if problems:
        raise InputFileError(problems)
    return people


def checked_rows(rows: Sequence[CsvRow], source: str) -> tuple[list[Person], list[Problem]]:
    """`people_from_rows` with its problems returned, not raised: the rows that have an id of
    their own, and every problem found (for a plan that names the reporting lines' problems
    too)."""
    problems: list[Problem] = []
    people: list[Person] = []
    lines: dict[str, int] = {}
    for row in rows:
        login, name, email, role, manager, title = (
            _text(row, column, source, problems) for column in COLUMNS
        )
        role = role.lower() or "practitioner"
        if not login:
            problems.append(Problem(source, row.line, "id is empty; give the person's login"))
            continue
        key = person_key(login)
        if key in lines:
            problems.append(
                Problem(
                    source,
                    row.line,
                    f"id {login!r} is also on line {lines[key]} (ids that differ only in case or"
                    " Unicode form are one id); give each person one row",
                )
            )
            continue
        lines[key] = row.line
        if not name:
            problems.append(Problem(source, row.line, f"name is empty for id {login!r}"))
        if role not in ROLES:
            problems.append(
                Problem(source, row.line, f"role {role!r} is not one of {', '.join(ROLES)}")
            )
        email = email.casefold()  # as the accounts keep it: one address, whatever its case
        if email and not EMAIL.fullmatch(email):
            problems.append(Problem(source, row.line, f"email {email!r} is not an address"))
        if manager and person_key(manager) == key:
            problems.append(
                Problem(source, row.line, f"{login!r} is their own manager; leave manager empty")
            )
        people.append(
            Person(
                login,
                name,
                email,
                role,
                person_key(manager) if manager and person_key(manager) != key else None,
                title,
                line=row.line,
            )
        )
    return people, problems


def reporting_loop(managers: Mapping[str, str | None], start: str) -> list[str] | None:
    """The reporting line from `start` round to itself, when it comes back."""
    seen: list[str] = []
    at: str | None = start
    while at is not None and at not in seen:
        seen.append(at)
        at = managers.get(at)
    if at is None:
        return None
    return [*seen[seen.index(at) :], at]


def plan_import(
    people: Sequence[Person],
    existing: Sequence[Person],
    source: str,
    *,
    disable_missing: bool = False,
    given: Collection[str] = COLUMNS,
) -> Plan:
    """The changes that make the accounts say what the file says. Refuses (every problem with
    its line) a manager who is neither in the file nor an account, one who is disabled or whose
    role cannot review, and a cycle in the reporting lines. A column not `given` in the file
    leaves that field of an existing account as it is."""
    now = {p.key: p for p in existing}
    wanted = {p.key: p for p in people}
    after = dict(now)
    kept = [name for name in FIELDS if name not in given]  # a column the file does not have
    for key, person in wanted.items():
        before = now.get(key)
        if before is not None and kept:
            person = replace(person, **{name: getattr(before, name) for name in kept})
        after[key] = replace(person, disabled=False)
    if disable_missing:
        for key, person in now.items():
            if key not in wanted and not person.disabled:
                after[key] = replace(person, disabled=True)
    problems: list[Problem] = []
    # Everyone who stays enabled, in the file or not: a manager the file disables or makes a
    # practitioner must not leave an account outside the file reporting to them.
    for person in after.values():
        if person.manager is None or person.disabled:
            continue
        boss = after.get(person.manager)
        line = person.line if person.line is not None else boss.line if boss else None
        if boss is None:
            problems.append(
                Problem(
                    source,
                    line,
                    f"manager {person.manager!r} of {person.login!r} is neither in the file nor"
                    " an account; add a row for them",
                )
            )
        elif boss.disabled:
            problems.append(
                Problem(
                    source,
                    line,
                    f"manager {boss.login!r} of {person.login!r} is disabled; give an active"
                    " manager",
                )
            )
        elif boss.role not in MANAGING:
            problems.append(
                Problem(
                    source,
                    line,
                    f"manager {boss.login!r} of {person.login!r} has the role {boss.role}; give"
                    " them the role manager to review their reports",
                )
            )
    emails: dict[str, Person] = {}
    for person in sorted(after.values(), key=lambda p: (p.line is not None, p.line or 0)):
        other = emails.get(person.email) if person.email else None
        if other is not None:
            where = f"line {other.line}" if other.line else f"the account {other.login!r}"
            problems.append(
                Problem(
                    source,
                    person.line,
                    f"email {person.email!r} of {person.login!r} is also on {where}; give each"
                    " person their own address",
                )
            )
        elif person.email:
            emails[person.email] = person
    managers = {key: p.manager for key, p in after.items()}
    reported: set[str] = set()
    for person in people:
        loop = reporting_loop(managers, person.key)
        if loop is not None and not reported & set(loop):
            reported.update(loop)
            names = " -> ".join(after[k].login for k in loop)
            problems.append(Problem(source, person.line, f"the reporting lines go round: {names}"))
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: (p.line or 0, p.message)))

    def login_of(key: str | None) -> str:
        return after[key].login if key in after else key or ""

    def shown(name: str, value: object) -> str:
        return login_of(str(value)) if name == "manager" and value else str(value or "")

    changes: list[Change] = []
    unchanged = 0
    for key, person in after.items():
        before = now.get(key)
        if before is None:
            changes.append(Change("add", person, manager_login=login_of(person.manager)))
            continue
        differs = tuple(
            (name, shown(name, getattr(before, name)), shown(name, getattr(person, name)))
            for name in FIELDS
            if (getattr(before, name) or "") != (getattr(person, name) or "")
        )
        if person.disabled and not before.disabled:
            changes.append(Change("disable", person))
        elif before.disabled and not person.disabled:
            changes.append(Change("enable", person, differs))
        elif differs:
            changes.append(Change("update", person, differs))
        else:
            unchanged += 1
    order = {"add": 0, "update": 1, "enable": 2, "disable": 3}
    changes.sort(key=lambda c: (order[c.kind], c.person.key))
    return Plan(tuple(changes), unchanged)
