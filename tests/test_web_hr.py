"""HR pages over HTTP: the team dashboard (agreed levels, filters), progress by quarter, the CSV
and XLSX downloads, role profiles and pathways (HTML and PDF), migrating a stored SFIA 8 record;
who may open them (hr and admin; everyone else 404; anyone in single-user mode)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.web.app import create_app
from sfia_assess.web.auth import CSRF_COOKIE

from .conftest import EXAMPLES, assessment_data, evidenced
from .seeding import EVERY_ROLE, add_users, record, sign_in, signed_in

PAGES = ["/hr", "/hr/progress", "/hr/team.csv", "/hr/team.xlsx", "/hr/profile?level=4",
         "/hr/pathway", "/hr/migrate"]  # fmt: skip


@pytest.fixture
def team_url(tmp_path: Path) -> str:
    """The examples recorded (Priya reviewed by Daniel Okafor; Jordan Park in SFIA 8), and
    accounts for every role."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, *sorted(EXAMPLES.glob("*.yaml")))
    add_users(url, EVERY_ROLE)
    return url


@pytest.fixture
def hr(team_url: str) -> Iterator[TestClient]:
    client = signed_in(team_url, "Hana Reid")
    yield client
    client.__exit__(None, None, None)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_of(html: str, name: str) -> str:
    """The text of the table row that starts with `name` (the first such row)."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        shown = text_of(row)
        if shown.startswith(name):
            return shown
    raise AssertionError(f"no row for {name}")


def audit_text(url: str) -> str:
    result = CliRunner().invoke(cli, ["audit", "--db", url])
    assert result.exit_code == 0, result.output
    return result.stdout


# Who may open the pages


@pytest.mark.parametrize("name", ["Hana Reid", "Ada Admin"])
def test_hr_and_admin_open_every_hr_page(team_url: str, name: str) -> None:
    client = signed_in(team_url, name)
    try:
        for path in PAGES:
            assert client.get(path).status_code == 200, path
    finally:
        client.__exit__(None, None, None)


@pytest.mark.parametrize("name", ["Priya Nair", "Daniel Okafor"])
def test_practitioners_and_managers_get_404_for_every_hr_page(team_url: str, name: str) -> None:
    client = signed_in(team_url, name)
    try:
        for path in [*PAGES, "/hr/profile.pdf?level=4", "/hr/pathway.pdf"]:
            response = client.get(path)
            assert response.status_code == 404, path
            shown = response.text.split("<main", 1)[-1].split("</main>", 1)[
                0
            ]  # the footer names the viewer
            assert "Priya" not in shown and "Jordan" not in shown
        token = client.cookies[CSRF_COOKIE]
        assert client.post("/hr/migrate/2", data={"csrf_token": token}).status_code == 404
    finally:
        client.__exit__(None, None, None)
    assert "exported" not in audit_text(team_url)


def test_single_user_mode_opens_the_hr_pages_as_the_cli_does(team_url: str) -> None:
    with TestClient(create_app(team_url), follow_redirects=False) as local:
        for path in PAGES:
            assert local.get(path).status_code == 200, path


def test_signed_out_the_hr_pages_ask_for_sign_in(team_url: str) -> None:
    with TestClient(create_app(team_url, shared=True), follow_redirects=False) as client:
        assert client.get("/hr").headers["location"] == "/login"
        assert client.get("/hr/team.csv").status_code == 303


# The dashboard


def test_dashboard_shows_agreed_levels_and_marks_self_assessed_ones(hr: TestClient) -> None:
    page = hr.get("/hr").text
    # Priya: self 4, agreed 3 with Daniel Okafor (the review in the store).
    assert row_of(page, "Priya Nair").startswith(
        "Priya Nair Incident Coordinator 3 agreed with Daniel Okafor; self 4"
    )
    # No review: the self-assessed level, marked so.
    assert row_of(page, "Sam Lee").startswith("Sam Lee Service Desk Analyst 2 self")
    assert row_of(page, "Alex Kim").startswith("Alex Kim Service Desk Analyst none self")
    shown = text_of(page)
    assert "Incident management (USUP), SFIA 9: 5 people" in shown
    # Versions are never mixed silently.
    assert "Not every record is in SFIA 9: Jordan Park (SFIA 8)" in shown
    assert row_of(page, "Jordan Park SFIA 8").startswith("Jordan Park SFIA 8")
    # The heatmap says "reached" in words, not by colour alone.
    assert '&#10003; 100%<span class="visually-hidden"> reached</span>' in page
    assert "Level distribution" in shown and "Level 3" in shown
    assert "Gaps most of the team shares" in shown


def test_dashboard_filters_by_manager_account_and_by_reviewer(hr: TestClient) -> None:
    # Sam Lee's account names Morgan Ellis as manager.
    page = text_of(hr.get("/hr", params={"manager": "Morgan Ellis"}).text)
    assert "SFIA 9: 1 person" in page and "Sam Lee" in page and "Priya Nair" not in page
    page = text_of(hr.get("/hr", params={"manager": "daniel  okafor"}).text)
    assert "SFIA 9: 1 person" in page and "Priya Nair" in page and "Sam Lee" not in page
    assert "the reports of Daniel Okafor" in page


def test_dashboard_filters_by_role_and_says_when_nobody_matches(hr: TestClient) -> None:
    page = hr.get("/hr", params={"role": "Service Desk Analyst"}).text
    shown = text_of(page)
    assert "SFIA 9: 2 people" in shown
    assert "Sam Lee" in shown and "Alex Kim" in shown and "Priya Nair" not in shown
    assert '<option value="Service Desk Analyst" selected>' in page
    both = hr.get("/hr", params={"role": "Service Desk Analyst", "manager": "Daniel Okafor"})
    assert both.status_code == 200
    assert "No one recorded matches these filters." in both.text


def test_dashboard_of_an_empty_store_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with TestClient(create_app(url)) as local:
        response = local.get("/hr")
        assert response.status_code == 200
        assert "No assessments are recorded yet." in response.text
        assert local.get("/hr/team.csv").status_code == 404
        assert "No assessments are recorded yet." in local.get("/hr/progress").text


# Progress by quarter


def test_progress_shows_each_persons_level_at_each_quarters_end(hr: TestClient) -> None:
    page = hr.get("/hr/progress").text
    shown = text_of(page)
    assert "2026 Q1" in shown and "2026 Q4" in shown and "2025 Q4" not in shown
    # Priya self-assessed in Q3 (4, no review yet), reviewed in Q4 (agreed 3).
    assert row_of(page, "Priya Nair") == "Priya Nair not assessed not assessed 4 self 3"
    # Jordan Park's SFIA 8 record from March counts from Q1, marked with its version.
    assert row_of(page, "Jordan Park") == (
        "Jordan Park 4 self SFIA 8 4 self SFIA 8 4 self SFIA 8 4 self SFIA 8"
    )
    assert "<svg" in page and 'role="img"' in page
    assert "L4: 1" in shown


def test_progress_filters_like_the_dashboard(hr: TestClient) -> None:
    page = hr.get("/hr/progress", params={"manager": "Daniel Okafor"}).text
    assert "Priya Nair" in page and "Jordan Park" not in page and "Sam Lee" not in page
    page = hr.get("/hr/progress", params={"role": "Nobody Has This Role"}).text
    assert "No one recorded matches these filters." in page


# Downloads


def test_csv_download_is_the_filtered_team_and_is_audited(hr: TestClient, team_url: str) -> None:
    response = hr.get("/hr/team.csv", params={"role": "Service Desk Analyst"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0].startswith("person,role,manager,skill,sfia_version,level,level_basis")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["Alex Kim", "Sam Lee"]
    sam = next(line for line in lines if line.startswith("Sam Lee"))
    assert sam.startswith("Sam Lee,Service Desk Analyst,Morgan Ellis,USUP,9,2,self")
    everyone = hr.get("/hr/team.csv").text
    priya = next(line for line in everyone.splitlines() if line.startswith("Priya"))
    assert priya.startswith("Priya Nair,Incident Coordinator,Daniel Okafor,USUP,9,3,agreed,4,3")
    log = audit_text(team_url)
    assert "Hana Reid  exported  /hr/team.csv?role=Service+Desk+Analyst" in log
    assert "Hana Reid  exported  /hr/team.csv  from" in log


def test_xlsx_download_reads_back_with_the_same_rows(hr: TestClient, team_url: str) -> None:
    from openpyxl import load_workbook

    response = hr.get("/hr/team.xlsx", params={"manager": "Daniel Okafor"})
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:7] == ["person", "role", "manager", "skill", "sfia_version", "level",
                           "level_basis"]  # fmt: skip
    assert rows[1][:9] == ["Priya Nair", "Incident Coordinator", "Daniel Okafor", "USUP", 9, 3,
                           "agreed", 4, 3]  # fmt: skip
    assert len(rows) == 2
    assert "Hana Reid  exported  /hr/team.xlsx?manager=Daniel+Okafor" in audit_text(team_url)


def test_downloads_never_hold_a_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    hostile = assessment_data(
        **evidenced(["USUP-2.1"]),
        subject={"name": "@SUM(1+1) Evil", "role": '=HYPERLINK("http://x","y")'},
        assessor={"name": "@SUM(1+1) Evil", "relation": "self"},
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(hostile, sort_keys=False), encoding="utf-8")
    record(url, path)
    with TestClient(create_app(url)) as local:
        rows = list(csv.reader(io.StringIO(local.get("/hr/team.csv").text)))
        assert rows[1][:2] == ["'@SUM(1+1) Evil", '\'=HYPERLINK("http://x","y")']
        book = load_workbook(io.BytesIO(local.get("/hr/team.xlsx").content))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert "'@SUM(1+1) Evil" in values and '\'=HYPERLINK("http://x","y")' in values


# Role profiles and pathways


def test_profile_page_shows_the_levels_statements_word_for_word(
    hr: TestClient, catalog: object
) -> None:
    from sfia_assess.core.catalog import Catalog

    assert isinstance(catalog, Catalog)
    response = hr.get("/hr/profile", params={"level": "4", "title": "Incident Coordinator"})
    assert response.status_code == 200
    shown = text_of(response.text)
    assert "<h1>Incident Coordinator</h1>" in response.text
    for statement in catalog.skill("USUP", 9).level(4).statements:
        assert text_of(statement.text) in shown
    assert 'href="/hr/profile.pdf?code=USUP&amp;level=4&amp;title=Incident+Coordinator"' in (
        response.text
    )


def test_profile_page_without_a_level_asks_for_one_and_a_bad_level_is_one_sentence(
    hr: TestClient,
) -> None:
    assert "Choose a skill and the level the role needs" in hr.get("/hr/profile").text
    bad = hr.get("/hr/profile", params={"level": "eight"})
    assert bad.status_code == 422
    assert "the level must be a number from 1 to 7, not &#39;eight&#39;" in bad.text
    unknown = hr.get("/hr/pathway", params={"code": "NOPE"})
    assert unknown.status_code == 422 and "there is no skill &#39;NOPE&#39;" in unknown.text
    assert hr.get("/hr/profile.pdf").status_code == 400


def test_pathway_page_shows_every_level_and_what_changes(hr: TestClient) -> None:
    response = hr.get("/hr/pathway", params={"code": "USUP", "version": "9"})
    assert response.status_code == 200
    shown = text_of(response.text)
    assert "Career pathway: Incident management (USUP)" in shown
    assert "What changes from level 2" in shown


def test_profile_and_pathway_pdfs_come_from_the_pool_and_are_audited(
    hr: TestClient, team_url: str
) -> None:
    from pypdf import PdfReader

    profile = hr.get("/hr/profile.pdf", params={"level": "4", "title": "Incident Coordinator"})
    assert profile.status_code == 200 and profile.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(profile.content)).pages)
    assert "Incident Coordinator" in text and "Level of responsibility 4" in text
    pathway = hr.get("/hr/pathway.pdf", params={"code": "USUP"})
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pathway.content)).pages)
    assert "Career pathway: Incident management (USUP)" in text
    log = audit_text(team_url)
    assert "exported  /hr/profile.pdf?code=USUP&level=4&title=Incident+Coordinator" in log
    assert "exported  /hr/pathway.pdf?code=USUP" in log


# Migration


def _jordan_id(client: TestClient) -> str:
    found = re.findall(r'href="/hr/migrate/(\d+)"', client.get("/hr/migrate").text)
    assert len(found) == 1
    return found[0]


def test_migrate_needs_the_csrf_token(hr: TestClient) -> None:
    assessment = _jordan_id(hr)
    assert hr.post(f"/hr/migrate/{assessment}").status_code == 403
    assert _jordan_id(hr) == assessment  # nothing changed


def test_a_migration_is_previewed_before_anything_is_stored(hr: TestClient, team_url: str) -> None:
    assessment = _jordan_id(hr)
    before = audit_text(team_url)
    preview = hr.get(f"/hr/migrate/{assessment}")
    assert preview.status_code == 200
    shown = text_of(preview.text)
    assert "Move Jordan Park to SFIA 9?" in shown and "Nothing is stored yet." in shown
    assert "USUP 4 — 3 Own level goes from 4 to 3" in shown
    assert "USUP-3.2 usually USUP-4.3 (SFIA 8), USUP-5.2 (SFIA 8)" in shown
    assert "15 ratings become 13; 11 evidence items become 11." in shown
    assert "combines USUP-4.3 usually, USUP-5.2 usually (SFIA 8)" in shown
    assert f'action="/hr/migrate/{assessment}"' in preview.text
    # Nothing stored: still offered, no new record, nothing changed in the log.
    assert _jordan_id(hr) == assessment
    assert "changed" not in audit_text(team_url).replace(before, "")
    history = CliRunner().invoke(cli, ["history", "Jordan Park", "--db", team_url]).stdout
    assert "SFIA 9" not in history
    # Confirmed: stored.
    token = hr.cookies[CSRF_COOKIE]
    done = hr.post(f"/hr/migrate/{assessment}", data={"csrf_token": token})
    assert done.status_code == 200 and "Jordan Park: USUP moved from SFIA 8 to SFIA 9" in done.text


def test_migrating_stores_a_new_sfia_9_record_with_a_trail_and_audit(
    hr: TestClient, team_url: str
) -> None:
    assessment = _jordan_id(hr)
    token = hr.cookies[CSRF_COOKIE]
    response = hr.post(f"/hr/migrate/{assessment}", data={"csrf_token": token})
    assert response.status_code == 200
    shown = text_of(response.text)
    # What changed, in plain words (not the CLI's "8 -> 9: 15 ratings -> 13").
    assert "Jordan Park: USUP moved from SFIA 8 to SFIA 9" in shown
    assert "15 ratings became 13" in shown
    assert "USUP-3.2 (SFIA 9) combines USUP-4.3 usually, USUP-5.2 usually (SFIA 8)" in shown
    assert "Every latest self-assessment is in its skill's newest SFIA version." in shown
    history = CliRunner().invoke(cli, ["history", "Jordan Park", "--db", team_url]).stdout
    assert re.search(r"2026-03-10\s+USUP SFIA 9\s+v1\s+3\s.*migrated", history)
    assert re.search(r"2026-03-10\s+USUP SFIA 8\s+v1\s+4\s.*recorded", history)
    new_id = re.search(r'href="/assessments/(\d+)"', response.text)
    assert new_id is not None
    opened = hr.get(f"/assessments/{new_id.group(1)}")
    assert opened.status_code == 200 and "Jordan Park" in opened.text
    assert f"Hana Reid  changed  /assessments/{new_id.group(1)} (migrated from {assessment})" in (
        audit_text(team_url)
    )
    # The dashboard now shows Jordan in SFIA 9, and nothing mixed.
    page = hr.get("/hr").text
    assert "Not every record is in SFIA 9" not in page
    assert row_of(page, "Jordan Park").startswith("Jordan Park Senior Service Desk Analyst 3 self")
    # Again: nothing new.
    again = hr.post(f"/hr/migrate/{assessment}", data={"csrf_token": token})
    assert again.status_code == 200 and "recorded before; nothing new was added" in again.text


def test_the_migrated_record_counts_over_the_old_one_whatever_its_file_name(
    tmp_path: Path,
) -> None:
    # jordan.yaml -> jordan-sfia9.yaml, which sorts before the old name: the newer SFIA
    # version of the same date must count, not the name that sorts last.
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    old = tmp_path / "jordan.yaml"
    shutil.copy(EXAMPLES / "jordan-park-sfia8.yaml", old)
    record(url, old)
    with TestClient(create_app(url)) as local:
        assessment = _jordan_id(local)
        assert local.post(f"/hr/migrate/{assessment}").status_code == 200
        page = local.get("/hr").text
    assert "Incident management (USUP), SFIA 9: 1 person" in text_of(page)
    assert "Not every record is in SFIA 9" not in page


def test_migrating_a_record_already_in_the_newest_version_is_one_sentence(
    hr: TestClient,
) -> None:
    token = hr.cookies[CSRF_COOKIE]
    page = hr.get("/hr/migrate").text
    assert "Move Jordan Park to SFIA 9" in page and "Move Priya" not in page
    response = hr.post("/hr/migrate/1", data={"csrf_token": token})  # Alex Kim, SFIA 9
    assert response.status_code == 422
    assert "alex-kim-overrated.yaml is already SFIA 9; nothing to migrate" in response.text
    missing = hr.post("/hr/migrate/999", data={"csrf_token": token})
    assert missing.status_code == 422 and "no recorded assessment has the id 999" in missing.text


def test_dashboard_progress_downloads_and_migration_on_sqlite_and_postgresql(
    store_url: str,
) -> None:
    record(store_url, *sorted(EXAMPLES.glob("*.yaml")))
    with TestClient(create_app(store_url)) as local:
        page = local.get("/hr", params={"manager": "Daniel Okafor"}).text
        assert row_of(page, "Priya Nair").startswith("Priya Nair Incident Coordinator 3 agreed")
        progress = local.get("/hr/progress").text
        assert row_of(progress, "Priya Nair") == "Priya Nair not assessed not assessed 4 self 3"
        lines = local.get("/hr/team.csv").text.splitlines()
        assert len(lines) == 6
        assessment = _jordan_id(local)
        assert local.post(f"/hr/migrate/{assessment}").status_code == 200
        page = local.get("/hr").text
    assert row_of(page, "Jordan Park").startswith("Jordan Park Senior Service Desk Analyst 3 self")


def test_a_migrated_record_can_be_submitted_for_review(tmp_path: Path) -> None:
    from sfia_assess.core.catalog import Catalog
    from sfia_assess.core.policy import default_policy
    from sfia_assess.store.database import open_engine, writing
    from sfia_assess.store.migrating import migrate_record
    from sfia_assess.store.workflow import status, submit

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, EXAMPLES / "jordan-park-sfia8.yaml")
    engine = open_engine(url)
    try:
        done = writing(
            engine,
            lambda s: migrate_record(s, 1, Catalog.default(), default_policy(), actor="Hana"),
        )
        writing(
            engine,
            lambda s: submit(s, done.new_id, actor="Jordan Park", manager="Daniel Okafor"),
        )
        assert writing(engine, lambda s: status(s, done.new_id)) == "submitted"
    finally:
        engine.dispose()


def test_a_store_that_cannot_be_opened_is_one_sentence_on_each_hr_page(tmp_path: Path) -> None:
    with TestClient(create_app(f"sqlite:///{tmp_path / 'missing' / 'store.db'}")) as local:
        for path in ["/hr", "/hr/progress", "/hr/team.csv", "/hr/migrate"]:
            response = local.get(path)
            assert response.status_code == 500, path
            assert "<h1>The history store cannot be read</h1>" in response.text, path
            assert "does not exist; create it first" in response.text, path


def test_a_shared_server_scores_everyone_after_start_so_hrs_first_page_need_not(
    team_url: str,
) -> None:
    # At 5,000 people the first dashboard of a process took 20-85 s scoring everyone: `serve`
    # (serving.make_app) now does it in a thread once it has started.
    app = create_app(team_url, shared=True, warm_scores=True)
    with TestClient(app, follow_redirects=False) as client:
        app.state.warming.join(30)
        kept = app.state.services.scores()
        scored = len(kept)
        assert scored == 6  # every recorded self-assessment's score, before anyone asked
        assert sign_in(client, "Hana Reid") == 303
        assert row_of(client.get("/hr").text, "Priya Nair").startswith("Priya Nair Incident")
        assert len(kept) == scored  # the dashboard scored nobody again


def test_a_warm_up_on_an_out_of_date_store_only_logs_a_sentence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from sfia_assess.web.warming import warm_in_background

    folder = tmp_path / "not-a-store.sqlite3"
    folder.mkdir()  # a folder where the store should be: it cannot be opened
    app = create_app(f"sqlite:///{folder}", shared=True)
    with caplog.at_level("INFO", logger="sfia_assess.web"):
        warm_in_background(app.state.services, delay=0).join(30)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert caplog.records[0].getMessage().startswith("HR's pages were not warmed: ")
    assert "Traceback" not in caplog.text
