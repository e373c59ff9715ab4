"""The verdict as the practitioner sees it, over HTTP (`serve --shared`'s app in-process): her
own page, the review record and its PDF with the electronic sign-off, a return with a comment
and the resubmission, and files added to an evidence item from the browser, handed out as
downloads to her manager and HR only."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from starlette.testclient import TestClient

from sfia_assess.web.auth import CSRF_COOKIE

from .conftest import EXAMPLES
from .forms import form_of
from .seeding import EVERY_ROLE, add_users, signed_in

PERSON, MANAGER = "Priya Nair", "Daniel Okafor"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(url, EVERY_ROLE)
    return url


@pytest.fixture
def people(db_url: str) -> Iterator[dict[str, TestClient]]:
    clients = {name: signed_in(db_url, name) for name in (PERSON, MANAGER, "Sam Lee", "Hana Reid")}
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def post(client: TestClient, path: str, data: dict[str, str], **more: object) -> object:
    return client.post(path, data={**data, "csrf_token": client.cookies[CSRF_COOKIE]}, **more)


def submit(client: TestClient) -> int:
    answer = post(
        client, "/assessment/submit", {**form_of("priya-nair-coordinator.yaml"), "manager": MANAGER}
    )
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    found = re.search(r"/assessments/(\d+)", answer.text)  # type: ignore[attr-defined]
    assert found
    return int(found.group(1))


def review_form() -> dict[str, str]:
    data = yaml.safe_load((EXAMPLES / "priya-nair-manager.yaml").read_text("utf-8"))
    fields = form_of("priya-nair-manager.yaml")
    fields["assessor_name"] = MANAGER
    for sid, words in data["comments"].items():
        fields[f"comment-{sid}"] = words
    fields["comment-USUP-4.3"] = "Bring the test evidence: the trends board was a one-off."
    return fields


def pdf_text(body: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def test_returned_then_resubmitted_then_signed_and_the_person_reads_the_verdict(
    people: dict[str, TestClient],
) -> None:
    priya, daniel, sam, hana = (people[n] for n in (PERSON, MANAGER, "Sam Lee", "Hana Reid"))
    assessment = submit(priya)
    queue = daniel.get("/manager").text
    assert "Review Priya Nair" in queue and "sent today" in queue

    # A return needs a comment; with one, it leaves the queue and she sees why on her page.
    empty = post(daniel, f"/manager/review/{assessment}/return", {"return_note": "  "})
    assert empty.status_code == 422  # type: ignore[attr-defined]
    assert "say what the person should change or bring" in empty.text  # type: ignore[attr-defined]
    assert (
        post(priya, f"/manager/review/{assessment}/return", {"return_note": "x"}).status_code == 404
    )  # type: ignore[attr-defined]
    sent = post(
        daniel, f"/manager/review/{assessment}/return", {"return_note": "Bring the P2 log."}
    )
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert "Review Priya Nair" not in daniel.get("/manager").text
    mine = priya.get("/me").text
    assert "Sent back to you by Daniel Okafor on" in mine
    assert "Bring the P2 log." in mine
    opened = priya.get(f"/assessments/{assessment}").text
    assert "was sent back to you by Daniel Okafor: \u201cBring the P2 log.\u201d" in opened
    # Signing what was returned is refused until she sends it again.
    refused = post(daniel, f"/manager/review/{assessment}/sign", review_form())
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "was returned to Priya Nair" in refused.text  # type: ignore[attr-defined]

    # She adds the log to evidence pn-01, and sends the same version again.
    added = priya.post(
        f"/assessments/{assessment}/files",
        data={"evidence_id": "pn-01"},
        files={"file": ("p2-log.png", PNG, "image/png")},
        headers={"X-CSRF-Token": priya.cookies[CSRF_COOKIE]},
    )
    assert added.status_code == 303, added.text
    assert submit(priya) == assessment
    assert "Review Priya Nair" in daniel.get("/manager").text
    review = daniel.get(f"/manager/review/{assessment}").text
    assert "Download p2-log.png" in review

    # The agreement in the manager's words, not the statistics of the CLI's report.
    checked = post(daniel, f"/manager/review/{assessment}/check", review_form())
    said = re.sub(r"\s+", " ", checked.text)  # type: ignore[attr-defined]
    assert re.search(r"You and Priya Nair agree on \d+ of the \d+ statements Priya Nair", said)
    assert "kappa" not in said.lower() and "commented out" not in said
    signed = post(daniel, f"/manager/review/{assessment}/sign", review_form())
    assert signed.status_code == 303, signed.text  # type: ignore[attr-defined]

    # Her page: the agreed level, her own beside it, the comments, the record.
    mine = priya.get("/me").text
    assert "Signed off by Daniel Okafor on" in mine
    assert "Agreed with Daniel Okafor: <strong>level 3 \u2014 Apply</strong>" in mine
    assert "Your own ratings alone: level 4 \u2014 Enable" in mine
    assert "Bring the test evidence: the trends board was a one-off." in mine
    assert "<svg" in mine and "Level 4" in mine
    # Her list of saved self-assessments gives the agreed level beside her own.
    listed = priya.get("/assessments").text
    assert '<td>4 <span class="hint">(own)</span></td><td><strong>3</strong></td>' in listed
    # Opened, the banner and the result panel say one thing.
    opened = priya.get(f"/assessments/{assessment}").text
    assert "signed off by Daniel Okafor on" in opened and "agreed level 3 \u2014 Apply" in opened
    assert "The target level" not in opened
    assert "Daniel Okafor signed off level 3 \u2014 Apply" in opened

    record = priya.get(f"/assessments/{assessment}/record")
    assert record.status_code == 200
    assert "Signed off electronically by Daniel Okafor" in record.text
    pdf = priya.get(f"/assessments/{assessment}/record.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-disposition"].startswith("attachment;")
    text = " ".join(pdf_text(pdf.content).split())
    assert "Signed off electronically by Daniel Okafor on" in text
    assert "Sent to Daniel Okafor for review" in text
    assert "Sent back to Priya Nair: Bring the P2 log." in text
    assert "Signed off (agreed level 3)" in text
    assert "signature and date" not in text
    assert "pn-01: p2-log.png" in text
    # Someone else's record stays a 404; HR reads it.
    assert sam.get(f"/assessments/{assessment}/record").status_code == 404
    assert sam.get(f"/assessments/{assessment}/record.pdf").status_code == 404
    assert hana.get(f"/assessments/{assessment}/record").status_code == 200


def test_files_are_checked_as_attach_checks_them_and_handed_out_as_downloads_only(
    people: dict[str, TestClient],
) -> None:
    priya, daniel, sam, hana = (people[n] for n in (PERSON, MANAGER, "Sam Lee", "Hana Reid"))
    assessment = submit(priya)
    headers = {"X-CSRF-Token": priya.cookies[CSRF_COOKIE]}
    url = f"/assessments/{assessment}/files"

    def add(name: str, content: bytes, evidence: str = "pn-01", who: TestClient = priya) -> object:
        return who.post(
            url,
            data={"evidence_id": evidence},
            files={"file": (name, content, "application/octet-stream")},
            headers={"X-CSRF-Token": who.cookies[CSRF_COOKIE]},
        )

    program = add("notes.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert program.status_code == 422  # type: ignore[attr-defined]
    assert "looks like a program; add documents, images or text, never programs" in program.text  # type: ignore[attr-defined]
    empty = add("empty.txt", b"")
    assert empty.status_code == 422  # type: ignore[attr-defined]
    unknown = add("log.txt", b"x", evidence="zz-9")
    assert "this version has no such evidence item; choose one from the list" in unknown.text  # type: ignore[attr-defined]
    page = add("page.html", b"<script>alert(1)</script>")
    assert page.status_code == 303  # type: ignore[attr-defined]
    # Only she adds files to her own record; her manager cannot, nor can anyone else.
    assert add("m.txt", b"manager", who=daniel).status_code == 404  # type: ignore[attr-defined]
    assert add("s.txt", b"sam", who=sam).status_code == 404  # type: ignore[attr-defined]
    assert headers

    listed = daniel.get(url).text
    found = re.search(rf"/assessments/{assessment}/files/(\d+)", listed)
    assert found and "Download page.html" in listed and "Add the file" not in listed
    download = f"{url}/{found.group(1)}"
    for reader in (priya, daniel, hana):
        answer = reader.get(download)
        assert answer.status_code == 200
        assert answer.content == b"<script>alert(1)</script>"
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.headers["content-disposition"].startswith('attachment; filename="page.html"')
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert sam.get(download).status_code == 404
    assert sam.get(url).status_code == 404
    # A file id under another record is not found there.
    other = submit_other(people["Sam Lee"])
    assert priya.get(f"/assessments/{other}/files/{found.group(1)}").status_code == 404
    assert daniel.get(f"/assessments/{other}/files/{found.group(1)}").status_code == 404


def submit_other(sam: TestClient) -> int:
    answer = post(sam, "/assessment/save", form_of("sam-lee-analyst.yaml"))
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    return int(answer.headers["location"].split("/")[-1].split("?")[0])  # type: ignore[attr-defined]


def test_the_queue_says_how_long_each_item_has_waited() -> None:
    import datetime as dt

    from sfia_assess.web.manager import waiting_for

    assert waiting_for(dt.timedelta(minutes=20)) == "sent today"
    assert waiting_for(dt.timedelta(hours=1, minutes=5)) == "waiting 1 hour"
    assert waiting_for(dt.timedelta(hours=5)) == "waiting 5 hours"
    assert waiting_for(dt.timedelta(days=1, hours=3)) == "waiting 1 day"
    assert waiting_for(dt.timedelta(days=3)) == "waiting 3 days"


def test_each_step_of_the_trail_in_plain_words() -> None:
    import datetime as dt

    from sfia_assess.core.history import Step
    from sfia_assess.reports.review import step_words

    at = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
    assert step_words(Step("submitted", "Priya Nair", at, MANAGER, None)) == (
        "Sent to Daniel Okafor for review"
    )
    assert step_words(Step("returned", MANAGER, at, PERSON, "Bring the P2 log.")) == (
        "Sent back to Priya Nair: Bring the P2 log."
    )
    assert step_words(Step("signed-off", MANAGER, at, None, "agreed level 3")) == (
        "Signed off (agreed level 3)"
    )
    assert step_words(Step("drafted", PERSON, at, None, None)) == "Saved as a draft"


def test_the_live_result_keeps_the_verdict_while_she_changes_things(tmp_path: Path) -> None:
    """The opened version's form carries its verdict: the live panel and a re-drawn form keep
    the agreed level first, so the banner and the panel never disagree."""
    from sfia_assess.web.app import create_app

    verdict = {
        "verdict_agreed": "3 \u2014 Apply",
        "verdict_by": MANAGER,
        "verdict_on": "4 December 2026",
        "verdict_record": "7",
    }
    form = {**form_of("priya-nair-coordinator.yaml"), **verdict}
    with TestClient(create_app(f"sqlite:///{tmp_path / 'store.db'}")) as client:
        live = client.post("/assessment/check", data=form, headers={"HX-Request": "true"}).text
        redrawn = client.post(
            "/assessment/edit",
            data={**form, "action": "add-evidence"},
            headers={"HX-Request": "true"},
        ).text
        plain = client.post("/assessment/check", data=form_of("priya-nair-coordinator.yaml")).text
    for answer in (live,):
        assert f"{MANAGER} signed off level 3 \u2014 Apply on 4 December 2026." in answer
        assert "Your own ratings alone would give level 4 \u2014 Enable" in answer
        assert 'href="/assessments/7/record"' in answer
        assert "The target level" not in answer
    # (a new, empty evidence item is a problem to fix first; the verdict rides along for after)
    assert 'name="verdict_by" value="Daniel Okafor"' in redrawn
    assert "signed off level" not in plain


def test_hr_reads_a_review_it_cannot_sign_and_signs_for_its_own_report(tmp_path: Path) -> None:
    # Hana leads HR and is Priya's manager here; Ada (admin) is no one's manager.
    url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(
        url,
        [("Hana Reid", "hr"), ("Ada Admin", "admin"), ("Priya Nair", "practitioner", "Hana Reid")],
    )
    clients = {name: signed_in(url, name) for name in (PERSON, "Hana Reid", "Ada Admin")}
    priya, hana, ada = clients.values()
    try:
        answer = post(priya, "/assessment/submit", form_of("priya-nair-coordinator.yaml"))
        assert "Sent to Hana Reid for review" in answer.text  # type: ignore[attr-defined]
        found = re.search(r"/assessments/(\d+)", answer.text)  # type: ignore[attr-defined]
        assert found
        assessment = int(found.group(1))
        # Ada may read it, with nothing to change or sign; a sign-off she sends is refused.
        read = ada.get(f"/manager/review/{assessment}")
        assert read.status_code == 200
        assert "only Hana Reid reviews and signs it (it is waiting for them)" in read.text
        assert '<fieldset class="read-only" disabled>' in read.text
        assert "Or send it back" not in read.text
        refused = post(ada, f"/manager/review/{assessment}/sign", review_form())
        assert refused.status_code == 404  # type: ignore[attr-defined]
        # Hana, her manager, reviews and signs as any manager does.
        page = hana.get(f"/manager/review/{assessment}").text
        assert "read-only" not in page and "Record the review and sign off" in page
        fields = {**review_form(), "assessor_name": "Hana Reid"}
        signed = post(hana, f"/manager/review/{assessment}/sign", fields)
        assert signed.status_code == 303, signed.text  # type: ignore[attr-defined]
        assert "Signed off by Hana Reid on" in priya.get("/me").text
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
