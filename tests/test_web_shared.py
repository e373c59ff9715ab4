"""`serve --shared`: sign-in with the store's accounts, sessions, CSRF, the sign-in limit, and
the refusal to listen beyond this machine without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.store.sessions import PER_ACCOUNT_AND_ADDRESS
from sfia_assess.web.app import create_app
from sfia_assess.web.auth import COOKIE, CSRF_COOKIE

from .conftest import EXAMPLES
from .forms import form_of
from .seeding import PASSWORD, add_users, login_token, record, sign_in
from .servers import serving

FORM = {"skill_version": "USUP:9", "name": "Priya Nair", "assessed_on": "2026-10-01"}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_users(url, [("Daniel Okafor", "manager"), ("Priya Nair", "practitioner", "Daniel Okafor")])
    return url


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(db_url, shared=True), follow_redirects=False) as test_client:
        yield test_client


def test_every_page_needs_a_session_and_the_sign_in_page_is_open(client: TestClient) -> None:
    assert client.get("/").status_code == 303
    assert client.get("/").headers["location"] == "/login"
    assert client.post("/api/assess", content=b"x").status_code == 401
    login = client.get("/login")
    assert login.status_code == 200 and 'name="password"' in login.text
    assert "content-security-policy" in login.headers


def test_sign_in_sets_a_signed_http_only_lax_cookie_and_opens_the_app(client: TestClient) -> None:
    data = {"name": "priya nair", "password": PASSWORD, "csrf_token": login_token(client)}
    response = client.post("/login", data=data)
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    assert client.get("/").status_code == 200


def test_a_forged_or_altered_cookie_is_refused(client: TestClient) -> None:
    assert sign_in(client, "Priya Nair") == 303
    value = client.cookies[COOKIE]
    payload, signature = value.split(".")
    client.cookies.set(COOKIE, payload + "." + signature[::-1])
    assert client.get("/").status_code == 303


def test_a_wrong_password_is_refused_and_the_account_is_limited(client: TestClient) -> None:
    assert sign_in(client, "Priya Nair", password="wrong password!") == 401
    for _ in range(PER_ACCOUNT_AND_ADDRESS - 1):
        sign_in(client, "Priya Nair", password="wrong password!")
    # Locked for a while, even with the right password.
    data = {"name": "Priya Nair", "password": PASSWORD, "csrf_token": login_token(client)}
    response = client.post("/login", data=data)
    assert response.status_code == 429 and "Too many failed sign-ins" in response.text
    # Another account from the same address is not yet affected.
    assert sign_in(client, "Daniel Okafor") == 303


def test_a_disabled_account_cannot_sign_in(client: TestClient, db_url: str) -> None:
    assert (
        CliRunner().invoke(cli, ["users", "disable", "Priya Nair", "--db", db_url]).exit_code == 0
    )
    assert sign_in(client, "Priya Nair") == 401


def test_state_changing_requests_need_the_sessions_csrf_token(client: TestClient) -> None:
    assert sign_in(client, "Priya Nair") == 303
    assert client.post("/assessment/start", data=FORM).status_code == 403
    token = client.cookies[CSRF_COOKIE]
    assert (
        client.post("/assessment/start", data={**FORM, "csrf_token": "x" + token}).status_code
        == 403
    )
    assert client.post("/assessment/start", data={**FORM, "csrf_token": token}).status_code == 200
    headers = {"X-CSRF-Token": token}
    assert client.post("/assessment/start", data=FORM, headers=headers).status_code == 200


def test_a_session_after_logout_is_refused(client: TestClient) -> None:
    assert sign_in(client, "Priya Nair") == 303
    old = client.cookies[COOKIE]
    assert (
        client.post("/logout", data={"csrf_token": client.cookies[CSRF_COOKIE]}).status_code == 303
    )
    client.cookies.set(COOKIE, old)  # someone kept the cookie
    assert client.get("/").status_code == 303
    assert client.get("/assessments").headers["location"] == "/login"
    assert client.post("/api/assess", content=b"x").status_code == 401


def test_sign_in_needs_the_sign_in_forms_csrf_token(client: TestClient) -> None:
    """Else another site could sign a visitor in to the attacker's account (login CSRF)."""
    data = {"name": "Priya Nair", "password": PASSWORD}
    refused = client.post("/login", data=data)
    assert refused.status_code == 403
    assert "This sign-in form had expired; sign in again." in refused.text
    assert COOKIE not in client.cookies
    forged = client.post("/login", data={**data, "csrf_token": "x" + login_token(client)})
    assert forged.status_code == 403
    assert (
        client.post("/login", data={**data, "csrf_token": login_token(client)}).status_code == 303
    )


