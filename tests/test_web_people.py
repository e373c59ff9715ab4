"""People pages over HTTP: HR lands on the dashboard; /people finds anyone by name, id, role,
manager, skill or level, a page at a time; a person's page shows their skills, levels over time,
reviews with comments, attachments (as downloads) and fit to the role kept under their title;
a manager sees their reports' pages only (everyone else's is 404), a practitioner none but
their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES
from .seeding import EVERY_ROLE, add_users, record, sign_in, signed_in

ROLE = """title: Incident Coordinator
purpose: Coordinates the response to incidents.
sfia_version: 9
skills:
  - {code: USUP, level: 4}
"""


def _store(url: str, *work: str) -> None:
    """Write rows the way another part of the app would (a role kept on the server, a
    person's id from the HR system), in one transaction."""
    from sqlalchemy import text

    from sfia_assess.store import open_store

    with open_store(url) as engine, engine.begin() as connection:
        for statement in work:
            connection.execute(text(statement))


@pytest.fixture
def team_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, *sorted(EXAMPLES.glob("*.yaml")))
    add_users(url, EVERY_ROLE)
    attached = tmp_path / "grafana-board.png"
    attached.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    args = ["attach", str(EXAMPLES / "priya-nair-coordinator.yaml"), "pn-06", str(attached)]
    result = CliRunner().invoke(cli, [*args, "--db", url])
    assert result.exit_code == 0, result.output
    _store(
        url,
        # Someone the HR system knows by their employee number, with nothing recorded yet.
        "INSERT INTO people (name, key, login, created_at)"
        " VALUES ('Lee Wong', 'e1042', 'E1042', '2026-11-01 00:00:00')",
        "INSERT INTO roles (key, version, title, content, retired, recorded_by, recorded_at)"
        f" VALUES ('incident-coordinator', 1, 'Incident Coordinator', '{ROLE}', false,"
        " 'Hana Reid', '2026-11-01 00:00:00')",
    )
    return url


@pytest.fixture
def hr(team_url: str) -> Iterator[TestClient]:
    client = signed_in(team_url, "Hana Reid")
    yield client
    client.__exit__(None, None, None)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/people/\d+">([^<]+)</a>', html)


def person_id(client: TestClient, name: str) -> str:
    found = re.search(rf'href="/people/(\d+)">{re.escape(name)}<', client.get("/people").text)
    assert found, name
    return found.group(1)


@pytest.mark.parametrize(("name", "lands"), [("Hana Reid", "/hr"), ("Ada Admin", "/hr")])
def test_hr_and_admin_land_on_the_dashboard(team_url: str, name: str, lands: str) -> None:
    with TestClient(create_app(team_url, shared=True), follow_redirects=False) as client:
        assert sign_in(client, name) == 303
        assert client.cookies.get("sfia_session")
    from .seeding import login_token

    for who, where in ((name, lands), ("Priya Nair", "/"), ("Daniel Okafor", "/")):
        with TestClient(create_app(team_url, shared=True), follow_redirects=False) as client:
            data = {"name": who, "password": "correct horse battery"}
            data["csrf_token"] = login_token(client)
            answer = client.post("/login", data=data)
            assert answer.status_code == 303 and answer.headers["location"] == where, who


def test_people_are_found_by_name_id_role_manager_skill_and_level(hr: TestClient) -> None:
    everyone = hr.get("/people")
    assert everyone.status_code == 200
    assert names(everyone.text) == ["Alex Kim", "Jordan Park", "Lee Wong", "Morgan Ellis",
                                    "Priya Nair", "Sam Lee"]  # fmt: skip
    assert names(hr.get("/people", params={"q": "PRIYA"}).text) == ["Priya Nair"]
    by_id = hr.get("/people", params={"q": "e1042"}).text
    assert names(by_id) == ["Lee Wong"] and "Lee Wong E1042 — — none recorded" in text_of(by_id)
    coordinator = hr.get("/people", params={"role": "incident coord"}).text
    assert names(coordinator) == ["Priya Nair"]
    assert names(hr.get("/people", params={"manager": "okafor"}).text) == ["Priya Nair"]
    assert names(hr.get("/people", params={"skill": "usup", "level": "3"}).text) == ["Priya Nair"]
    nobody = hr.get("/people", params={"q": "nobody at all"}).text
    assert names(nobody) == [] and "0 of 6 people match." in text_of(nobody)


