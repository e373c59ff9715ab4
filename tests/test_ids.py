"""A person has a stable id and the account is the person: files with `id:`, the store keying
people by it (or by the one account with their name), and a practitioner who types nothing and
reaches exactly her manager."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.fit import fit
from sfia_assess.core.identity import key_of, shown_names
from sfia_assess.core.pairing import Card, pair_reviews
from sfia_assess.core.policy import default_policy
from sfia_assess.core.profiles import role_profile_from_file
from sfia_assess.core.team import team_of
from sfia_assess.errors import AssessmentError
from sfia_assess.store import open_store
from sfia_assess.store import workflow as flow
from sfia_assess.store.accounts import add_account
from sfia_assess.store.database import StoreError, reading, writing
from sfia_assess.store.models import Event, Person
from sfia_assess.web.app import create_app
from sfia_assess.web.auth import CSRF_COOKIE

from .conftest import EXAMPLES
from .forms import form_of
from .seeding import PASSWORD, sign_in

SAM = (EXAMPLES / "sam-lee-analyst.yaml").read_text("utf-8")
PRIYA = (EXAMPLES / "priya-nair-coordinator.yaml").read_text("utf-8")
REVIEW = (EXAMPLES / "priya-nair-manager.yaml").read_text("utf-8")
SKILLS = EXAMPLES / "skills"


def with_ids(text: str, subject: str | None = None, assessor: str | None = None) -> str:
    """The example file with `id:` under subject (and assessor), as a person adds it."""
    if subject is not None:
        text = re.sub(r"subject: \{name: ([^,}]+)", rf"subject: {{name: \1, id: {subject}", text)
    if assessor is not None:
        text = re.sub(r"assessor: \{name: ([^,}]+)", rf"assessor: {{name: \1, id: {assessor}", text)
    return text


def loaded(text: str, name: str, catalog: Catalog) -> Any:
    return parse_assessment(text, name, catalog)


# -- the rule ---------------------------------------------------------------------------------


def test_the_id_decides_who_a_person_is_and_names_are_told_apart_by_it() -> None:
    assert key_of("Sam Lee", "S1001") == "s1001"
    assert key_of("Sam  LEE", None) == key_of("sam lee", "  ") == "sam lee"
    assert key_of("Sam Lee", "s1001") != key_of("Sam Lee", "s1002")
    shown = shown_names([("Sam Lee", "s1001"), ("Sam Lee", "s1002"), ("Priya Nair", "p1")])
    assert shown[("Sam Lee", "s1001")] == "Sam Lee (s1001)"
    assert shown[("Priya Nair", "p1")] == "Priya Nair"  # nobody else has her name


def test_a_file_may_carry_ids_and_the_schema_says_so(catalog: Catalog, runner: CliRunner) -> None:
    found = loaded(with_ids(SAM, "s1001"), "sam.yaml", catalog).assessment
    assert (found.subject.id, found.subject.key) == ("s1001", "s1001")
    assert found.assessor.id is None and found.assessor.key == "sam lee"
    number = loaded(SAM.replace("role: Service", "id: 1001, role: Service"), "n.yaml", catalog)
    assert number.assessment.subject.id == "1001"  # an employee number written bare is text
    with pytest.raises(AssessmentError, match=r"subject\.id"):
        loaded(SAM.replace("role: Service", "id: '', role: Service"), "empty.yaml", catalog)
    schema = json.loads(runner.invoke(cli, ["schema"]).output)
    definitions = schema["$defs"]
    assert "id" in definitions["AssessedPerson"]["properties"]
    assert "id" in definitions["Assessor"]["properties"]
    assert "id" not in definitions["AssessedPerson"]["required"]


def test_two_sam_lees_with_ids_are_two_people_in_pairing_team_and_fit(catalog: Catalog) -> None:
    one = loaded(with_ids(SAM, "s1001"), "sam-1.yaml", catalog)
    two = loaded(with_ids(SAM, "s1002").replace("USUP-1.1: consistently", ""), "s2.yaml", catalog)
    review = with_ids(SAM, "s1002", "d1").replace("relation: self", "relation: manager")
    review = review.replace("assessor: {name: Sam Lee", "assessor: {name: Daniel Okafor")
    reviewed = loaded(review.replace("2026-10-01", "2026-10-05", 1), "review.yaml", catalog)
    paired, unpaired = pair_reviews([Card.of(f) for f in (one, two, reviewed)])
    assert not unpaired
    by_source = {p.own.source: p.review for p in paired}
    assert by_source["sam-1.yaml"] is None and by_source["s2.yaml"] is not None

    view = team_of([one, two, reviewed], catalog, default_policy())
    assert sorted(p.name for p in view.people) == ["Sam Lee (s1001)", "Sam Lee (s1002)"]

    org = Catalog([SKILLS])
    role = role_profile_from_file(org, EXAMPLES / "roles" / "incident-coordinator.yaml")
    found = fit([role], [one, two], default_policy())
    assert sorted(p.name for p in found.people) == ["Sam Lee (s1001)", "Sam Lee (s1002)"]


def test_without_ids_the_same_name_is_still_one_person(catalog: Catalog) -> None:
    one = loaded(SAM, "sam.yaml", catalog)
    later = loaded(SAM.replace("2026-10-01", "2026-11-01", 1), "sam-later.yaml", catalog)
    view = team_of([one, later], catalog, default_policy())
    assert [p.name for p in view.people] == ["Sam Lee"]


# -- the store --------------------------------------------------------------------------------


def add_accounts(url: str, rows: list[tuple[str, str, str, str | None]]) -> None:
    """Accounts with logins (their ids): (login, name, role, manager's login)."""
    with open_store(url) as engine:
        for login, name, role, manager in rows:
            writing(
                engine,
                lambda s, a=(login, name, role, manager): add_account(
                    s, a[1], a[2], PASSWORD, a[3], login=a[0]
                ),
            )


def people(url: str) -> list[tuple[str, str, str | None]]:
    with open_store(url) as engine, reading(engine) as session:
        rows = session.query(Person).order_by(Person.key).all()
        return [(p.name, p.key, p.login) for p in rows]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_the_store_keys_people_by_id_and_tells_two_sam_lees_apart(
    tmp_path: Path, runner: CliRunner
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    files = [
        write(tmp_path, "sam-1.yaml", with_ids(SAM, "s1001")),
        write(tmp_path, "sam-2.yaml", with_ids(SAM, "s1002").replace("Service Desk", "Desk")),
    ]
    result = runner.invoke(cli, ["record", *map(str, files), "--db", url])
    assert result.exit_code == 0, result.output
    assert people(url) == [("Sam Lee", "s1001", "s1001"), ("Sam Lee", "s1002", "s1002")]
    listed = runner.invoke(cli, ["history", "--list", "--db", url]).output
    assert listed.splitlines() == ["Sam Lee (s1001)", "Sam Lee (s1002)"]
    shown = runner.invoke(cli, ["history", "Sam Lee", "--db", url])
    assert shown.exit_code == 1
    assert "matches several people: 'Sam Lee (s1001)', 'Sam Lee (s1002)'; give the id" in (
        shown.output
    )
    assert runner.invoke(cli, ["history", "s1002", "--db", url]).exit_code == 0
    team = runner.invoke(cli, ["team", "--db", url, "--format", "json"])
    assert team.exit_code == 0, team.output
    members = json.loads(team.output)["people"]
    assert sorted((p["name"], p["id"]) for p in members) == [
        ("Sam Lee (s1001)", "s1001"),
        ("Sam Lee (s1002)", "s1002"),
    ]


def test_a_name_two_accounts_share_is_refused_with_both_shown(
    tmp_path: Path, runner: CliRunner
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_accounts(
        url,
        [
            ("s1001", "Sam Lee", "practitioner", None),
            ("s1002", "Sam Lee", "practitioner", None),
            ("p.nair", "Priya Nair", "practitioner", None),
        ],
    )
    sam, priya = write(tmp_path, "sam.yaml", SAM), write(tmp_path, "priya.yaml", PRIYA)
    result = runner.invoke(cli, ["record", str(sam), str(priya), "--db", url])
    assert result.exit_code == 1
    assert (
        f"{sam}: 'Sam Lee' is the name of more than one account (Sam Lee (s1001) and Sam Lee"
        " (s1002)); add `id:` with their login under `subject:` to say which"
    ) in result.output
    assert "Traceback" not in result.output
    # The other file is recorded: a name only one account has is that account's person.
    assert people(url) == [("Priya Nair", "p.nair", "p.nair")]
    fixed = write(tmp_path, "sam-fixed.yaml", with_ids(SAM, "s1002"))
    assert runner.invoke(cli, ["record", str(fixed), "--db", url]).exit_code == 0
    assert ("Sam Lee", "s1002", "s1002") in people(url)


def test_files_without_ids_and_accounts_made_before_ids_keep_their_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_accounts(url, [("Priya Nair", "Priya Nair", "practitioner", None)])  # login = name
    result = CliRunner().invoke(
        cli,
        [
            "record",
            str(write(tmp_path, "p.yaml", PRIYA)),
            str(EXAMPLES / "sam-lee-analyst.yaml"),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert people(url) == [("Priya Nair", "priya nair", None), ("Sam Lee", "sam lee", None)]


# -- the workflow -----------------------------------------------------------------------------

MANAGERS = [
    ("hr1", "Hana Reid", "hr", None),
    ("d.okafor", "Daniel Okafor", "manager", None),
    ("m.ellis", "Morgan Ellis", "manager", None),
    ("p.nair", "Priya Nair", "practitioner", "d.okafor"),
    ("j.park", "Jordan Park", "practitioner", None),
    ("s1001", "Sam Lee", "practitioner", "d.okafor"),
    ("s1002", "Sam Lee", "practitioner", "d.okafor"),
]


@pytest.fixture
def org(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_accounts(url, MANAGERS)
    return url


def saved(url: str, text: str = PRIYA) -> int:
    catalog, policy = Catalog(), default_policy()
    with open_store(url) as engine:
        return writing(
            engine,
            lambda s: (
                flow.save_draft(
                    s, text.encode(), "priya.yaml", catalog, policy, actor="Priya Nair"
                ).id
            ),
        )


def run(url: str, work: Any) -> Any:
    with open_store(url) as engine:
        return writing(engine, work)


def test_a_submission_goes_to_the_manager_s_account_and_follows_a_new_reporting_line(
    org: str,
) -> None:
    own = saved(org)
    with pytest.raises(StoreError, match="no account is 'Dan Okafor'"):
        run(org, lambda s: flow.submit(s, own, actor="Priya Nair", manager="Dan Okafor"))
    step = run(
        org,
        lambda s: (
            (e := flow.submit(s, own, actor="Priya Nair", manager="d.okafor")).recipient,
            e.recipient_key,
        ),
    )
    assert step == ("Daniel Okafor", "d.okafor")

    def queue(key: str) -> list[int]:
        found: list[int] = run(
            org, lambda s: [w.assessment_id for w in flow.submitted(s, manager_key=key)]
        )
        return found

    assert queue("d.okafor") == [own] and queue("m.ellis") == []

    moved = run(org, lambda s: flow.reassign_waiting(s, "p.nair", "m.ellis", "Hana Reid"))
    assert moved == [own]
    assert queue("d.okafor") == [] and queue("m.ellis") == [own]
    assert run(org, lambda s: flow.reassign_waiting(s, "p.nair", "m.ellis", "Hana Reid")) == []
    with pytest.raises(StoreError, match="was submitted to Morgan Ellis, not to Daniel Okafor"):
        run(org, lambda s: flow._check_signer(s, own, "Daniel Okafor", "d.okafor"))
    with pytest.raises(StoreError, match="no account has the login 'nobody'"):
        run(org, lambda s: flow.reassign_waiting(s, "p.nair", "nobody", "Hana Reid"))
    with reading_store(org) as session:
        kinds = [e.kind for e in session.query(Event).order_by(Event.id)]
    assert kinds == ["drafted", "submitted", "reassigned"]


def reading_store(url: str) -> Any:
    from contextlib import contextmanager

    @contextmanager
    def opened() -> Iterator[Any]:
        with open_store(url) as engine, reading(engine) as session:
            yield session

    return opened()


def test_a_withdrawn_submission_leaves_the_queue_and_the_same_version_can_be_sent_again(
    org: str,
) -> None:
    own = saved(org)
    run(org, lambda s: flow.submit(s, own, actor="Priya Nair", manager="d.okafor"))
    with pytest.raises(StoreError, match="only Priya Nair can withdraw"):
        run(org, lambda s: flow.withdraw(s, own, actor="Daniel Okafor", actor_key="d.okafor"))
    run(org, lambda s: flow.withdraw(s, own, actor="Priya Nair", actor_key="p.nair"))
    assert run(org, lambda s: flow.submitted(s, manager_key="d.okafor")) == []
    with pytest.raises(StoreError, match="was withdrawn by Priya Nair"):
        run(org, lambda s: flow._check_signer(s, own, "Daniel Okafor", "d.okafor"))
    with pytest.raises(StoreError, match="is not waiting for review; there is nothing"):
        run(org, lambda s: flow.withdraw(s, own, actor="Priya Nair", actor_key="p.nair"))
    # The unchanged form is still version 1: it is sent again, not refused.
    assert saved(org) == own
    run(org, lambda s: flow.submit(s, own, actor="Priya Nair", manager="d.okafor"))
    assert [
        w.assessment_id for w in run(org, lambda s: flow.submitted(s, manager_key="d.okafor"))
    ] == [own]


def test_where_a_submission_goes_and_whom_to_ask_without_a_manager(org: str) -> None:
    assert run(org, lambda s: flow.submission_route(s, "p.nair")) == ("Daniel Okafor", "")
    assert run(org, lambda s: flow.submission_route(s, "j.park")) == ("", "Hana Reid (hr)")


# -- the browser app: the story --------------------------------------------------------


@pytest.fixture
def client(org: str) -> Iterator[TestClient]:
    with TestClient(create_app(org, shared=True), follow_redirects=False) as test_client:
        yield test_client


def signed_in_as(client: TestClient, login: str) -> dict[str, str]:
    client.cookies.clear()
    assert sign_in(client, login) == 303
    return {"csrf_token": client.cookies[CSRF_COOKIE]}


def test_the_practitioner_types_nothing_and_it_reaches_exactly_her_manager(
    client: TestClient, org: str
) -> None:
    token = signed_in_as(client, "p.nair")
    started = client.post(
        "/assessment/start",
        data={"skill_version": "USUP:9", "name": "", "assessed_on": "2026-10-01", **token},
    )
    assert started.status_code == 200
    assert re.search(r'<input id="f-name" name="name" value="Priya Nair" readonly', started.text)
    assert 'value="p.nair" readonly' in started.text
    assert 'name="manager"' not in started.text
    assert "It goes to your manager, Daniel Okafor, for review." in started.text

    # The name typed is ignored in favour of the account's; "Dan Okafor" cannot be typed.
    form = {**form_of("priya-nair-coordinator.yaml"), "manager": "Dan Okafor", **token}
    sent = client.post("/assessment/submit", data=form)
    assert sent.status_code == 200, sent.text
    assert "<h1>Sent to Daniel Okafor for review</h1>" in sent.text
    content = run(org, lambda s: flow.get(s, 1).content.decode())
    assert yaml.safe_load(content)["subject"] == {"name": "Priya Nair", "id": "p.nair"}
    with reading_store(org) as session:
        step = session.query(Event).filter_by(kind="submitted").one()
        assert (step.recipient, step.recipient_key) == ("Daniel Okafor", "d.okafor")

    # A manager who is not hers never gets it; hers does, and signs it.
    signed_in_as(client, "m.ellis")
    assert "Review Priya Nair" not in client.get("/manager").text
    assert client.get("/manager/review/1").status_code == 404
    token = signed_in_as(client, "d.okafor")
    queue = client.get("/manager").text
    assert queue.count(">Review Priya Nair<") == 1 and 'name="manager"' not in queue
    review = client.get("/manager/review/1")
    assert review.status_code == 200
    assert 'value="Daniel Okafor" readonly' in review.text and "(id: d.okafor)" in review.text
    ratings = yaml.safe_load(REVIEW)["ratings"]
    signed = {
        "assessor_name": "Daniel Okafor",
        "assessed_on": "2026-10-06",
        "evidence_count": "0",
        **token,
        **{f"rating-{k}": v for k, v in ratings.items()},
    }
    assert client.post("/manager/review/1/sign", data=signed).status_code == 303
    kept = yaml.safe_load(run(org, lambda s: flow.get(s, 2).content.decode()))
    assert kept["assessor"] == {"name": "Daniel Okafor", "id": "d.okafor", "relation": "manager"}
    assert kept["subject"]["id"] == "p.nair"


def test_she_withdraws_a_waiting_submission_and_sends_it_again(client: TestClient) -> None:
    token = signed_in_as(client, "p.nair")
    form = {**form_of("priya-nair-coordinator.yaml"), **token}
    assert client.post("/assessment/submit", data=form).status_code == 200
    opened = client.get("/assessments/1").text
    assert (
        "waiting for Daniel Okafor&#39;s review" in opened and "Withdraw it from review" in opened
    )
    withdrawn = client.post("/assessments/1/withdraw", data=token)
    assert withdrawn.status_code == 303
    assert "withdrawn: it is no longer waiting" in client.get(withdrawn.headers["location"]).text
    signed_in_as(client, "d.okafor")
    assert "Review Priya Nair" not in client.get("/manager").text
    token = signed_in_as(client, "p.nair")
    again = client.post("/assessment/submit", data={**form, **token})
    assert again.status_code == 200 and "Version 1 of" in again.text
    # The manager cannot withdraw it for her (and nothing is logged as withdrawn).
    token = signed_in_as(client, "d.okafor")
    refused = client.post("/assessments/1/withdraw", data=token)
    assert refused.headers["location"] == "/assessments/1?kept=1"
    assert client.get("/manager").text.count(">Review Priya Nair<") == 1


def test_two_sam_lees_in_one_queue_are_shown_with_their_ids(client: TestClient, org: str) -> None:
    for login in ("s1001", "s1002"):
        own = saved(org, with_ids(SAM, login))
        run(org, lambda s, own=own: flow.submit(s, own, actor="Sam Lee", manager="d.okafor"))
    # The name alone names two accounts: recording it is refused, with both shown.
    with pytest.raises(StoreError, match=r"Sam Lee \(s1001\) and Sam Lee \(s1002\)"):
        saved(org, SAM.replace("2026-10-01", "2026-10-02", 1))
    signed_in_as(client, "d.okafor")
    queue = client.get("/manager").text
    assert ">Review Sam Lee (s1001)<" in queue and ">Review Sam Lee (s1002)<" in queue


def test_with_no_manager_set_the_page_says_whom_to_ask(client: TestClient) -> None:
    token = signed_in_as(client, "j.park")
    started = client.post(
        "/assessment/start",
        data={"skill_version": "USUP:9", "assessed_on": "2026-10-01", **token},
    )
    assert "No manager is set for your account" in started.text
    assert "ask Hana Reid (hr) to set your manager" in started.text
    assert "Submit to your manager" not in started.text
    form = {**form_of("sam-lee-analyst.yaml"), "name": "Jordan Park", **token}
    refused = client.post("/assessment/submit", data=form)
    assert refused.status_code == 422
    assert "no manager is set for your account: ask Hana Reid (hr) to set one" in refused.text


def test_the_api_answers_the_cli_s_json_for_a_file_with_ids(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "priya.yaml", with_ids(PRIYA, "p.nair"))
    printed = runner.invoke(cli, ["assess", "priya.yaml", "--format", "json"])
    assert printed.exit_code == 0, printed.output
    with TestClient(create_app()) as local:
        answer = local.post("/api/assess?file=priya.yaml", content=Path("priya.yaml").read_bytes())
    assert answer.status_code == 200
    assert answer.text == printed.stdout


def test_a_saved_version_says_where_it_goes_to_its_author_only(
    client: TestClient, org: str
) -> None:
    """Opening a saved version reads where it would go in the same transaction as the record:
    its author is told her manager; her manager, opening it, is offered nothing to send."""
    token = signed_in_as(client, "p.nair")
    form = {**form_of("priya-nair-coordinator.yaml"), **token}
    assert client.post("/assessment/save", data=form).status_code == 303
    opened = client.get("/assessments/1")
    assert opened.status_code == 200
    assert "It goes to your manager, Daniel Okafor, for review." in opened.text
    assert "Submit to your manager" in opened.text
    signed_in_as(client, "d.okafor")
    seen = client.get("/assessments/1")
    assert seen.status_code == 200 and "Priya Nair" in seen.text
    assert "It goes to your manager" not in seen.text
    assert "Submit to your manager" not in seen.text