def test_logout_needs_the_sessions_csrf_token(client: TestClient) -> None:
    """Another site cannot sign a person out; the session stays until they do it themselves."""
    assert sign_in(client, "Priya Nair") == 303
    refused = client.post("/logout")
    assert refused.status_code == 403
    assert client.get("/").status_code == 200
    wrong = client.post("/logout", data={"csrf_token": "x" + client.cookies[CSRF_COOKIE]})
    assert wrong.status_code == 403
    assert client.get("/").status_code == 200
    assert (
        client.post("/logout", data={"csrf_token": client.cookies[CSRF_COOKIE]}).status_code == 303
    )
    assert client.get("/").status_code == 303


def test_sign_ins_are_audited(client: TestClient, db_url: str) -> None:
    assert sign_in(client, "Priya Nair") == 303
    result = CliRunner().invoke(cli, ["audit", "--db", db_url])
    assert "  Priya Nair  signed-in  session  from testclient" in result.stdout


def test_without_shared_the_app_stays_single_user(db_url: str) -> None:
    with TestClient(create_app(db_url), follow_redirects=False) as plain:
        assert plain.get("/").status_code == 200
        assert plain.get("/login").status_code == 404


def test_serve_beyond_127_0_0_1_needs_shared(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "--host 0.0.0.0 lets other machines in, and without --shared there are no accounts" in (
        result.stderr
    )


def test_serve_shared_prints_where_to_sign_in(tmp_path: Path) -> None:
    with serving("--shared", db_url=f"sqlite:///{tmp_path / 'store.db'}") as server:
        first, second = server.output[:2]
        assert first.startswith("sfia-assess: serving on http://127.0.0.1:")
        assert "sign in at /login" in second


# -- who may see what: sfia_assess/web/access.py ------------------------------------------------


@pytest.fixture
def records(db_url: str) -> dict[str, int]:
    """Priya's and Sam's self-assessments recorded; Priya reports to Daniel, Sam to no one."""
    import sqlalchemy as sa

    add_users(db_url, [("Sam Lee", "practitioner"), ("Hana Mori", "hr")])
    record(db_url, EXAMPLES / "priya-nair-coordinator.yaml", EXAMPLES / "sam-lee-analyst.yaml")
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select p.name, a.id from assessments a join people p on p.id = a.person_id")
        ).all()
    engine.dispose()
    return {str(name): int(ident) for name, ident in rows}


def test_a_practitioner_sees_their_own_record_only(
    client: TestClient, records: dict[str, int]
) -> None:
    assert sign_in(client, "Priya Nair") == 303
    assert client.get(f"/assessments/{records['Priya Nair']}").status_code == 200
    assert client.get(f"/assessments/{records['Sam Lee']}").status_code == 404
    assert client.get("/assessments/99999").status_code == 404
    assert client.get("/manager").status_code == 404
    assert client.get(f"/manager/review/{records['Priya Nair']}").status_code == 404


def test_a_manager_sees_their_reports_records_only(
    client: TestClient, records: dict[str, int]
) -> None:
    assert sign_in(client, "Daniel Okafor") == 303
    assert client.get(f"/assessments/{records['Priya Nair']}").status_code == 200
    assert client.get(f"/assessments/{records['Sam Lee']}").status_code == 404
    assert client.get(f"/manager/review/{records['Sam Lee']}").status_code == 404
    assert client.get("/manager").status_code == 200


def test_hr_sees_everyones_records(client: TestClient, records: dict[str, int]) -> None:
    assert sign_in(client, "Hana Mori") == 303
    assert client.get(f"/assessments/{records['Priya Nair']}").status_code == 200
    assert client.get(f"/assessments/{records['Sam Lee']}").status_code == 200