def test_the_people_list_is_paged(tmp_path: Path) -> None:
    from .data.make_team import make_team

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, *make_team(tmp_path / "team", people=60, seed=3))
    with TestClient(create_app(url)) as local:
        first = local.get("/people").text
        assert len(names(first)) == 50
        assert "Showing 1&ndash;50 of 60. Page 1 of 2." in first
        assert 'href="/people?page=2" rel="next"' in first
        second = local.get("/people", params={"page": "2"}).text
        assert len(names(second)) == 10 and not set(names(first)) & set(names(second))
        found = local.get("/people", params={"skill": "USUP", "page": "2"}).text
        assert 'href="/people?skill=USUP" rel="prev"' in found


def test_a_person_page_has_skills_levels_reviews_attachments_and_fit(hr: TestClient) -> None:
    page = hr.get(f"/people/{person_id(hr, 'Priya Nair')}")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Priya Nair Id — Role Incident Coordinator Manager Daniel Okafor" in shown
    assert re.search(r"USUP, SFIA 9 2026-09-15 4 3 Daniel Okafor", shown), shown
    assert page.text.count('role="img"') == 1 and "Assessed on</text>" in page.text
    assert ">Level</text>" in page.text
    # The review, with the manager's comment on USUP-4.3.
    assert "reviewed by Daniel Okafor" in shown and "agreed level 3" in shown
    assert "trends are not yet part of her weekly routine" in shown
    review = re.search(r'href="(/manager/review/\d+/signed)"', page.text)
    assert review and hr.get(review.group(1)).status_code == 200
    # The attachment, as a download.
    link = re.search(r'href="(/assessments/\d+/files/\d+)" download>grafana-board.png', page.text)
    assert link is not None
    got = hr.get(link.group(1))
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    assert got.headers["content-disposition"].startswith("attachment;")
    # Fit to the role kept on the server under her title, at the agreed level (3, not her 4).
    assert "Priya Nair against Incident Coordinator" in shown
    # On to where she can go from here (the career pages), which HR may open too.
    career = re.search(r'href="(/career/[^"]+)">Where Priya Nair can go from here', page.text)
    assert career is not None and hr.get(career.group(1)).status_code == 200
    assert "0 of 1 skill met" in shown
    assert re.search(r"Incident management \(USUP\) 4 3 agreed with Daniel Okafor", shown)


def test_a_person_without_a_kept_role_or_review_says_so(hr: TestClient) -> None:
    shown = text_of(hr.get(f"/people/{person_id(hr, 'Sam Lee')}").text)
    assert "No review of Sam Lee is recorded yet." in shown
    assert "No role named 'Service Desk Analyst' is kept on the server yet." in shown
    assert "No evidence files are attached" in shown


def test_a_manager_sees_only_their_reports(team_url: str, hr: TestClient) -> None:
    ids = {name: person_id(hr, name) for name in ("Priya Nair", "Sam Lee", "Jordan Park")}
    client = signed_in(team_url, "Daniel Okafor")
    try:
        listed = client.get("/people")
        assert listed.status_code == 200 and names(listed.text) == ["Priya Nair"]
        assert client.get(f"/people/{ids['Priya Nair']}").status_code == 200
        assert client.get(f"/people/{ids['Sam Lee']}").status_code == 404
        assert client.get(f"/people/{ids['Jordan Park']}").status_code == 404
        assert client.get("/people/99999").status_code == 404
    finally:
        client.__exit__(None, None, None)
    practitioner = signed_in(team_url, "Sam Lee")
    try:
        assert practitioner.get("/people").status_code == 404
        assert practitioner.get(f"/people/{ids['Sam Lee']}").status_code == 200
        assert practitioner.get(f"/people/{ids['Priya Nair']}").status_code == 404
    finally:
        practitioner.__exit__(None, None, None)


def test_every_person_on_the_dashboard_links_to_their_page(hr: TestClient) -> None:
    page = hr.get("/hr").text
    priya = person_id(hr, "Priya Nair")
    assert f'<a href="/people/{priya}">Priya Nair</a>' in page
    assert f'href="/people/{priya}#levels-heading"' in page
    assert f'href="/people/{priya}#fit-heading"' in page
    assert 'href="/people?skill=USUP&amp;level=3"' in page
