"""Accounts for a shared deployment and the audit log, run as a user runs them: the CLI on a
real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.store.accounts import audit, check_password
from sfia_assess.store.database import open_engine, reading, writing

from .seeding import PASSWORD


def users(runner: CliRunner, url: str, *args: str, password: str | None = None) -> tuple:
    result = runner.invoke(cli, ["users", *args, "--db", url], input=password)
    return result.exit_code, result.stdout, result.stderr


def test_add_list_and_disable_accounts(runner: CliRunner, store_url: str) -> None:
    assert users(runner, store_url, "add", "Daniel Okafor", "--role", "manager", password=PASSWORD)[
        :2
    ] == (0, "added Daniel Okafor (manager)\n")
    code, out, err = users(
        runner,
        store_url,
        "add",
        "Priya Nair",
        "--role",
        "practitioner",
        "--manager",
        "daniel okafor",
        password=PASSWORD + "\n",
    )
    assert (code, out) == (0, "added Priya Nair (practitioner)\n"), err
    code, out, _ = users(runner, store_url, "list")
    assert out == ("Daniel Okafor  manager\nPriya Nair  practitioner  manager: Daniel Okafor\n")
    assert users(runner, store_url, "disable", "PRIYA NAIR")[:2] == (0, "disabled Priya Nair\n")
    assert users(runner, store_url, "list")[1].endswith(
        "Priya Nair  practitioner  manager: Daniel Okafor  (disabled)\n"
    )


def test_passwords_are_kept_only_as_argon2_hashes_and_checked(
    runner: CliRunner, store_url: str
) -> None:
    users(runner, store_url, "add", "Sam Lee", "--role", "hr", password=PASSWORD)
    engine = open_engine(store_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.text("select password_hash from accounts")).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        with reading(engine) as session:
            found = check_password(session, "sam lee", PASSWORD)
            assert found is not None and found.role == "hr"
            assert check_password(session, "Sam Lee", PASSWORD + "x") is None
            assert check_password(session, "Nobody", PASSWORD) is None
    finally:
        engine.dispose()
    users(runner, store_url, "disable", "Sam Lee")
    engine = open_engine(store_url)
    try:
        with reading(engine) as session:
            assert check_password(session, "Sam Lee", PASSWORD) is None
    finally:
        engine.dispose()


def test_the_password_is_never_an_argument(runner: CliRunner, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    result = runner.invoke(
        cli, ["users", "add", "Sam Lee", "--role", "hr", "--password", PASSWORD, "--db", url]
    )
    assert result.exit_code == 2 and "No such option '--password'" in result.stderr


def test_account_mistakes_are_one_sentence_and_exit_1(runner: CliRunner, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    code, _, err = users(runner, url, "add", "Sam Lee", "--role", "hr", password="short")
    assert code == 1 and "the password has under 12 characters; choose a longer one" in err
    code, _, err = users(runner, url, "add", "Sam Lee", "--role", "hr", password="")
    assert code == 1 and "no password on stdin" in err
    code, _, err = users(
        runner,
        url,
        "add",
        "Sam Lee",
        "--role",
        "practitioner",
        "--manager",
        "Ann",
        password=PASSWORD,
    )
    assert code == 1 and "--manager 'Ann' is no account's login or name; add it first" in err
    assert users(runner, url, "add", "Sam Lee", "--role", "hr", password=PASSWORD)[0] == 0
    code, _, err = users(runner, url, "add", "sam  LEE", "--role", "hr", password=PASSWORD)
    assert code == 1 and "an account with the login 'sam LEE' already exists" in err
    code, _, err = users(runner, url, "disable", "Nobody")
    assert code == 1 and "no account named 'Nobody'" in err
    assert users(runner, url, "add", "X", "--role", "boss", password=PASSWORD)[0] == 2
    assert "Traceback" not in err


def test_audit_log_is_printed_and_its_rows_cannot_be_changed(
    runner: CliRunner, store_url: str
) -> None:
    assert runner.invoke(cli, ["db", "upgrade", "--db", store_url]).exit_code == 0
    engine = open_engine(store_url)
    try:
        writing(
            engine, lambda s: audit(s, "Daniel Okafor", "viewed", "Priya Nair/INCM", "10.0.0.5")
        )
        writing(engine, lambda s: audit(s, "Daniel Okafor", "signed", "Priya Nair/INCM"))
        result = runner.invoke(cli, ["audit", "--db", store_url])
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert len(lines) == 2
        assert lines[0].endswith("  Daniel Okafor  viewed  Priya Nair/INCM  from 10.0.0.5")
        assert lines[1].endswith("  Daniel Okafor  signed  Priya Nair/INCM")
        with engine.connect() as connection:
            try:
                connection.execute(sa.text("update audit set actor = 'someone else'"))
                connection.commit()
                changed = True
            except sa.exc.DBAPIError:
                changed = False
        assert not changed
    finally:
        engine.dispose()


PEAK_OF_EIGHT_SIGN_INS = """
import resource, sys, threading
from sfia_assess.store.accounts import password_matches, SignInCandidate, _HASHER
candidate = SignInCandidate(_HASHER.hash("x" * 12), None)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
threads = [threading.Thread(target=password_matches, args=(candidate, "y" * 12)) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_people_signing_in_at_once_queue_for_the_password_check_not_for_memory() -> None:
    # Each argon2 check takes 64 MiB; eight at once took ~512 MiB (fifty at once, gigabytes).
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", PEAK_OF_EIGHT_SIGN_INS], capture_output=True, text=True, check=True
    ).stdout
    grown_mib = int(out) / 1024
    cores = os.cpu_count() or 1
    assert grown_mib < 64 * min(cores, 8) + 48, grown_mib


def test_a_password_easy_to_guess_is_refused(runner: CliRunner, tmp_path) -> None:
    """Length alone is not enough: a common password, a repeat, or one made of the person's own
    name and login is refused in one sentence, and no account is added."""
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    for weak, why in (
        ("password1234", "(this is a very common password)"),
        ("aaaaaaaaaaaaaaa", '(repeats like "aaa" are easy to guess)'),
        ("priya nair 2026", ""),
    ):
        code, _, err = users(
            runner,
            url,
            "add",
            "Priya Nair",
            "--role",
            "hr",
            password=weak,
        )
        assert code == 1, weak
        assert f"the password is too easy to guess{' ' + why if why else ''}; choose" in err
    assert users(runner, url, "list")[2].startswith("no accounts yet")
    assert users(runner, url, "add", "Priya Nair", "--role", "hr", password=PASSWORD)[0] == 0
