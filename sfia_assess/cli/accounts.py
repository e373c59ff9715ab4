"""Commands for a shared deployment's accounts and audit log: `users add|list|disable|enable|
import|link`, `audit`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import SfiaAssessError
from .options import db_option

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..core.people import Plan
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
@click.option("--manager", metavar="LOGIN", help="The manager's account who reviews this person.")
@click.option(
    "--login",
    metavar="ID",
    help="The person's stable id (an email or employee number); default: the name.",
)
@click.option("--email", metavar="ADDRESS", help="Where notices go.")
@click.option("--title", metavar="TEXT", help="The person's job title.")
@click.option(
    "--no-password",
    is_flag=True,
    help="Set no password: the person signs in by a one-time link (users link) or single sign-on.",
)
@db_option
def users_add(
    name: str,
    role: str,
    manager: str | None,
    login: str | None,
    email: str | None,
    title: str | None,
    no_password: bool,
    db: str | None,
) -> None:
    """Add an account; the password is asked for (or read from stdin), never an argument.

    \b
    Example:
        sfia-assess users add "Priya Nair" --login priya@example.com --role practitioner \\
            --manager daniel@example.com --title "Incident Coordinator"
    """
    from ..store import open_store, writing
    from ..store.accounts import add_account

    password = None if no_password else _read_password()

    def work(session: Session) -> AccountView:
        return add_account(
            session, name, role, password, manager, login=login, email=email, title=title
        )

    with open_store(db) as engine:
        added = writing(engine, work)
    click.echo(f"added {_shown(added)} ({added.role})")


def _shown(account: AccountView) -> str:
    return f"{account.name} ({account.login})" if account.login != account.name else account.name


@users_group.command("list")
@db_option
def users_list(db: str | None) -> None:
    """List the accounts: login (when it is not the name), name, role, title, manager, and
    whether disabled.

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
        who = f"{a.login}  {a.name}" if a.login != a.name else a.name
        title = f"  title: {a.title}" if a.title else ""
        manager = f"  manager: {names.get(a.manager, a.manager)}" if a.manager else ""
        state = "  (disabled)" if a.disabled else ""
        click.echo(f"{who}  {a.role}{title}{manager}{state}")


@users_group.command("disable")
@click.argument("login")
@db_option
def users_disable(login: str, db: str | None) -> None:
    """Disable an account: it can no longer sign in (its records are kept).

    \b
    Example:
        sfia-assess users disable sam@example.com
    """
    from ..store import open_store, writing
    from ..store.accounts import disable_account

    def work(session: Session) -> AccountView:
        return disable_account(session, login)

    with open_store(db) as engine:
        done = writing(engine, work)
    click.echo(f"disabled {done.name}")


@users_group.command("enable")
@click.argument("login")
@db_option
def users_enable(login: str, db: str | None) -> None:
    """Enable a disabled account again.

    \b
    Example:
        sfia-assess users enable sam@example.com
    """
    from ..store import open_store, writing
    from ..store.accounts import enable_account

    def work(session: Session) -> AccountView:
        return enable_account(session, login)

    with open_store(db) as engine:
        done = writing(engine, work)
    click.echo(f"enabled {done.name}")


@users_group.command("import")
@click.argument("csv_file", metavar="PEOPLE.csv", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option(
    "--disable-missing",
    is_flag=True,
    help="Disable the accounts the file does not list (give a full export).",
)
@db_option
def users_import(csv_file: Path, dry_run: bool, disable_missing: bool, db: str | None) -> None:
    """Add and update accounts and reporting lines from an HR system's CSV export, all or
    nothing. Columns (header row, any order): id (the login), name, email, role, manager (the
    manager's id), title. New accounts have no password: they sign in by a one-time link
    (users link) or single sign-on. Importing the same file again changes nothing.

    \b
    Example:
        sfia-assess users import people.csv --dry-run
        sfia-assess users import people.csv --disable-missing
    """
    from ..files.csvfile import MAX_CSV_BYTES
    from ..store import open_store, writing
    from ..store.people_import import import_people

    try:
        if csv_file.is_file() and csv_file.stat().st_size > MAX_CSV_BYTES:
            raise SfiaAssessError(f"{csv_file}: is over {MAX_CSV_BYTES // (1024 * 1024)} MB")
        data = csv_file.read_bytes()
    except IsADirectoryError:
        raise SfiaAssessError(f"{csv_file}: is a folder; give the CSV file") from None
    except FileNotFoundError:
        raise SfiaAssessError(f"{csv_file}: no such file") from None
    except OSError as exc:
        raise SfiaAssessError(f"{csv_file}: cannot be read ({exc.strerror})") from None
    actor = _operator()

    def work(session: Session) -> Plan:
        return import_people(
            session,
            data,
            str(csv_file),
            actor,
            disable_missing=disable_missing,
            dry_run=dry_run,
        )

    with open_store(db) as engine:
        plan = writing(engine, work)
    for change in plan.changes:
        click.echo(str(change))
    if dry_run and plan.changes:
        click.echo(f"would change: {plan.summary()} (dry run: nothing was changed)")
    else:
        click.echo(plan.summary())


def _operator() -> str:
    """Who runs the command, for the audit log."""
    import getpass

    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


@users_group.command("link")
@click.argument("login")
@click.option(
    "--hours",
    type=click.FloatRange(min=0, min_open=True, max=24 * 30),
    default=72,
    show_default=True,
    help="How long the link works.",
)
@click.option(
    "--base-url",
    metavar="URL",
    envvar="SFIA_ASSESS_BASE_URL",
    help="The server's address as people reach it (also $SFIA_ASSESS_BASE_URL); without it"
    " the link's path is printed.",
)
@db_option
def users_link(login: str, hours: float, base_url: str | None, db: str | None) -> None:
    """Make a one-time sign-in link for an account: it works once, until it expires. Only its
    SHA-256 is kept: the link is printed this once. The person opens it, confirms, and may then
    set a password (also the way to reset a forgotten one).

    \b
    Example:
        sfia-assess users link priya@example.com --base-url https://assess.example.org
    """
    from ..store import open_store, writing
    from ..store.links import MadeLink, make_link

    actor = _operator()

    def work(session: Session) -> MadeLink:
        return make_link(session, login, actor, hours)

    with open_store(db) as engine:
        made = writing(engine, work)
    click.echo(made.url(base_url))
    expires = dt.datetime.fromtimestamp(made.expires_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"for {_shown(made.account)}, once, until {expires}", err=True)


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
