"""An HR system's export applied to the accounts (`users import`, the admin's import page): the
plan (core/people.py) made against the accounts as they are, then carried out in the caller's
one transaction, every change in the audit log; and what follows a change of manager."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..core.identity import person_key
from ..core.people import COLUMNS, REQUIRED, Person, Plan, checked_rows, plan_import
from ..errors import InputFileError
from ..files.csvfile import CsvRow, table_from_bytes
from .models import Account, AuditEntry

# What the audit log says each kind of change did to an account.
ACTIONS = {"add": "added", "update": "changed", "enable": "enabled", "disable": "disabled"}


def person_of(account: Account) -> Person:
    """An account as core/people compares it with a row of the file."""
    return Person(
        account.login,
        account.name,
        account.email or "",
        account.role,
        account.manager_key,
        account.title or "",
        account.disabled,
    )


def people_now(session: Session) -> list[Person]:
    return [person_of(a) for a in session.scalars(select(Account))]


def rows_of(data: bytes, source: str) -> list[CsvRow]:
    """The export's rows with their lines (UTF-8 with or without BOM, CRLF or LF)."""
    return table_from_bytes(data, source, COLUMNS, REQUIRED)


def plan_people(
    session: Session, rows: Sequence[CsvRow], source: str, *, disable_missing: bool = False
) -> Plan:
    """The changes that make the accounts say what the export says (InputFileError, every
    problem with its line, when any row or reporting line is wrong)."""
    if not rows:  # a header alone: with --disable-missing it would disable everyone
        raise InputFileError.single(source, "lists no one; give a row for each person", 2)
    people, problems = checked_rows(rows, source)
    given = set(rows[0].cells) if rows else set(COLUMNS)
    try:
        plan = plan_import(
            people, people_now(session), source, disable_missing=disable_missing, given=given
        )
    except InputFileError as exc:
        problems = [*problems, *exc.problems]
    if problems:  # every problem at once: the rows' own and the reporting lines'
        raise InputFileError(sorted(problems, key=lambda p: (p.line or 0, p.message)))
    return plan


def manager_changed(
    session: Session, account_key: str, new_manager_key: str | None, actor: str
) -> None:
    """The one place a change of someone's manager is followed through (an import, the admin's
    page): what that person has waiting for review goes to the new manager (with no manager,
    it waits where it is, for HR to see)."""
    from .workflow import reassign_waiting

    if new_manager_key is not None:
        reassign_waiting(session, account_key, new_manager_key, actor)


@dataclass(frozen=True)
class Applied:
    """What an import did: the plan carried out, and whose manager changed."""

    plan: Plan
    moved: tuple[str, ...]  # keys of the accounts whose manager changed


def _apply_to(account: Account, person: Person) -> None:
    account.name = person.name
    account.name_key = person_key(person.name)
    account.email = person.email or None
    account.role = person.role
    account.manager_key = person.manager
    account.title = person.title or None
    account.disabled = person.disabled


def apply_plan(
    session: Session, plan: Plan, actor: str, source: str, address: str | None = None
) -> Applied:
    """Carry out every change of `plan` in the caller's transaction (all of it or, when the
    transaction fails, none of it); new accounts have no password."""
    accounts = {a.key: a for a in session.scalars(select(Account))}
    added: list[dict[str, object]] = []
    moved: list[tuple[str, str | None]] = []
    for change in plan.changes:
        person = change.person
        if change.kind == "add":
            # Core's executemany, not one ORM object each: 10,000 people in about a second.
            added.append(
                {
                    "login": person.login,
                    "key": person.key,
                    "name": person.name,
                    "name_key": person_key(person.name),
                    "email": person.email or None,
                    "role": person.role,
                    "manager_key": person.manager,
                    "title": person.title or None,
                    "password_hash": None,
                    "disabled": False,
                    "notify": True,
                }
            )
            continue
        account = accounts[person.key]
        if not person.disabled and account.manager_key != person.manager:
            moved.append((person.key, person.manager))
        _apply_to(account, person)
    session.flush()
    if added:
        session.execute(insert(Account), added)
    for key, manager in moved:
        manager_changed(session, key, manager, actor)
    lines = [
        {
            "actor": actor,
            "action": ACTIONS[c.kind],
            "target": f"account {c}"[:500],
            "address": address,
        }
        for c in plan.changes
    ]
    lines.append(
        {
            "actor": actor,
            "action": "imported",
            "target": f"{source}: {plan.summary()}"[:500],
            "address": address,
        }
    )
    session.execute(insert(AuditEntry), lines)
    return Applied(plan, tuple(key for key, _ in moved))


def import_people(
    session: Session,
    data: bytes,
    source: str,
    actor: str,
    *,
    disable_missing: bool = False,
    dry_run: bool = False,
    address: str | None = None,
) -> Plan:
    """Plan the export `data` against the accounts and, unless `dry_run`, apply it."""
    plan = plan_people(session, rows_of(data, source), source, disable_missing=disable_missing)
    if not dry_run and plan.changes:
        apply_plan(session, plan, actor, source, address)
    return plan