def test_only_admin_reaches_account_pages() -> None:
    from sfia_assess.web.access import Access, allowed
    from sfia_assess.web.auth import User

    for role in ("practitioner", "manager", "hr"):
        assert not allowed(User("X", role, None, "s"), Access.ADMIN)
    assert allowed(User("X", "admin", None, "s"), Access.ADMIN)


def test_lists_show_only_the_records_the_rule_allows(
    client: TestClient, records: dict[str, int]
) -> None:
    assert sign_in(client, "Priya Nair") == 303
    listed = client.get("/assessments").text
    assert "Priya Nair" in listed and "Sam Lee" not in listed
    client.post("/logout", data={"csrf_token": client.cookies[CSRF_COOKIE]})
    assert sign_in(client, "Hana Mori") == 303
    listed = client.get("/assessments").text
    assert "Priya Nair" in listed and "Sam Lee" in listed


def test_who_viewed_and_exported_what_is_in_the_audit_log(
    client: TestClient, records: dict[str, int], db_url: str
) -> None:
    assert sign_in(client, "Hana Mori") == 303
    assert client.get(f"/assessments/{records['Sam Lee']}").status_code == 200
    # No review recorded yet: nothing to export, and the audit log does not say it was.
    assert client.get(f"/manager/review/{records['Sam Lee']}/record.pdf").status_code == 404
    out = CliRunner().invoke(cli, ["audit", "--db", db_url]).stdout
    assert f"  Hana Mori  viewed  /assessments/{records['Sam Lee']}  from testclient\n" in out
    assert "exported" not in out


def test_a_practitioner_saves_under_their_own_name_only(client: TestClient, db_url: str) -> None:
    """Signed in as Priya, a form naming Sam must not put a record into Sam's history."""
    import sqlalchemy as sa

    assert sign_in(client, "Priya Nair") == 303
    token = client.cookies[CSRF_COOKIE]
    form = {
        "skill": "USUP",
        "sfia_version": "9",
        "assessed_on": "2026-10-01",
        "relation": "self",
        "csrf_token": token,
    }
    forged = client.post("/assessment/save", data={**form, "name": "Sam Lee"})
    assert forged.status_code == 422
    assert "you are signed in as Priya Nair" in forged.text
    own = client.post("/assessment/save", data={**form, "name": "Priya Nair"})
    assert own.status_code == 303
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        names = connection.execute(sa.text("select name from people")).scalars().all()
    engine.dispose()
    assert names == ["Priya Nair"]


def test_the_own_name_rule_reads_names_as_people_write_them() -> None:
    from sfia_assess.web.access import not_your_name
    from sfia_assess.web.auth import User

    daniel = User("Daniel Okafor", "manager", None, "s")
    assert not_your_name(None, "Anyone") is None  # single-user: no account to check against
    assert not_your_name(daniel, "  daniel   okafor ") is None
    assert "signed in as Daniel Okafor" in (not_your_name(daniel, "Dana Boss") or "")


# -- found by a second review: what a signed-in person must not be able to do -----------------


def test_a_practitioner_cannot_save_a_review_of_themselves(client: TestClient, db_url: str) -> None:
    """Naming a manager as the assessor on the practitioner's page would make an 'agreed' level."""
    import sqlalchemy as sa

    assert sign_in(client, "Priya Nair") == 303
    form = {
        "skill": "USUP",
        "sfia_version": "9",
        "name": "Priya Nair",
        "assessed_on": "2026-10-01",
        "relation": "manager",
        "assessor_name": "Daniel Okafor",
        "csrf_token": client.cookies[CSRF_COOKIE],
    }
    response = client.post("/assessment/save", data=form)
    assert response.status_code == 422
    assert "this page saves your own self-assessment" in response.text
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("select count(*) from assessments")).scalar_one()
    engine.dispose()
    assert count == 0


def test_hr_sees_a_review_page_but_cannot_sign_one(
    client: TestClient, records: dict[str, int]
) -> None:
    assert sign_in(client, "Hana Mori") == 303
    priya = records["Priya Nair"]
    assert client.get(f"/manager/review/{priya}").status_code == 200
    token = {"csrf_token": client.cookies[CSRF_COOKIE]}
    assert client.post(f"/manager/review/{priya}/sign", data=token).status_code == 404


