"""core/people: an HR system's export checked row by row and as reporting lines, then planned
against the accounts there are (all or nothing, every problem with its line)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sfia_assess.core.people import COLUMNS, REQUIRED, Person, people_from_rows, plan_import
from sfia_assess.errors import InputFileError
from sfia_assess.files.csvfile import read_table

HEADER = "id,name,email,role,manager,title\n"
TEAM = (
    HEADER
    + "daniel@example.com,Daniel Okafor,daniel@example.com,manager,,Major Incident Manager\n"
    + "priya@example.com,Priya Nair,priya@example.com,practitioner,daniel@example.com,Incident"
    " Coordinator\n" + "sam@example.com,Sam Lee,,,daniel@example.com,Service Desk Analyst\n"
)


def _people(tmp_path: Path, text: str | bytes) -> list[Person]:
    path = tmp_path / "people.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return people_from_rows(read_table(path, COLUMNS, REQUIRED), str(path))


def _refused(tmp_path: Path, text: str | bytes) -> list[str]:
    with pytest.raises(InputFileError) as caught:
        plan_import(_people(tmp_path, text), [], "people.csv")
    return [str(p).split("people.csv", 1)[1] for p in caught.value.problems]


def test_a_team_is_added_then_a_second_import_changes_nothing(tmp_path: Path) -> None:
    people = _people(tmp_path, TEAM)
    plan = plan_import(people, [], "people.csv")
    assert [str(c) for c in plan.changes] == [
        "add Daniel Okafor (daniel@example.com): manager",
        "add Priya Nair (priya@example.com): practitioner, manager daniel@example.com",
        "add Sam Lee (sam@example.com): practitioner, manager daniel@example.com",
    ]
    assert plan.summary() == "3 added; 0 unchanged"
    again = plan_import(people, people, "people.csv")
    assert again.changes == ()
    assert again.summary() == "nothing to change: the 3 accounts already match the file"


def test_a_change_of_manager_and_title_is_planned_as_a_change(tmp_path: Path) -> None:
    before = _people(tmp_path, TEAM)
    after = _people(
        tmp_path,
        TEAM.replace("Service Desk Analyst", "Incident Analyst").replace(
            "sam@example.com,Sam Lee,,,daniel@example.com", "sam@example.com,Sam Lee,,,"
        ),
    )
    plan = plan_import(after, before, "people.csv")
    assert [str(c) for c in plan.changes] == [
        "change Sam Lee (sam@example.com): manager daniel@example.com -> (none); title Service"
        " Desk Analyst -> Incident Analyst"
    ]


def test_people_missing_from_the_file_are_disabled_only_when_asked(tmp_path: Path) -> None:
    everyone = _people(tmp_path, TEAM)
    without_sam = [p for p in everyone if p.login != "sam@example.com"]
    assert plan_import(without_sam, everyone, "people.csv").changes == ()
    plan = plan_import(without_sam, everyone, "people.csv", disable_missing=True)
    assert [str(c) for c in plan.changes] == ["disable Sam Lee (sam@example.com): not in the file"]


def test_bom_crlf_and_quoted_commas_are_read(tmp_path: Path) -> None:
    text = (HEADER + 'e1,"Nair, Priya",,,,"Coordinator, incidents"\n').replace("\n", "\r\n")
    (person,) = _people(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (person.login, person.name, person.title) == (
        "e1",
        "Nair, Priya",
        "Coordinator, incidents",
    )


def test_latin1_is_refused_with_its_line_and_the_fix(tmp_path: Path) -> None:
    text = HEADER.encode() + b"e1,Priya Nair,,,,\ne2,Ren\xe9e Blanc,,,,\n"
    assert _refused(tmp_path, text) == [
        ':3: is not UTF-8 text (a spreadsheet saved it in another encoding); save it as "CSV'
        ' UTF-8" and import it again'
    ]


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (",Priya Nair,,,,\n", ":2: id is empty; give the person's login"),
        (
            "priya,Priya Nair,,,,\nPRIYA,Priya N,,,,\n",
            ":3: id 'PRIYA' is also on line 2 (ids that differ only in case or Unicode form are"
            " one id); give each person one row",
        ),
        (
            "\uff50\uff52\uff49\uff59\uff41,Priya Nair,,,,\npriya,Priya N,,,,\n",
            ":3: id 'priya' is also on line 2 (ids that differ only in case or Unicode form are"
            " one id); give each person one row",
        ),
        ("e1,Priya,,,e1,\n", ":2: 'e1' is their own manager; leave manager empty"),
        (
            'e1,=HYPERLINK("x"),,,,\n',
            ":2: name '=HYPERLINK(\"x\")' would be a formula in a spreadsheet; give plain text",
        ),
        ("e1,Priya,,boss,,\n", ":2: role 'boss' is not one of practitioner, manager, hr, admin"),
        ("e1,Priya,not-an-address,,,\n", ":2: email 'not-an-address' is not an address"),
        ("e1,,,,,\n", ":2: name is empty for id 'e1'"),
        (
            "e1,Priya,,,nobody,\n",
            ":2: manager 'nobody' of 'e1' is neither in the file nor an account; add a row for"
            " them",
        ),
        (
            "e1,Priya,,,e2,\ne2,Sam,,,,\n",
            ":2: manager 'e2' of 'e1' has the role practitioner; give them the role manager to"
            " review their reports",
        ),
        (
            "e1,Ann,,manager,e3,\ne2,Bo,,manager,e1,\ne3,Cy,,manager,e2,\n",
            ":2: the reporting lines go round: e1 -> e3 -> e2 -> e1",
        ),
        (
            "e1,Ann,,,,,extra\n",
            ':2: has 7 cells, the header 6; quote a value that holds a comma ("Nair, Priya")',
        ),
    ],
)
def test_bad_rows_are_refused_with_line_and_field(tmp_path: Path, rows: str, problem: str) -> None:
    assert _refused(tmp_path, HEADER + rows) == [problem]


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    assert len(_refused(tmp_path, HEADER + ",A,,,,\ne2,,,,,\ne3,C,,chief,,\n")) == 3


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", ":1: is empty; the first line names the columns: id,name,email,role,manager,title"),
        (
            "id,name,shoe size\n",
            ":1: unknown column 'shoe size'; the columns are id, name, email, role, manager, title",
        ),
        ("name,email\n", ":1: the column 'id' is missing"),
    ],
)
def test_a_bad_header_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    assert _refused(tmp_path, text) == [problem]


def test_a_disabled_manager_is_refused(tmp_path: Path) -> None:
    boss = Person("e9", "Kim Ray", role="manager", disabled=True)
    people = _people(tmp_path, HEADER + "e1,Ann,,,e9,\n")
    with pytest.raises(InputFileError, match="manager 'e9' of 'e1' is disabled"):
        plan_import(people, [boss], "people.csv")


def test_a_folder_or_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is a folder; give the CSV file"):
        read_table(tmp_path, COLUMNS, REQUIRED)
    with pytest.raises(InputFileError, match="no such file"):
        read_table(tmp_path / "nope.csv", COLUMNS, REQUIRED)


def test_ten_thousand_people_are_checked_and_planned_in_seconds(tmp_path: Path) -> None:
    rows = ["m0,Manager Zero,,manager,,"]
    rows += [f"m{n},Manager {n},,manager,m0," for n in range(1, 100)]
    rows += [f"p{n},Person {n},p{n}@example.com,,m{n % 100},Analyst" for n in range(9_900)]
    started = time.perf_counter()
    people = _people(tmp_path, HEADER + "\n".join(rows) + "\n")
    plan = plan_import(people, [], "people.csv")
    again = plan_import(people, people, "people.csv")
    took = time.perf_counter() - started
    assert plan.count("add") == 10_000 and again.changes == ()
    assert took < 5, f"{took:.1f} s"
