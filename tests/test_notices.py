"""Email notifications against a real SMTP server (aiosmtpd) started in the test: submission to
the manager, sign-off to the practitioner, a person's choice to get none, an SMTP server that
is down or silent (the action stands, the failure is logged), and `remind` for a timer."""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.store import open_store, reading, writing
from sfia_assess.store.accounts import add_account
from sfia_assess.store.mail import (
    BASE_URL,
    FROM,
    HOST,
    PASSWORD_FILE,
    PORT,
    USER,
    MailSettingsError,
    smtp_settings,
)
from sfia_assess.store.models import AssessmentRecord, Event, Person
from sfia_assess.store.notices import notices
from sfia_assess.web.app import create_app
from sfia_assess.web.auth import CSRF_COOKIE

from .conftest import EXAMPLES
from .forms import form_of
from .mailbox import SENDER, SITE, Inbox, body, free_port, smtp_environment, smtp_server
from .seeding import PASSWORD, record, sign_in
from .servers import serving

# What an email must never hold: the practitioner's ratings and evidence, the levels.
SECRETS = ("consistently", "usually", "sometimes", "not-yet", "INC-31877", "Teams bridge")


def _use_smtp(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    for name, value in smtp_environment(port).items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on a free port of this machine, and the environment set to use it."""
    with smtp_server() as (found, port):
        _use_smtp(monkeypatch, port)
        yield found


def add_people(url: str) -> None:
    """Two managers and four practitioners, each with an email address."""

    def accounts(session: Any) -> None:
        # Only Daniel and Priya sign in here: the others need no password (argon2 takes time).
        add_account(session, "Daniel Okafor", "manager", PASSWORD, email="daniel@example.org")
        add_account(session, "Hana Mori", "manager", None, email="hana@example.org")
        for name, manager, password in (
            ("Priya Nair", "Daniel Okafor", PASSWORD),
            ("Sam Lee", "Daniel Okafor", None),
            ("Jordan Park", "Daniel Okafor", None),
            ("Alex Kim", "Hana Mori", None),
        ):
            email = name.split()[0].lower() + "@example.org"
            add_account(session, name, "practitioner", password, manager, email=email)

    with open_store(url) as engine:
        writing(engine, accounts)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_people(url)
    return url


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(db_url, shared=True), follow_redirects=False) as test_client:
        yield test_client


def logged(db_url: str, count: int = 1, wait: float = 30.0) -> list[tuple[str, str, bool, str]]:
    """The notices log once it has `count` lines (the mail thread writes them after sending)."""
    deadline = time.monotonic() + wait
    while True:
        with open_store(db_url) as engine, reading(engine) as session:
            rows = [(n.kind, n.recipient_key, n.sent, n.detail or "") for n in notices(session)]
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def submit(client: TestClient) -> int:
    """Priya Nair submits her self-assessment to Daniel Okafor; its id."""
    assert sign_in(client, "Priya Nair") == 303
    form = {
        **form_of("priya-nair-coordinator.yaml"),
        "manager": "Daniel Okafor",
        "csrf_token": client.cookies[CSRF_COOKIE],
    }
    response = client.post("/assessment/submit", data=form)
    assert response.status_code == 200, response.text[:300]
    found = re.search(r'href="/assessments/(\d+)"', response.text)
    assert found
    client.post("/logout", data={"csrf_token": client.cookies[CSRF_COOKIE]})
    return int(found.group(1))


def sign_off(client: TestClient, assessment_id: int) -> None:
    import yaml

    data = yaml.safe_load((EXAMPLES / "priya-nair-manager.yaml").read_text("utf-8"))
    assert sign_in(client, "Daniel Okafor") == 303
    form = {
        "assessor_name": "Daniel Okafor",
        "assessed_on": "2026-10-06",
        "evidence_count": "0",
        "csrf_token": client.cookies[CSRF_COOKIE],
        **{f"rating-{k}": v for k, v in data["ratings"].items()},
    }
    response = client.post(f"/manager/review/{assessment_id}/sign", data=form)
    assert response.status_code == 303, response.text[:300]
    client.post("/logout", data={"csrf_token": client.cookies[CSRF_COOKIE]})


def holds_nothing_of_the_assessment(mail: EmailMessage) -> None:
    text = str(mail["Subject"]) + body(mail)
    for secret in SECRETS:
        assert secret not in text
    assert not re.search(r"level \d", text)


def test_a_submission_emails_its_manager_once_with_a_link_and_nothing_of_the_assessment(
    client: TestClient, db_url: str, inbox: Inbox
) -> None:
    assessment_id = submit(client)
    assert logged(db_url) == [("submitted", "daniel okafor", True, "")]
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert inbox.recipients == [["daniel@example.org"]]
    assert mail["To"] == "Daniel Okafor <daniel@example.org>"
    assert mail["From"] == f"sfia-assess <{SENDER}>"
    assert mail["Subject"] == "Priya Nair submitted a self-assessment (USUP) for your review"
    assert mail["Date"] and mail["Message-ID"].endswith("@example.org>")
    assert mail.get_content_type() == "text/plain"
    text = body(mail)
    assert f"{SITE}/manager/review/{assessment_id}\n" in text
    assert "Hello Daniel Okafor," in text
    assert f"{SITE}/account/notifications" in text
    holds_nothing_of_the_assessment(mail)


def test_a_sign_off_emails_the_practitioner_once(
    client: TestClient, db_url: str, inbox: Inbox
) -> None:
    assessment_id = submit(client)
    logged(db_url)
    sign_off(client, assessment_id)
    assert [row[:3] for row in logged(db_url, 2)] == [
        ("submitted", "daniel okafor", True),
        ("signed-off", "priya nair", True),
    ]
    assert len(inbox.messages) == 2
    mail = inbox.messages[1]
    assert inbox.recipients[1] == ["priya@example.org"]
    assert mail["To"] == "Priya Nair <priya@example.org>"
    assert mail["Subject"] == "Daniel Okafor signed off your self-assessment (USUP)"
    assert f"{SITE}/assessments/{assessment_id}\n" in body(mail)
    holds_nothing_of_the_assessment(mail)


def test_a_manager_who_turned_email_off_is_sent_nothing(
    client: TestClient, db_url: str, inbox: Inbox
) -> None:
    assert sign_in(client, "Daniel Okafor") == 303
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert 'name="notify" value="on" checked' in page.text
    assert "daniel@example.org" in page.text
    refused = client.post("/account/notifications", data={})  # no CSRF token
    assert refused.status_code == 403
    token = client.cookies[CSRF_COOKIE]
    saved = client.post("/account/notifications", data={"csrf_token": token})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/account/notifications?saved=1"
    after = client.get(saved.headers["location"])
    assert 'value="on" checked' not in after.text and "no more of these emails" in after.text
    client.post("/logout", data={"csrf_token": token})

    submit(client)
    rows = logged(db_url)
    assert rows == [
        (
            "submitted",
            "daniel okafor",
            False,
            "not sent: the recipient turned email notifications off",
        ),
    ]
    assert inbox.messages == []
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        audited = connection.execute(
            sa.text("select actor, action, target from audit where action = 'changed'")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in audited] == [
        ("Daniel Okafor", "changed", "/account/notifications: email off")
    ]


def test_the_notifications_page_is_for_signed_in_people_only(client: TestClient) -> None:
    assert client.get("/account/notifications").headers["location"] == "/login"
    with TestClient(create_app(None, shared=False)) as single_user:
        assert single_user.get("/account/notifications").status_code == 404


def test_an_smtp_server_that_is_down_loses_no_submission(
    client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    _use_smtp(monkeypatch, free_port())  # nothing listens there
    caplog.set_level(logging.WARNING, logger="sfia_assess.notices")
    started = time.monotonic()
    assessment_id = submit(client)
    assert time.monotonic() - started < 10
    rows = logged(db_url)
    assert len(rows) == 1 and rows[0][:3] == ("submitted", "daniel okafor", False)
    assert rows[0][3].startswith("could not reach the SMTP server at 127.0.0.1:")
    assert "was not sent: could not reach the SMTP server" in caplog.text
    with open_store(db_url) as engine, reading(engine) as session:
        from sfia_assess.store.workflow import status

        assert status(session, assessment_id) == "submitted"


def test_a_silent_smtp_server_costs_the_person_no_wait(
    client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that accepts the connection and never answers: the page is shown at once, the
    mail thread gives up after $SFIA_ASSESS_SMTP_TIMEOUT (2 s here) and logs it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # connections queue and are never answered
        _use_smtp(monkeypatch, int(silent.getsockname()[1]))
        assert sign_in(client, "Priya Nair") == 303
        form = {
            **form_of("priya-nair-coordinator.yaml"),
            "manager": "Daniel Okafor",
            "csrf_token": client.cookies[CSRF_COOKIE],
        }
        started = time.monotonic()
        assert client.post("/assessment/submit", data=form).status_code == 200
        assert time.monotonic() - started < 2
        rows = logged(db_url)
    assert rows[0][2] is False
    assert "did not answer within 2 seconds" in rows[0][3]


def test_no_smtp_host_sends_nothing_and_fails_nothing(
    client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOST, raising=False)
    assessment_id = submit(client)
    sign_off(client, assessment_id)
    assert logged(db_url, wait=0.5) == []


def test_the_smtp_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n", "utf-8")
    found = smtp_settings(
        {HOST: "mail.example.org", USER: "sfia", PASSWORD_FILE: str(secret), FROM: SENDER}
        | {"SFIA_ASSESS_SMTP_STARTTLS": "true"}
    )
    assert found is not None
    assert (found.host, found.port, found.user, found.password) == (
        "mail.example.org",
        587,
        "sfia",
        "s3cret",
    )
    assert smtp_settings({}) is None
    with pytest.raises(MailSettingsError, match=r"\$SFIA_ASSESS_SMTP_PORT must be a port"):
        smtp_settings({HOST: "mail.example.org", PORT: "smtp"})
    with pytest.raises(MailSettingsError, match=r"\$SFIA_ASSESS_SMTP_FROM must be an email"):
        smtp_settings({HOST: "mail.example.org", FROM: "sfia@"})
    with pytest.raises(MailSettingsError, match=r"\$SFIA_ASSESS_SMTP_PASSWORD_FILE names"):
        smtp_settings({HOST: "mail.example.org", PASSWORD_FILE: str(tmp_path / "none")})


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_smtp_user_and_password_file_sign_in_to_the_server(
    client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tried: list[tuple[str, str]] = []

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        tried.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret")

    options = {"authenticator": check, "auth_require_tls": False, "auth_required": True}
    with smtp_server(**options) as (found, port):
        _use_smtp(monkeypatch, port)
        secret = tmp_path / "password"
        secret.write_text("s3cret\n", "utf-8")
        monkeypatch.setenv(USER, "sfia")
        monkeypatch.setenv(PASSWORD_FILE, str(secret))
        submit(client)
        assert logged(db_url)[0][2] is True
    assert tried == [("sfia", "s3cret")]
    assert len(found.messages) == 1


# -- remind: reviews waiting longer than N days ---------------------------------------------


def _submitted_days_ago(db_url: str, who: str, manager: str, days: int, *later: str) -> int:
    """Record a submission of `who`'s self-assessment to `manager`, dated `days` days ago (and
    then the `later` steps, a day after it)."""
    from sfia_assess.core.identity import person_key

    def work(session: Any) -> int:
        record = session.scalars(
            sa.select(AssessmentRecord)
            .join(Person)
            .where(Person.name == who, AssessmentRecord.relation == "self")
        ).one()
        at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days, hours=1)
        session.add(
            Event(
                assessment_id=record.id,
                kind="submitted",
                actor=who,
                at=at,
                recipient=manager,
                recipient_key=person_key(manager),
            )
        )
        for kind in later:
            session.add(
                Event(
                    assessment_id=record.id,
                    kind=kind,
                    actor=manager,
                    at=at + dt.timedelta(days=1),
                )
            )
        return int(record.id)

    with open_store(db_url) as engine:
        return writing(engine, work)


@pytest.fixture
def waiting(db_url: str) -> dict[str, int]:
    """Priya's review has waited 10 days (due); Sam's 2 (not yet); Jordan's was reviewed since;
    Alex's has waited 9 days for Hana Mori, who turned email off."""
    record(
        db_url,
        *(
            EXAMPLES / name
            for name in (
                "priya-nair-coordinator.yaml",
                "sam-lee-analyst.yaml",
                "jordan-park-sfia8.yaml",
                "alex-kim-overrated.yaml",
            )
        ),
    )
    with open_store(db_url) as engine:
        from sfia_assess.store.notices import set_email

        writing(engine, lambda session: set_email(session, "hana mori", False))
    return {
        "Priya Nair": _submitted_days_ago(db_url, "Priya Nair", "Daniel Okafor", 10),
        "Sam Lee": _submitted_days_ago(db_url, "Sam Lee", "Daniel Okafor", 2),
        "Jordan Park": _submitted_days_ago(db_url, "Jordan Park", "Daniel Okafor", 12, "reviewed"),
        "Alex Kim": _submitted_days_ago(db_url, "Alex Kim", "Hana Mori", 9),
    }