def test_disabling_an_account_ends_its_open_session(client: TestClient, db_url: str) -> None:
    assert sign_in(client, "Priya Nair") == 303
    assert client.get("/").status_code == 200
    disabled = CliRunner().invoke(cli, ["users", "disable", "Priya Nair", "--db", db_url])
    assert disabled.exit_code == 0
    assert client.get("/").status_code == 303  # back to the sign-in page
    assert client.post("/assessment/start", data=FORM).status_code == 401


def test_opening_a_yaml_file_works_in_shared_mode(client: TestClient) -> None:
    """The upload is a multipart form: its csrf_token field must count like any other."""
    from .conftest import EXAMPLES

    assert sign_in(client, "Sam Lee") in (303, 401)  # Sam may have no account here
    assert sign_in(client, "Priya Nair") == 303
    text = (EXAMPLES / "priya-nair-coordinator.yaml").read_bytes()
    response = client.post(
        "/assessment/upload",
        data={"csrf_token": client.cookies[CSRF_COOKIE]},
        files={"file": ("priya.yaml", text, "application/x-yaml")},
    )
    assert response.status_code == 200, response.text[:300]
    missing = client.post(
        "/assessment/upload", files={"file": ("priya.yaml", text, "application/x-yaml")}
    )
    assert missing.status_code == 403


