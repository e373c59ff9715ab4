"""`users import` (an HR export applied all or nothing, idempotent, --dry-run, --disable-missing),
`users add|list|disable|enable` by login, and one-time sign-in links (`users link`, the store's
single use, expiry, tampering), run as a user runs them: the CLI on a real store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.store.database import open_engine, reading, writing
from sfia_assess.store.links import (
    DISABLED,
    EXPIRED,
    UNKNOWN,
    USED,
    LinkRefused,
    link_account,
    make_link,
    use_link,
)

from .seeding import PASSWORD

HEADER = "id,name,email,role,manager,title\n"
TEAM = (
    HEADER
    + "daniel@example.com,Daniel Okafor,daniel@example.com,manager,,Major Incident Manager\n"
    + "priya@example.com,Priya Nair,Priya@Example.com,practitioner,daniel@example.com,"
    "Incident Coordinator\n" + "sam@example.com,Sam Lee,,,daniel@example.com,Service Desk Analyst\n"
)


def run(runner: CliRunner, url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, [*args, "--db", url], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str | bytes, name: str = "people.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return str(path)


def accounts(url: str) -> list[tuple]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    sa.text(
                        "select login, name, email, role, manager_key, title, disabled,"
                        " password_hash from accounts order by login"
                    )
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


def test_an_import_adds_the_team_and_a_second_run_changes_nothing(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    people = write(tmp_path, TEAM)
    code, out, err = run(runner, store_url, "users", "import", people)
    assert code == 0, err
    assert out == (
        "add Daniel Okafor (daniel@example.com): manager\n"
        "add Priya Nair (priya@example.com): practitioner, manager daniel@example.com\n"
        "add Sam Lee (sam@example.com): practitioner, manager daniel@example.com\n"
        "3 added; 0 unchanged\n"
    )
    found = accounts(store_url)
    assert [(a[0], a[2], a[4], a[7]) for a in found] == [
        ("daniel@example.com", "daniel@example.com", None, None),
        ("priya@example.com", "priya@example.com", "daniel@example.com", None),  # no password
        ("sam@example.com", None, "daniel@example.com", None),
    ]
    assert run(runner, store_url, "users", "import", people)[:2] == (
        0,
        "nothing to change: the 3 accounts already match the file\n",
    )
    assert accounts(store_url) == found
    code, out, _ = run(runner, store_url, "audit")
    assert "imported  " in out and "added  account add Priya Nair" in out


def test_dry_run_prints_what_would_change_and_changes_nothing(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    code, out, _ = run(runner, url, "users", "import", write(tmp_path, TEAM), "--dry-run")
    assert code == 0
    assert out.endswith("would change: 3 added; 0 unchanged (dry run: nothing was changed)\n")
    assert accounts(url) == []


def test_a_bad_file_changes_nothing_and_names_every_problem_with_its_line(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    assert run(runner, url, "users", "import", write(tmp_path, TEAM))[0] == 0
    before = accounts(url)
    bad = (
        TEAM.replace("Service Desk Analyst", "Analyst")  # a good change, not applied either
        + "ann@example.com,Ann Cole,,,nobody@example.com,\n"
        + ",No Id,,,,\n"
        + "SAM@example.com,Sam Again,,,,\n"
        + "bo@example.com,Bo,,,bo@example.com,\n"
    )
    code, out, err = run(runner, url, "users", "import", write(tmp_path, bad))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert [line.split("people.csv", 1)[1] for line in lines] == [
        ":5: manager 'nobody@example.com' of 'ann@example.com' is neither in the file nor an"
        " account; add a row for them",
        ":6: id is empty; give the person's login",
        ":7: id 'SAM@example.com' is also on line 4 (ids that differ only in case or Unicode"
        " form are one id); give each person one row",
        ":8: 'bo@example.com' is their own manager; leave manager empty",
    ]
    assert "Traceback" not in err
    assert accounts(url) == before


def test_a_cycle_and_a_disabled_manager_are_refused(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    cycle = HEADER + "a,Ann,,manager,c,\nb,Bo,,manager,a,\nc,Cy,,manager,b,\n"
    code, _, err = run(runner, url, "users", "import", write(tmp_path, cycle))
    assert code == 1 and ":2: the reporting lines go round: a -> c -> b -> a" in err
    assert run(runner, url, "users", "import", write(tmp_path, TEAM))[0] == 0
    assert run(runner, url, "users", "disable", "sam@example.com")[0] == 0
    code, _, err = run(
        runner, url, "users", "import", write(tmp_path, HEADER + "x,Xi,,,sam@example.com,\n")
    )
    assert code == 1 and "manager 'sam@example.com' of 'x' is disabled" in err


def test_people_missing_from_a_full_export_are_disabled_only_when_asked(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    run(runner, url, "users", "import", write(tmp_path, TEAM))
    without_sam = write(tmp_path, "\n".join(TEAM.splitlines()[:3]) + "\n", "full.csv")
    assert run(runner, url, "users", "import", without_sam)[1].startswith("nothing to change")
    code, out, _ = run(runner, url, "users", "import", without_sam, "--disable-missing")
    assert (code, out) == (
        0,
        "disable Sam Lee (sam@example.com): not in the file\n1 disabled; 2 unchanged\n",
    )
    assert [a[6] for a in accounts(url)] == [False, False, True]
    # Back in the file: enabled again.
    code, out, _ = run(runner, url, "users", "import", write(tmp_path, TEAM))
    assert out == "enable again Sam Lee (sam@example.com)\n1 enabled again; 2 unchanged\n"


def test_a_change_of_manager_is_applied_and_a_missing_column_keeps_its_field(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    run(runner, url, "users", "import", write(tmp_path, TEAM))
    moved = (
        HEADER
        + "kim@example.com,Kim Ray,,manager,,\n"
        + "sam@example.com,Sam Lee,,,kim@example.com,\n"
    )
    code, out, err = run(runner, url, "users", "import", write(tmp_path, moved))
    assert code == 0, err
    assert "change Sam Lee (sam@example.com): manager daniel@example.com -> kim@example.com" in out
    # Without a title column the titles stay as they are.
    only = "id,name,manager\nsam@example.com,Sam Lee,daniel@example.com\n"
    code, out, _ = run(runner, url, "users", "import", write(tmp_path, only))
    assert out.startswith("change Sam Lee (sam@example.com): manager kim@example.com ->")
    sam = next(a for a in accounts(url) if a[0] == "sam@example.com")
    assert sam[5] is None and sam[4] == "daniel@example.com"  # title emptied by `moved` before


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["bom", "crlf", "bom-crlf"],
)
def test_bom_and_crlf_are_read(runner: CliRunner, url: str, tmp_path: Path, encode) -> None:
    code, out, err = run(runner, url, "users", "import", write(tmp_path, encode(TEAM)))
    assert (code, out.splitlines()[-1]) == (0, "3 added; 0 unchanged"), err
    assert run(runner, url, "users", "import", write(tmp_path, TEAM))[1].startswith("nothing")


def test_latin1_is_refused_with_its_line_and_the_fix(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    text = HEADER.encode() + b"e1,Priya Nair,,,,\ne2,Ren\xe9e Blanc,,,,\n"
    code, out, err = run(runner, url, "users", "import", write(tmp_path, text))
    assert code == 1 and out == ""
    assert err.strip().endswith(
        "people.csv:3: is not UTF-8 text (a spreadsheet saved it in another encoding); save it"
        ' as "CSV UTF-8" and import it again'
    )
    assert accounts(url) == []


def test_a_file_with_a_header_only_disables_no_one(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    run(runner, url, "users", "import", write(tmp_path, TEAM))
    code, _, err = run(
        runner, url, "users", "import", write(tmp_path, HEADER, "empty.csv"), "--disable-missing"
    )
    assert code == 1 and err.strip().endswith(
        "empty.csv:2: lists no one; give a row for each person"
    )
    assert [a[6] for a in accounts(url)] == [False, False, False]


def test_a_formula_and_a_missing_file_are_one_sentence(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    code, _, err = run(
        runner, url, "users", "import", write(tmp_path, HEADER + 'e1,"=CMD()",,,,\n')
    )
    assert code == 1 and ":2: name '=CMD()' would be a formula in a spreadsheet" in err
    code, _, err = run(runner, url, "users", "import", str(tmp_path / "nope.csv"))
    assert code == 1 and err.strip().endswith("nope.csv: no such file")


def test_ten_thousand_people_are_imported_in_seconds(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    rows = ["m0,Manager Zero,,manager,,"]
    rows += [f"m{n},Manager {n},,manager,m0," for n in range(1, 100)]
    rows += [f"p{n},Person {n},p{n}@example.com,,m{n % 100},Analyst" for n in range(9_900)]
    people = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    run(runner, url, "users", "list")  # the store made first: its creation is not timed
    started = time.perf_counter()
    code, out, err = run(runner, url, "users", "import", people)
    first = time.perf_counter() - started
    assert code == 0, err
    assert out.endswith("10000 added; 0 unchanged\n")
    started = time.perf_counter()
    code, out, _ = run(runner, url, "users", "import", people)
    second = time.perf_counter() - started
    assert out == "nothing to change: the 10000 accounts already match the file\n"
    print(f"10,000 rows: first import {first:.2f} s, second {second:.2f} s")
    assert first < 20 and second < 10, (first, second)


def test_users_add_list_disable_and_enable_by_login(runner: CliRunner, url: str) -> None:
    assert run(
        runner,
        url,
        "users",
        "add",
        "Daniel Okafor",
        "--role",
        "manager",
        "--login",
        "d.okafor",
        "--email",
        "Daniel@Example.com",
        "--title",
        "Major Incident Manager",
        stdin=PASSWORD,
    )[:2] == (0, "added Daniel Okafor (d.okafor) (manager)\n")
    code, _, err = run(
        runner,
        url,
        "users",
        "add",
        "Priya Nair",
        "--role",
        "practitioner",
        "--login",
        "e1042",
        "--manager",
        "d.okafor",
        "--no-password",
    )
    assert code == 0, err
    assert run(runner, url, "users", "list")[1] == (
        "d.okafor  Daniel Okafor  manager  title: Major Incident Manager\n"
        "e1042  Priya Nair  practitioner  manager: Daniel Okafor\n"
    )
    code, _, err = run(runner, url, "users", "disable", "d.okafor")
    assert code == 1 and "manages Priya Nair (e1042); give them another manager" in err
    assert run(runner, url, "users", "disable", "E1042")[:2] == (0, "disabled Priya Nair\n")
    assert run(runner, url, "users", "enable", "e1042")[:2] == (0, "enabled Priya Nair\n")
    assert [a[2] for a in accounts(url)] == ["daniel@example.com", None]


def test_users_link_prints_a_url_and_keeps_only_its_hash(
    runner: CliRunner, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(runner, url, "users", "import", write(tmp_path, TEAM))
    code, out, err = run(runner, url, "users", "link", "priya@example.com")
    assert code == 0 and out.startswith("/link/") and "for Priya Nair (priya@example.com)" in err
    monkeypatch.setenv("SFIA_ASSESS_BASE_URL", "https://assess.example.org/")
    code, out, _ = run(runner, url, "users", "link", "priya@example.com", "--hours", "1")
    assert out.startswith("https://assess.example.org/link/")
    token = out.strip().rsplit("/", 1)[1]
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            kept = [
                row[0]
                for row in connection.execute(sa.text("select token_hash from sign_in_links"))
            ]
        assert len(kept) == 2 and all(len(h) == 64 and token not in h for h in kept)
        with reading(engine) as session:
            assert link_account(session, token).login == "priya@example.com"
    finally:
        engine.dispose()
    code, _, err = run(runner, url, "users", "link", "nobody@example.com")
    assert code == 1 and "no account has the login 'nobody@example.com'" in err


def test_a_link_works_once_until_it_expires_for_an_enabled_account_only(
    runner: CliRunner, url: str, tmp_path: Path
) -> None:
    run(runner, url, "users", "import", write(tmp_path, TEAM))
    engine = open_engine(url)
    now = time.time()
    try:
        made = writing(engine, lambda s: make_link(s, "priya@example.com", "admin", 72, now))
        other = writing(engine, lambda s: make_link(s, "sam@example.com", "admin", 1, now))
        assert writing(engine, lambda s: use_link(s, made.token, now + 60)).login == (
            "priya@example.com"
        )
        cases = [
            (made.token, now + 120, USED),
            (other.token, now + 3601, EXPIRED),
            (made.token[:-1] + ("A" if made.token[-1] != "A" else "B"), now, UNKNOWN),
            ("x" * 500, now, UNKNOWN),
        ]
        for token, at, sentence in cases:
            with pytest.raises(LinkRefused) as refused:
                writing(engine, lambda s, t=token, a=at: use_link(s, t, a))
            assert str(refused.value) == sentence
        writing(engine, lambda s: s.execute(sa.text("update accounts set disabled = true")))
        with pytest.raises(LinkRefused, match=DISABLED.split(";")[0]):
            writing(engine, lambda s: use_link(s, other.token, now))
        with pytest.raises(Exception, match="is disabled; enable it first"):
            writing(engine, lambda s: make_link(s, "sam@example.com", "admin", 1, now))
    finally:
        engine.dispose()
