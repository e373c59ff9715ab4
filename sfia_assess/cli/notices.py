"""`remind`: email the managers whose reviews have waited too long (for a cron job or timer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..errors import SfiaAssessError
from .options import db_option

if TYPE_CHECKING:
    from ..store.notices import Notification


OFF = "would not remind (email turned off)"


def _line(verb: str, n: Notification) -> str:
    to = n.recipient.name + (f" <{n.recipient.email}>" if n.recipient.email else "")
    return (
        f"{verb} {to}: {n.person}'s self-assessment of {n.skill}, waiting {n.waiting_days}"
        f" days ({n.path})"
    )


@click.command("remind")
@click.option(
    "--days",
    required=True,
    type=click.IntRange(min=1),
    help="Remind of reviews waiting this many days or more (and again every DAYS days).",
)
@click.option("--dry-run", is_flag=True, help="List the reminders that are due; send none.")
@db_option
def remind_command(days: int, dry_run: bool, db: str | None) -> None:
    """Email managers about reviews waiting DAYS days or more.

    Each self-assessment submitted DAYS days ago or more and still waiting for review gets one
    reminder to its manager, and another only DAYS days later. Managers who turned email off
    are skipped. SMTP settings come from $SFIA_ASSESS_SMTP_HOST and the other
    $SFIA_ASSESS_SMTP_* variables (see the README); with no host set nothing is sent.

    A daily cron job or systemd timer runs it (the README has both).

    \b
    Example:
        SFIA_ASSESS_SMTP_HOST=mail.example.org SFIA_ASSESS_BASE_URL=https://sfia.example.org \\
          sfia-assess remind --days 7 --db postgresql+psycopg://sfia@db/sfia
    """
    from ..store import open_store, reading
    from ..store.mail import BASE_URL, HOST, deliver, smtp_settings
    from ..store.notices import reminders_due

    settings = smtp_settings()
    if settings is not None and settings.base_url is None and not dry_run:
        raise SfiaAssessError(
            f"${BASE_URL} is not set: set it to the address people open sfia-assess at"
            " (e.g. https://sfia.example.org), for the reminders' links"
        )
    with open_store(db, existing=True) as engine:
        with reading(engine) as session:
            due = reminders_due(session, days)
        if dry_run or settings is None:
            for n in due:
                click.echo(_line("would remind" if n.recipient.notify else OFF, n))
            why = "--dry-run" if dry_run else f"no SMTP server is set (${HOST})"
            click.echo(f"{len(due)} reminders due; none sent: {why}", err=True)
            return
        outcomes = deliver(engine, settings, due)
    failed = [o for o in outcomes if not o.sent and not o.turned_off]
    for outcome in outcomes:
        if outcome.sent:
            click.echo(_line("reminded", outcome.notification))
        elif outcome.turned_off:
            click.echo(_line(OFF, outcome.notification))
        else:
            click.echo(_line("NOT reminded", outcome.notification) + f": {outcome.detail}")
    if failed:
        raise SfiaAssessError(
            f"{len(failed)} of {len(outcomes)} reminders could not be sent ({failed[0].detail});"
            " each is logged in the store's notices and is tried again on the next run"
        )
    sent = sum(1 for o in outcomes if o.sent)
    click.echo(f"{sent} reminders sent", err=True)