def test_remind_dry_run_lists_the_reminders_due_and_sends_none(
    db_url: str, waiting: dict[str, int], inbox: Inbox
) -> None:
    result = CliRunner().invoke(cli, ["remind", "--days", "7", "--dry-run", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"would remind Daniel Okafor <daniel@example.org>: Priya Nair's self-assessment of USUP,"
        f" waiting 10 days (/manager/review/{waiting['Priya Nair']})",
        f"would not remind (email turned off) Hana Mori <hana@example.org>: Alex Kim's"
        f" self-assessment of USUP, waiting 9 days (/manager/review/{waiting['Alex Kim']})",
    ]
    assert result.stderr == "2 reminders due; none sent: --dry-run\n"
    assert inbox.messages == []
    assert logged(db_url, wait=0) == []


def test_remind_sends_one_reminder_per_review_waiting_longer_and_not_again_the_next_day(
    db_url: str, waiting: dict[str, int], inbox: Inbox
) -> None:
    result = CliRunner().invoke(cli, ["remind", "--days", "7", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("reminded Daniel Okafor <daniel@example.org>")
    assert result.stderr == "1 reminders sent\n"
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "Daniel Okafor <daniel@example.org>"
    assert mail["Subject"] == "Reminder: Priya Nair's self-assessment has waited 10 days for you"
    assert f"{SITE}/manager/review/{waiting['Priya Nair']}\n" in body(mail)
    holds_nothing_of_the_assessment(mail)
    assert [row[:3] for row in logged(db_url, 2, wait=0)] == [
        ("reminder", "daniel okafor", True),
        ("reminder", "hana mori", False),
    ]
    again = CliRunner().invoke(cli, ["remind", "--days", "7", "--db", db_url])
    assert again.exit_code == 0 and again.stderr == "0 reminders sent\n"
    assert again.stdout == ""  # Hana's turned-off reminder is not listed again either
    assert len(inbox.messages) == 1


def test_remind_with_smtp_down_says_so_and_exits_1(
    db_url: str, waiting: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_smtp(monkeypatch, free_port())
    result = CliRunner().invoke(cli, ["remind", "--days", "7", "--db", db_url])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: 1 of 2 reminders could not be sent (could not reach the SMTP server at"
    )
    assert "tried again on the next run" in result.stderr
    # Not sent, so due again next time.
    retry = CliRunner().invoke(cli, ["remind", "--days", "7", "--dry-run", "--db", db_url])
    assert "would remind Daniel Okafor" in retry.stdout


def test_remind_without_a_host_or_a_base_url(
    db_url: str, waiting: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOST, raising=False)
    quiet = CliRunner().invoke(cli, ["remind", "--days", "7", "--db", db_url])
    assert quiet.exit_code == 0
    assert quiet.stderr == (
        "2 reminders due; none sent: no SMTP server is set ($SFIA_ASSESS_SMTP_HOST)\n"
    )
    monkeypatch.setenv(HOST, "127.0.0.1")
    monkeypatch.delenv(BASE_URL, raising=False)
    refused = CliRunner().invoke(cli, ["remind", "--days", "7", "--db", db_url])
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: $SFIA_ASSESS_BASE_URL is not set: set it to")


def test_a_return_and_the_reminders_due_on_sqlite_and_postgresql(
    store_url: str, inbox: Inbox
) -> None:
    """Priya's self-assessment was submitted 8 days ago and returned since (not waiting); Sam's
    has waited 8 days: one reminder, and after it none due until 7 more days have passed."""
    from sfia_assess.store.mail import deliver
    from sfia_assess.store.notices import RETURNED, reminders_due, to_practitioner

    add_people(store_url)
    record(store_url, EXAMPLES / "priya-nair-coordinator.yaml", EXAMPLES / "sam-lee-analyst.yaml")
    priya = _submitted_days_ago(store_url, "Priya Nair", "Daniel Okafor", 8, RETURNED)
    sam = _submitted_days_ago(store_url, "Sam Lee", "Daniel Okafor", 8)
    settings = smtp_settings()
    assert settings is not None
    with open_store(store_url) as engine:
        with reading(engine) as session:
            returned = to_practitioner(session, priya, RETURNED)
            due = reminders_due(session, 7)
        assert returned is not None and [n.assessment_id for n in due] == [sam]
        outcomes = deliver(engine, settings, [returned, *due])
        assert [o.sent for o in outcomes] == [True, True]
        with reading(engine) as session:
            assert reminders_due(session, 7) == []
            later = dt.datetime.now(dt.UTC) + dt.timedelta(days=7, hours=1)
            assert [n.assessment_id for n in reminders_due(session, 7, later)] == [sam]
    told, reminded = inbox.wait_for(2)
    assert told["To"] == "Priya Nair <priya@example.org>"
    assert told["Subject"] == "Daniel Okafor returned your self-assessment (USUP) to you"
    assert f"{SITE}/assessments/{priya}\n" in body(told)
    assert reminded["To"] == "Daniel Okafor <daniel@example.org>"
    assert reminded["Subject"] == "Reminder: Sam Lee's self-assessment has waited 8 days for you"


@pytest.mark.server
def test_serve_logs_an_email_it_could_not_send_and_keeps_the_submission(tmp_path: Path) -> None:
    """`serve --shared` in its own process with the SMTP server down: the submission answers at
    once and stands; the server's log and the notices table say the email was not sent."""
    from .http_sessions import cookie_header, request, sign_in_at

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_people(url)
    with serving("--shared", db_url=url, env=smtp_environment(free_port())) as server:
        status, cookies = sign_in_at(server.host, "Priya Nair")
        assert status == 303
        jar = cookie_header(cookies)
        form = {
            **form_of("priya-nair-coordinator.yaml"),
            "manager": "Daniel Okafor",
            "csrf_token": cookies[CSRF_COOKIE],
        }
        started = time.monotonic()
        answered, _, _ = request(server.host, "POST", "/assessment/submit", form, jar)
        assert answered == 200 and time.monotonic() - started < 5
        rows = logged(url)
        deadline = time.monotonic() + 10
        while "was not sent" not in server.text() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert rows[0][:3] == ("submitted", "daniel okafor", False)
    assert (
        "email notice (submitted, assessment 1) to daniel okafor was not sent: could not reach"
        " the SMTP server at 127.0.0.1:" in server.text()
    )


def test_an_email_that_cannot_be_written_is_logged_and_nothing_else_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No address, an address the email package refuses, an account turned off: no email, no
    connection to the SMTP server (none listens here), and a reason for each, in order."""
    from sfia_assess.store.mail import send
    from sfia_assess.store.notices import TURNED_OFF, Notification, Recipient

    def to(email: str | None, notify: bool = True) -> Notification:
        who = Recipient("daniel okafor", "Daniel\nOkafor", email, notify)
        return Notification("submitted", 1, who, "Priya Nair", "Priya Nair", "USUP", 9, "/x")

    _use_smtp(monkeypatch, free_port())
    settings = smtp_settings()
    assert settings is not None
    outcomes = send(settings, [to(None), to("x@"), to("a@b\r\nBcc: e@x"), to("d@x", False)], SITE)
    assert [(o.sent, o.detail) for o in outcomes] == [
        (False, "the account has no email address"),
        (False, "the email address cannot be used: string index out of range"),
        (
            False,
            "the email address cannot be used: invalid arguments; address parts cannot contain"
            " CR or LF",
        ),
        (False, TURNED_OFF),
    ]
