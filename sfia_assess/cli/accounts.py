"""Commands for a shared deployment's accounts and audit log: `users add|list|disable`, `audit`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..errors import SfiaAssessError
from .options import db_option

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..store.accounts import AccountView

ROLE_CHOICE = click.Choice(["practitioner", "manager", "hr", "admin"])


def _read_password() -> str:
    """From a hidden prompt (typed twice) on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise SfiaAssessError("no password on stdin; pipe one line, e.g. `printf '%s\\n' ... |`")
    return line


@click.group("users")
def users_group() -> None:
    """Accounts that sign in to `serve --shared` (passwords are kept only as argon2 hashes).

    \b
    Example:
        sfia-assess users add "Daniel Okafor" --role manager
        sfia-assess users add "Priya Nair" --role practitioner --manager "Daniel Okafor"
        sfia-assess users list
    """


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=ROLE_CHOICE, help="What the account may see and do.")
@click.option("--manager", metavar="NAME", help="The manager's account who reviews this person.")
@db_option
def users_add(name: str, role: str, manager: str | None, db: str | None) -> None:
    """Add an account; the password is asked for (or read from stdin), never an argument.

    \b
    Example:
        sfia-assess users add "Priya Nair" --role practitioner --manager "Daniel Okafor"
    """
    from ..store import open_store, writing
    from ..store.accounts import add_account

    password = _read_password()

    def work(session: Session) -> AccountView:
        return add_account(session, name, role, password, manager)

    with open_store(db) as engine:
        added = writing(engine, work)
    click.echo(f"added {added.name} ({added.role})")


@users_group.command("list")
@db_option
def users_list(db: str | None) -> None:
    """List the accounts: name, role, manager, and whether disabled.

    \b
    Example:
        sfia-assess users list
    """
    from ..store import open_store, reading
    from ..store.accounts import list_accounts

    with open_store(db, read_only=True) as engine, reading(engine) as session:
        accounts = list_accounts(session)
    if not accounts:
        click.echo("no accounts yet; `sfia-assess users add NAME --role ...` adds one", err=True)

    names = {a.key: a.name for a in accounts}  # a manager is kept by their key
    for a in accounts:
        manager = f"  manager: {names.get(a.manager, a.manager)}" if a.manager else ""
        state = "  (disabled)" if a.disabled else ""
        click.echo(f"{a.name}  {a.role}{manager}{state}")


@users_group.command("disable")
@click.argument("name")
@db_option
def users_disable(name: str, db: str | None) -> None:
    """Disable an account: it can no longer sign in (its records are kept).

    \b
    Example:
        sfia-assess users disable "Sam Lee"
    """
    from ..store import open_store, writing
    from ..store.accounts import disable_account

    def work(session: Session) -> AccountView:
        return disable_account(session, name)

    with open_store(db) as engine:
        done = writing(engine, work)
    click.echo(f"disabled {done.name}")


@click.command("audit")
@click.option("--limit", type=click.IntRange(min=1), help="Show only the first N entries.")
@db_option
def audit_command(limit: int | None, db: str | None) -> None:
    """Print the audit log: who viewed, changed, signed or exported what, and when.

    \b
    Example:
        sfia-assess audit --db postgresql+psycopg://me@localhost/sfia
    """
    from ..store import open_store, reading
    from ..store.accounts import audit_lines

    with open_store(db, read_only=True) as engine, reading(engine) as session:
        for entry in audit_lines(session, limit):
            address = f"  from {entry.address}" if entry.address else ""
            when = entry.at.strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"{when}  {entry.actor}  {entry.action}  {entry.target}{address}")


COMMANDS = (users_group, audit_command)