def _count(db_url: str, query: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        found = int(connection.execute(sa.text(query)).scalar_one())
    engine.dispose()
    return found


def _review_form(assessor: str, token: str) -> dict[str, str]:
    import yaml

    from .conftest import EXAMPLES

    data = yaml.safe_load((EXAMPLES / "priya-nair-manager.yaml").read_text("utf-8"))
    return {
        "assessor_name": assessor,
        "assessed_on": "2026-10-06",
        "evidence_count": "0",
        "csrf_token": token,
        **{f"rating-{k}": v for k, v in data["ratings"].items()},
    }


def test_a_manager_cannot_sign_a_draft_never_submitted_to_them(
    client: TestClient, records: dict[str, int], db_url: str
) -> None:
    assert sign_in(client, "Daniel Okafor") == 303
    priya = records["Priya Nair"]  # recorded, never submitted
    form = _review_form("Daniel Okafor", client.cookies[CSRF_COOKIE])
    response = client.post(f"/manager/review/{priya}/sign", data=form)
    assert response.status_code == 422
    assert "was never submitted for review; only the manager it is submitted to" in response.text
    assert _count(db_url, "select count(*) from reviews") == 0
    assert _count(db_url, "select count(*) from events where kind = 'signed-off'") == 0
    assert _count(db_url, "select count(*) from assessments") == 2


def _audit_rows(db_url: str) -> list[tuple[str, str, str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select actor, action, target from audit order by id"))
        found = [(str(a), str(b), str(c)) for a, b, c in rows]
    engine.dispose()
    return found


def test_the_audit_log_says_what_each_request_did_once_it_did_it(
    client: TestClient, db_url: str
) -> None:
    """Written from the answer, not the request: a refused sign-off is not 'signed', a live
    preview is not 'changed'; saves, submissions, sign-offs and downloads each have their word."""
    assert sign_in(client, "Priya Nair") == 303
    token = {"csrf_token": client.cookies[CSRF_COOKIE]}
    form = {**form_of("priya-nair-coordinator.yaml"), **token}
    assert client.post("/assessment/check", data=form).status_code == 200
    assert client.post("/assessment/save", data=form).status_code == 303
    assert client.post("/assessment/download.yaml", data=form).status_code == 200
    assert client.post("/assessment/report.pdf", data=form).status_code == 200
    submitted = client.post("/assessment/submit", data={**form, "manager": "Daniel Okafor"})
    assert submitted.status_code == 200
    client.post("/logout", data=token)
    assert sign_in(client, "Daniel Okafor") == 303
    token = {"csrf_token": client.cookies[CSRF_COOKIE]}
    refused = client.post("/manager/review/1/sign", data={**token, "assessor_name": "Dana Boss"})
    assert refused.status_code == 422
    review = _review_form("Daniel Okafor", token["csrf_token"])
    assert client.post("/manager/review/1/check", data=review).status_code == 200
    assert client.post("/manager/review/1/sign", data=review).status_code == 303
    assert client.get("/manager/review/1/record.pdf").status_code == 200
    rows = [row for row in _audit_rows(db_url) if row[1] != "signed-in"]
    assert rows == [
        ("Priya Nair", "saved", "/assessments/1"),
        ("Priya Nair", "exported", "priya-nair-usup-2026-09-15.yaml"),
        ("Priya Nair", "exported", "priya-nair-usup-2026-09-15.pdf"),
        ("Priya Nair", "submitted", "/assessments/1"),
        ("Priya Nair", "signed-out", "session"),
        ("Daniel Okafor", "signed", "/manager/review/1/sign"),
        ("Daniel Okafor", "exported", "/manager/review/1/record.pdf"),
    ]


# -- behind a TLS-terminating proxy: X-Forwarded-Proto only when the operator says so ----------


def _sign_in_over_https(host: str) -> tuple[int, str, list[str]]:
    """What a proxy passes on for a browser at https://HOST: the proxy's header, the browser's
    Origin and cookies. The status, the body and the cookies set."""
    import http.client
    import re
    from urllib.parse import urlencode

    proxied = {"X-Forwarded-Proto": "https", "Host": host}
    connection = http.client.HTTPConnection(host, timeout=30)
    try:
        connection.request("GET", "/login", headers=proxied)
        form = connection.getresponse()
        text = form.read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', text)
        nonce = re.search(r"sfia_login=([^;]+)", form.getheader("set-cookie", ""))
        assert token is not None and nonce is not None
        body = urlencode({"name": "Priya Nair", "password": PASSWORD, "csrf_token": token[1]})
        headers = {
            **proxied,
            "Origin": f"https://{host}",
            "Cookie": f"sfia_login={nonce[1]}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection.request("POST", "/login", body=body, headers=headers)
        answer = connection.getresponse()
        cookies = [v for k, v in answer.getheaders() if k.lower() == "set-cookie"]
        return answer.status, answer.read().decode(), cookies
    finally:
        connection.close()


def test_behind_a_proxy_https_counts_only_with_behind_proxy(db_url: str) -> None:
    with serving("--shared", db_url=db_url) as server:
        # Not told about a proxy: the header is anyone's to send, so the scheme stays http and
        # an https Origin is another site.
        status, text, _ = _sign_in_over_https(server.host)
        assert status == 403
        assert "sent from another web site" in text
    proxied = ["--behind-proxy", "127.0.0.1", "--host-name", "127.0.0.1"]
    with serving("--shared", *proxied, db_url=db_url) as server:
        status, text, cookies = _sign_in_over_https(server.host)
        assert status == 303, text
        session = next(c for c in cookies if c.startswith(COOKIE + "="))
        assert "Secure" in session and "HttpOnly" in session


def test_behind_proxy_needs_an_address(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["serve", "--shared", "--behind-proxy", "", "--port", "0"])
    assert result.exit_code == 2
    assert "--behind-proxy needs the proxy's address" in result.stderr
    alone = runner.invoke(cli, ["serve", "--behind-proxy", "127.0.0.1", "--port", "0"])
    assert alone.exit_code == 2
    assert "without --shared there are no accounts; add --shared" in alone.stderr


def _menu(client: TestClient, path: str = "/") -> set[str]:
    import re

    response = client.get(path)
    assert response.status_code in (200, 404)
    nav = response.text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


def test_the_menu_offers_only_the_pages_the_signed_in_role_may_open(
    db_url: str, records: dict[str, int]
) -> None:
    # The menu offered every role "Reviews (managers)" and "Team (HR)", each a 404 for most.
    expected = {
        "Priya Nair": {"/", "/me", "/career"},
        "Daniel Okafor": {"/", "/me", "/career", "/manager", "/people"},
        "Hana Mori": {"/", "/me", "/career", "/manager", "/people", "/hr"},
    }
    for name, links in expected.items():
        with TestClient(create_app(db_url, shared=True), follow_redirects=False) as client:
            assert sign_in(client, name) == 303
            assert _menu(client) == links, name
            assert f"Signed in as {name} (" in client.get("/").text
            assert _menu(client, "/assessments/999999") == links, name  # the 404 page too
    with TestClient(create_app(db_url), follow_redirects=False) as single_user:
        assert _menu(single_user) == {"/", "/me", "/career", "/manager", "/people", "/hr"}
