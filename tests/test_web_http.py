"""The pages driven over HTTP (no browser): the mistakes a person can make there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sfia_assess.web.app import create_app

from .conftest import EXAMPLES
from .forms import form_of


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    """The app on a fresh store: an SQLite file, then a database on a real PostgreSQL server."""
    with TestClient(create_app(store_url)) as test_client:
        yield test_client


def test_submit_needs_the_managers_name_beside_its_field(client: TestClient) -> None:
    response = client.post("/assessment/submit", data=form_of("sam-lee-analyst.yaml"))
    assert response.status_code == 422
    assert "give your manager&#39;s name: the assessment goes to them" in response.text
    assert client.get("/manager").text.count("Review ") == 0


def test_submitting_the_same_version_twice_says_what_to_do(client: TestClient) -> None:
    form = {**form_of("sam-lee-analyst.yaml"), "manager": "Kim Ray"}
    assert client.post("/assessment/submit", data=form).status_code == 200
    again = client.post("/assessment/submit", data=form)
    assert again.status_code == 422
    assert "is already waiting for Kim Ray&#39;s review; withdraw it to send it again" in again.text
    queue = client.get("/manager?manager=kim ray")
    assert queue.text.count(">Review Sam Lee<") == 1
    assert client.get("/manager?manager=Someone Else").text.count(">Review Sam Lee<") == 0


def test_saving_twice_makes_versions_and_opens_them(client: TestClient) -> None:
    form = form_of("sam-lee-analyst.yaml")
    first = client.post("/assessment/save", data=form, follow_redirects=False)
    assert first.status_code == 303
    assert client.get(first.headers["location"]).text.count("Saved as version 1.") == 1
    form["role"] = "Senior Service Desk Analyst"
    second = client.post("/assessment/save", data=form)
    assert "Saved as version 2." in second.text
    listed = client.get("/assessments", headers={"HX-Request": "true"}).text
    assert listed.count("Sam Lee") == 1 and "<td>2</td>" in listed


def test_sign_off_needs_the_reviewers_name(client: TestClient) -> None:
    form = {**form_of("priya-nair-coordinator.yaml"), "manager": "Kim Ray"}
    assert client.post("/assessment/submit", data=form).status_code == 200
    review = client.get("/manager/review/1")
    assert review.status_code == 200 and 'value="Kim Ray"' in review.text
    response = client.post(
        "/manager/review/1/sign",
        data={"assessor_name": " ", "assessed_on": "2026-10-02", "evidence_count": "0"},
    )
    assert response.status_code == 422
    assert "give your name: the review records who agreed" in response.text
    assert client.get("/manager/review/1/signed", follow_redirects=False).status_code == 303


def test_unknown_ids_are_404_pages_not_tracebacks(client: TestClient) -> None:
    for path in ("/assessments/99", "/manager/review/99", "/manager/review/99/record.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert (
            "no recorded assessment has the id 99" in response.text or "no review" in response.text
        )


def test_a_store_that_cannot_be_opened_is_one_sentence(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    with TestClient(app) as client:
        listed = client.get("/assessments")
        queue = client.get("/manager")
    assert "does not exist; create it first" in listed.text
    assert "does not exist; create it first" in queue.text


def test_a_target_level_the_skill_lacks_is_shown_beside_the_field(client: TestClient) -> None:
    form = {"skill_version": "USUP:9", "name": "Sam Lee", "assessed_on": "2026-10-01"}
    response = client.post("/assessment/start", data={**form, "target_level": "7"})
    assert response.status_code == 200
    problems = response.text.split('id="problems-target_level"', 1)[1].split("</div>", 1)[0]
    assert (
        "target_level 7 is not defined for USUP Incident management (SFIA 9); use one of"
        in problems
    )
    assert '<option value="7" selected>7 (not defined for this skill)</option>' in response.text


def test_the_live_check_answers_quickly(client: TestClient) -> None:
    import statistics
    import time

    fields = {**form_of("priya-nair-coordinator.yaml"), "target_level": "5"}
    client.post("/assessment/check", data=fields)  # the matcher is built once, on first use
    times = []
    for _ in range(10):
        began = time.perf_counter()
        response = client.post("/assessment/check", data=fields)
        times.append(time.perf_counter() - began)
        assert 'id="recommended-level">4' in response.text
    assert statistics.median(times) < 0.1, times


def test_an_upload_over_the_size_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    with TestClient(create_app(f"sqlite:///{tmp_path / 'store.db'}")) as client:
        big = b"# padding\n" * 300_000
        response = client.post("/assessment/upload", files={"file": ("big.yaml", big)})
    assert response.status_code == 422
    assert (
        f"big.yaml: is {len(big):,} bytes; files over 2,097,152 bytes are refused" in response.text
    )


def test_an_upload_from_a_folder_path_is_named_by_its_file_name(tmp_path: Path) -> None:
    text = (
        (EXAMPLES / "sam-lee-analyst.yaml")
        .read_bytes()
        .replace(b"USUP-2.1: usually", b"USUP-2.1: always")
    )
    with TestClient(create_app(f"sqlite:///{tmp_path / 'store.db'}")) as client:
        response = client.post("/assessment/upload", files={"file": ("../../x/sam.yaml", text)})
    assert response.status_code == 422
    assert "sam.yaml:16: ratings.USUP-2.1:" in response.text
    assert "../" not in response.text.split("That could not be opened", 1)[1].split("</ul>")[0]
