"""Drafts saved as the practitioner types (web/drafts.py, store/drafts.py): kept per person and
skill, handed back when she starts that skill again (or discarded), dropped once saved for real;
problems shown once a field was left, and every problem at the top of a refused form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from sfia_assess.store import open_store, reading, writing
from sfia_assess.store.drafts import draft_of, drafts_of, drop_draft, keep_draft
from sfia_assess.web.app import create_app

from .forms import form_of
from .seeding import EVERY_ROLE, add_users, signed_in

START = {"skill_version": "USUP:9", "name": "Sam Lee", "assessed_on": "2026-10-01"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(f"sqlite:///{tmp_path / 'store.db'}")) as test_client:
        yield test_client


def _posted(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


def test_a_draft_is_kept_per_person_and_skill_replaced_and_dropped(store_url: str) -> None:
    with open_store(store_url) as engine:
        writing(engine, lambda s: keep_draft(s, "sam lee", "USUP", b"a=1", 10.0))
        writing(engine, lambda s: keep_draft(s, "sam lee", "USUP", b"a=2", 20.0))
        writing(engine, lambda s: keep_draft(s, "sam lee", "ITMG", b"b=1", 15.0))
        writing(engine, lambda s: keep_draft(s, "kim ray", "USUP", b"c=1", 30.0))
        with reading(engine) as session:
            found = draft_of(session, "sam lee", "USUP")
            assert found is not None and (found.content, found.saved_at) == (b"a=2", 20.0)
            assert [d.skill for d in drafts_of(session, "sam lee")] == ["USUP", "ITMG"]
        writing(engine, lambda s: drop_draft(s, "sam lee", "USUP"))
        writing(engine, lambda s: drop_draft(s, "sam lee", "USUP"))  # none left: no error
        with reading(engine) as session:
            assert draft_of(session, "sam lee", "USUP") is None
            assert draft_of(session, "kim ray", "USUP") is not None


def test_a_draft_saved_as_she_types_comes_back_when_she_starts_again(
    client: TestClient,
) -> None:
    fields = form_of("sam-lee-analyst.yaml")
    saved = client.post(
        "/assessment/draft",
        content=_posted(fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert saved.status_code == 200
    assert saved.json()["saved_at"] > 0
    home = client.get("/")
    assert "Carry on where you left off" in home.text
    assert "Your draft of USUP, SFIA 9 (Sam Lee)" in home.text
    page = client.post("/assessment/start", data=START)
    assert page.status_code == 200
    assert re.search(r"Your draft from <time datetime=\"[0-9T:+-]+\" data-local>", page.text)
    summary = fields["evidence-0-summary"]
    assert summary.split()[0] in page.text
    assert 'value="USUP-2.1" checked' in page.text
    # Discarded: the fresh form, and nothing kept any more.
    fresh = client.post("/assessment/start", data={**START, "discard": "1"})
    assert "Your draft was discarded." in fresh.text
    assert 'value="USUP-2.1" checked' not in fresh.text
    assert "Carry on where you left off" not in client.get("/").text


def test_saving_for_real_drops_the_draft(client: TestClient) -> None:
    fields = form_of("sam-lee-analyst.yaml")
    headers = {"content-type": "application/x-www-form-urlencoded"}
    client.post("/assessment/draft", content=_posted(fields), headers=headers)
    saved = client.post("/assessment/save", data=fields, follow_redirects=True)
    assert saved.status_code == 200
    assert 'data-draft-dropped="USUP:9"' in saved.text
    assert "Carry on where you left off" not in client.get("/").text


def test_a_draft_for_no_known_skill_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/assessment/draft",
        content=b"skill=NOPE&sfia_version=9",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 400


def test_in_a_shared_deployment_drafts_are_each_persons_own(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(db_url, EVERY_ROLE)
    fields = form_of("sam-lee-analyst.yaml")
    sam = signed_in(db_url, "Sam Lee")
    priya = signed_in(db_url, "Priya Nair")
    try:
        token = sam.cookies["sfia_csrf"]
        refused = sam.post("/assessment/draft", data=fields)
        assert refused.status_code == 403  # no CSRF token
        kept = sam.post("/assessment/draft", data={**fields, "csrf_token": token})
        assert kept.status_code == 200
        assert "Carry on where you left off" in sam.get("/").text
        assert "Carry on where you left off" not in priya.get("/").text
    finally:
        sam.__exit__(None, None, None)
        priya.__exit__(None, None, None)
    # Signed out (a session that ended): refused, and the page's script keeps its copy.
    with TestClient(create_app(db_url, shared=True), follow_redirects=False) as nobody:
        assert nobody.post("/assessment/draft", data=fields).status_code == 401
    with open_store(db_url) as engine, reading(engine) as session:
        found = draft_of(session, "sam lee", "USUP:9")
        assert found is not None and b"csrf_token" not in found.content


def test_problems_show_once_a_field_was_left_and_all_of_them_when_refused(
    client: TestClient,
) -> None:
    fields = {
        **form_of("sam-lee-analyst.yaml"),
        "evidence_count": "1",
        "evidence-0-id": "e1",
        "evidence-0-summary": "",
        "touched": "",
    }
    live = client.post("/assessment/check", data=fields)
    assert "summary is missing" not in live.text
    # The result stays in view, without the item being written.
    assert 'id="recommended-level"' in live.text
    left = client.post("/assessment/check", data={**fields, "touched": "evidence-0-summary"})
    assert "evidence e1 summary is missing; add it" in left.text
    assert 'href="#evidence-0-summary"' in left.text
    refused = client.post("/assessment/save", data=fields)
    assert refused.status_code == 422
    top = refused.text.index('id="error-summary"')
    assert top < refused.text.index('id="assessment"')
    assert '<a href="#evidence-0-summary">evidence e1 summary is missing; add it</a>' in (
        refused.text
    )


def test_a_submission_without_a_manager_says_so_at_the_top(client: TestClient) -> None:
    fields = form_of("sam-lee-analyst.yaml")
    refused = client.post("/assessment/submit", data=fields)
    assert refused.status_code == 422
    summary = refused.text[refused.text.index('id="error-summary"') :]
    assert '<a href="#f-manager">give your manager' in summary


def test_the_generic_attributes_are_written_as_the_cli_reads_them(client: TestClient) -> None:
    fields = {**form_of("sam-lee-analyst.yaml"), "attribute-AUTO": "3", "attribute-INFL": "4"}
    written = client.post("/assessment/download.yaml", data=fields)
    assert written.status_code == 200
    assert written.text.endswith("responsibility:\n  AUTO: 3\n  INFL: 4\n")
    opened = client.post("/assessment/upload", files={"file": ("sam.yaml", written.content)})
    assert '<option value="3" selected>3: Works under general direction' in opened.text
    wrong = client.post("/assessment/check", data={**fields, "attribute-XXXX": "3"})
    beside = wrong.text.split('id="problems-attribute-XXXX"', 1)[1].split("</div>", 1)[0]
    assert "'XXXX' is not a generic attribute of SFIA 9" in beside.replace("&#39;", "'")


def test_drafts_of_one_skill_in_two_sfia_versions_are_kept_apart(client: TestClient) -> None:
    # Kept by skill alone, a draft of USUP in SFIA 8 overwrote the SFIA 9 one.
    nine = form_of("sam-lee-analyst.yaml")
    eight = {**nine, "sfia_version": "8", "role": "Analyst on SFIA 8"}
    for fields in (nine, eight):
        saved = client.post(
            "/assessment/draft",
            content=_posted(fields),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert saved.status_code == 200
    home = client.get("/").text
    assert "Your draft of USUP, SFIA 9 (Sam Lee)" in home
    assert "Your draft of USUP, SFIA 8 (Sam Lee)" in home
    page = client.post("/assessment/start", data=START)  # SFIA 9
    assert "Your draft from" in page.text and "Analyst on SFIA 8" not in page.text
