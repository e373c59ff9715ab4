"""The career pages over HTTP in a shared deployment: who may open whose "where can I go" (the
person, their manager, HR; anyone else gets the 404 page), /career leads to one's own, and
"who is ready" ranks by agreed levels from the scores the team view keeps."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli
from sfia_assess.web.auth import CSRF_COOKIE

from .careers import ACCOUNTS, SKILLS, write_people
from .seeding import add_users, record, signed_in


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SFIA_ASSESS_SKILLS_DIR", str(SKILLS))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(url, ACCOUNTS)
    record(url, *write_people(tmp_path / "people"))
    roles = Path(__file__).parent.parent / "examples" / "roles"
    result = CliRunner().invoke(cli, ["roles", "import", str(roles), "--db", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.parametrize(
    ("viewer", "person", "status"),
    [
        ("Ana Diaz", "ana%20diaz", 200),
        ("Ana Diaz", "ben%20okoro", 404),
        ("Dana Boss", "ana%20diaz", 200),
        ("Lee Ward", "ana%20diaz", 404),
        ("Lee Ward", "cy%20marsh", 200),
        ("Hana Reid", "cy%20marsh", 200),
        ("Hana Reid", "nobody%20here", 404),
    ],
)
def test_where_can_i_go_is_for_the_person_their_manager_and_hr(
    db_url: str, viewer: str, person: str, status: int
) -> None:
    client = signed_in(db_url, viewer)
    try:
        assert client.get(f"/career/{person}").status_code == status
        assert client.get(f"/career/{person}/map").status_code == status
    finally:
        client.__exit__(None, None, None)


def test_career_leads_to_ones_own_page_and_roles_are_for_hr(db_url: str) -> None:
    client = signed_in(db_url, "Cy Marsh")
    try:
        answer = client.get("/career")
        assert answer.status_code == 303 and answer.headers["location"] == "/career/cy%20marsh"
        page = client.get("/career/cy%20marsh").text
        # Nearest first: the Incident Coordinator (USUP 4 met, MICO 3 met) is met; the Major
        # Incident Manager is the one to grow into.
        assert "Roles you already meet" in page and "Incident Coordinator (USUP level 4" in page
        assert "<strong>Major Incident Manager</strong>: 0 of 2 skills met" in page
        assert client.get("/hr/roles").status_code == 404
        assert client.get("/hr/roles/major-incident-manager/ready").status_code == 404
    finally:
        client.__exit__(None, None, None)


def test_who_is_ready_ranks_by_agreed_levels_and_says_why(db_url: str) -> None:
    client = signed_in(db_url, "Hana Reid")
    try:
        page = client.get("/hr/roles/incident-coordinator/ready").text
        # USUP 4 and MICO 3: Ben (4, 4 agreed) and Cy (4 agreed, 3 own) meet it; Ana's own
        # levels (5, 5) would, her agreed ones (3, 3) do not.
        order = [page.index(name) for name in ("Ben Okoro", "Cy Marsh", "Ana Diaz")]
        assert order == sorted(order)
        assert "<strong>2 of 3</strong> people meet" in page
        assert "USUP-4.1" in page
        team = client.get("/hr/roles/incident-coordinator/ready?manager=lee%20ward").text
        assert "Cy Marsh" in team and "Ben Okoro" not in team and "Ana Diaz" not in team
        assert client.get("/hr/roles/no-such-role/ready").status_code == 404
    finally:
        client.__exit__(None, None, None)


def test_hr_forms_problems_more_rows_and_pdfs_of_a_role_with_two_skills(db_url: str) -> None:
    client = signed_in(db_url, "Hana Reid")
    try:
        token = client.cookies[CSRF_COOKIE]
        form = {"title": "Duty Lead", "purpose": "", "sfia_version": "9", "csrf_token": token}
        more = client.post(
            "/hr/roles/new",
            data={**form, "code": ["USUP", ""], "level": ["4", ""], "action": "more"},
        )
        assert more.status_code == 200 and 'id="code-3"' in more.text
        wrong = client.post(
            "/hr/roles/new",
            data={**form, "code": ["USUP", "USUP", ""], "level": ["4", "5", ""], "action": "save"},
        )
        assert wrong.status_code == 422
        assert "USUP is given twice; give each skill once, at one level" in wrong.text
        taken = client.post(
            "/hr/roles/new",
            data={**form, "title": "Incident Coordinator", "code": "USUP", "level": "4"},
        )
        assert taken.status_code == 422 and "is kept already" in taken.text
        pdf = client.get("/hr/roles/major-incident-manager/profile.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Incident management (USUP)" in text
        assert "Major incident communication (MICO)" in text
        pathways = client.get("/hr/roles/major-incident-manager/pathway.pdf")
        assert pathways.status_code == 200 and pathways.content.startswith(b"%PDF")
    finally:
        client.__exit__(None, None, None)
