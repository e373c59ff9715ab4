"""The admin's account pages, one-time sign-in links and everyone's own password, over HTTP on
`serve --shared`'s app (the browser journeys are in test_web_admin_browser.py): only an admin
opens the account pages (404 to everyone else), every change needs the CSRF token and is
audited, a link is used up by its POST only."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from sfia_assess.store.accounts import check_password
from sfia_assess.store.database import open_engine, reading
from sfia_assess.web.app import create_app

from .seeding import EVERY_ROLE, PASSWORD, add_users, signed_in

ADMIN_GETS = [
    "/admin/accounts",
    "/admin/accounts/new",
    "/admin/accounts/import",
    "/admin/accounts/1",
]
ADMIN_POSTS = [
    "/admin/accounts/new",
    "/admin/accounts/1",
    "/admin/accounts/1/disable",
    "/admin/accounts/1/enable",
    "/admin/accounts/1/link",
    "/admin/accounts/import",
    "/admin/accounts/import/apply",
]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(url, EVERY_ROLE)
    return url


@pytest.fixture
def admin(db_url: str) -> Iterator[TestClient]:
    client = signed_in(db_url, "Ada Admin")
    yield client
    client.__exit__(None, None, None)


def csrf(client: TestClient) -> dict[str, str]:
    return {"csrf_token": client.cookies.get("sfia_csrf") or ""}


def said(text: str, role: str) -> list[str]:
    found = re.findall(rf'role="{role}">([^<]*)', text)
    return [html.unescape(re.sub(r"\s+", " ", t).strip()) for t in found]


def audit_lines(url: str) -> list[tuple[str, str, str]]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("select actor, action, target from audit order by id")
            )
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def account_id(client: TestClient, name: str) -> str:
    listed = client.get("/admin/accounts", params={"q": name}).text
    found = re.search(rf'href="/admin/accounts/(\d+)">{re.escape(name)}<', listed)
    assert found, listed
    return found.group(1)


@pytest.mark.parametrize("name", ["Priya Nair", "Daniel Okafor", "Hana Reid"])
def test_the_account_pages_are_404_to_everyone_but_an_admin(db_url: str, name: str) -> None:
    client = signed_in(db_url, name)
    try:
        for path in ADMIN_GETS:
            assert client.get(path).status_code == 404, path
        for path in ADMIN_POSTS:
            answer = client.post(path, data={**csrf(client), "name": "X", "login": "x"})
            assert answer.status_code == 404, path
        assert "Accounts (admin)" not in client.get("/").text
    finally:
        client.__exit__(None, None, None)


def test_a_post_without_the_csrf_token_is_refused(admin: TestClient) -> None:
    answer = admin.post("/admin/accounts/new", data={"name": "X", "login": "x"})
    assert answer.status_code == 403


def test_the_list_searches_by_name_login_role_and_manager_and_pages(
    admin: TestClient, db_url: str
) -> None:
    page = admin.get("/admin/accounts").text
    assert "Accounts (admin)" in page and page.count('href="/admin/accounts/') >= 6
    assert "Priya Nair" in admin.get("/admin/accounts", params={"q": "NAIR"}).text
    by_manager = admin.get("/admin/accounts", params={"q": "daniel okafor"}).text
    assert "Priya Nair" in by_manager and "Sam Lee" not in by_manager
    by_role = admin.get("/admin/accounts", params={"q": "hr"}).text
    assert "Hana Reid" in by_role and "Priya Nair" not in by_role
    assert "No account matches" in admin.get("/admin/accounts", params={"q": "zz%_"}).text
    many = "id,name\n" + "".join(f"p{n:03},Person {n:03}\n" for n in range(120))
    assert _import(admin, many.encode())[0] == 200
    first = admin.get("/admin/accounts", params={"q": "person"}).text
    assert "Showing 1&ndash;50 of 120. Page 1 of 3." in first
    last = admin.get("/admin/accounts", params={"q": "person", "page": "3"}).text
    assert "Person 119" in last and "Person 000" not in last
    assert ("Ada Admin", "viewed", "/admin/accounts?q=person") in audit_lines(db_url)


def test_add_change_manager_disable_and_enable(admin: TestClient, db_url: str) -> None:
    form = {
        **csrf(admin),
        "name": "Ren Blanc",
        "login": "ren@example.com",
        "email": "Ren@Example.com",
        "role": "practitioner",
        "manager": "Daniel Okafor",
        "title": "Analyst",
    }
    added = admin.post("/admin/accounts/new", data=form)
    assert added.status_code == 303
    where = added.headers["location"].split("?")[0]
    assert "Added Ren Blanc" in admin.get(added.headers["location"]).text
    again = admin.post("/admin/accounts/new", data=form)
    assert again.status_code == 422
    assert said(again.text, "alert") == [
        "An account with the login 'ren@example.com' already exists."
    ]
    changed = admin.post(
        where, data={**csrf(admin), "role": "practitioner", "manager": "Morgan Ellis", "title": ""}
    )
    assert said(changed.text, "status") == [
        "Saved: title Analyst → (none); manager Daniel Okafor → Morgan Ellis"
    ]
    refused = admin.post(where, data={**csrf(admin), "role": "practitioner", "manager": "Sam Lee"})
    assert said(refused.text, "alert") == [
        "Sam Lee has the role practitioner; give them the role manager first."
    ]
    morgan = account_id(admin, "Morgan Ellis")
    loop = admin.post(
        f"/admin/accounts/{morgan}",
        data={**csrf(admin), "role": "manager", "manager": "ren@example.com"},
    )
    assert "Ren Blanc (ren@example.com) has the role practitioner" in loop.text
    busy = admin.post(f"/admin/accounts/{morgan}/disable", data=csrf(admin))
    assert busy.status_code == 422
    assert said(busy.text, "alert")[0].startswith(
        "Morgan Ellis manages Ren Blanc (ren@example.com), Sam Lee; give them another manager"
    )
    off = admin.post(f"{where}/disable", data=csrf(admin))
    assert said(off.text, "status") == ["Disabled: they can no longer sign in."]
    on = admin.post(f"{where}/enable", data=csrf(admin))
    assert said(on.text, "status") == ["Enabled again: they can sign in."]
    actions = [(a, t) for who, a, t in audit_lines(db_url) if who == "Ada Admin"]
    assert ("added", "account ren@example.com (practitioner)") in actions
    assert (
        "changed",
        "account ren@example.com: title Analyst -> (none); manager Daniel Okafor -> Morgan Ellis",
    ) in actions
    assert ("disabled", "account ren@example.com") in actions
    assert ("enabled", "account ren@example.com") in actions


def _import(client: TestClient, data: bytes, **more: str) -> tuple[int, str]:
    preview = client.post(
        "/admin/accounts/import", data={**csrf(client), **more}, files={"file": ("p.csv", data)}
    )
    if preview.status_code != 200 or "Apply these changes" not in preview.text:
        return preview.status_code, preview.text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    applied = client.post(
        "/admin/accounts/import/apply",
        data={**csrf(client), **fields},
        files={"none": ("", b"")},
    )
    return applied.status_code, applied.text


def test_an_import_is_previewed_then_applied_and_a_bad_file_names_its_lines(
    admin: TestClient, db_url: str
) -> None:
    good = b"id,name,role,manager\r\nren@example.com,Ren Blanc,,Daniel Okafor\r\n"
    preview = admin.post(
        "/admin/accounts/import", data=csrf(admin), files={"file": ("people.csv", good)}
    )
    assert "Importing people.csv would change: 1 added; 6 unchanged" in preview.text
    assert "add Ren Blanc (ren@example.com): practitioner, manager Daniel Okafor" in preview.text
    assert "Ren Blanc" not in admin.get("/admin/accounts").text  # a preview changes nothing
    status, text = _import(admin, good)
    assert status == 200 and said(text, "status") == ["Imported p.csv: 1 added; 6 unchanged."]
    assert "Nothing to change" in _import(admin, good)[1]
    bad = b"id,name,manager\n,No Id,\nx1,Xi,nobody\n"
    status, text = _import(admin, bad)
    assert status == 422
    assert re.findall(r'<li class="problem">([^<]*)', text) == [
        "Line 2: id is empty; give the person&#39;s login",
        "Line 3: manager &#39;nobody&#39; of &#39;x1&#39; is neither in the file nor an account;"
        " add a row for them",
    ]
    latin = b"id,name\nx1,Ren\xe9e Blanc\n"
    assert "Line 2: is not UTF-8 text" in _import(admin, latin)[1]
    assert any(a == "imported" for _, a, _ in audit_lines(db_url))


def test_an_apply_after_the_accounts_changed_shows_the_new_preview(admin: TestClient) -> None:
    data = b"id,name\nren@example.com,Ren Blanc\n"
    preview = admin.post(
        "/admin/accounts/import", data=csrf(admin), files={"file": ("p.csv", data)}
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    fields["digest"] = "0" * 64  # what another admin's change in between would make of it
    stale = admin.post(
        "/admin/accounts/import/apply", data={**csrf(admin), **fields}, files={"n": ("", b"")}
    )
    assert "The accounts changed since the preview was made" in stale.text
    assert "Ren Blanc" not in admin.get("/admin/accounts").text


def _link(admin: TestClient, name: str) -> str:
    made = admin.post(f"/admin/accounts/{account_id(admin, name)}/link", data=csrf(admin))
    found = re.search(r'id="made-link" readonly value="http://testserver(/link/[^"]+)"', made.text)
    assert found, made.text
    return found.group(1)


def test_a_link_signs_in_once_by_its_post_and_lets_a_password_be_set(
    admin: TestClient, db_url: str
) -> None:
    link = _link(admin, "Priya Nair")
    with TestClient(create_app(db_url, shared=True), follow_redirects=False) as person:
        assert person.get(link).status_code == 200  # a mail scanner's GET uses nothing up
        shown = person.get(link)
        assert shown.status_code == 200 and "Sign in as Priya Nair" in shown.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', shown.text)
        assert token
        assert person.post(link, data={"csrf_token": "forged"}).status_code == 403
        used = person.post(link, data={"csrf_token": token.group(1)})
        assert (used.status_code, used.headers["location"]) == (303, "/account/password")
        form = person.get("/account/password").text
        assert "signed in with your one-time link" in form and "Current password" not in form
        new = "a brand new passphrase"
        done = person.post("/account/password", data={**csrf(person), "new": new, "again": new})
        assert said(done.text, "status")[0].startswith("Your password is set.")
    with TestClient(create_app(db_url, shared=True), follow_redirects=False) as other:
        again = other.get(link)
        assert again.status_code == 410 and said(again.text, "alert") == [
            "This sign-in link has been used already; ask your administrator for a new one."
        ]
        assert other.post(link, data={"csrf_token": "x"}).status_code == 403
        tampered = other.get(link[:-2] + "zz")
        assert said(tampered.text, "alert")[0].startswith("This sign-in link is not one this")
    engine = open_engine(db_url)
    try:
        with reading(engine) as session:
            assert check_password(session, "Priya Nair", "a brand new passphrase") is not None
    finally:
        engine.dispose()
    lines = audit_lines(db_url)
    assert ("Ada Admin", "made-link", "sign-in link for Priya Nair") in lines
    assert ("Priya Nair", "signed-in", "one-time link of Priya Nair") in lines
    assert ("Priya Nair", "password-changed", "own password of Priya Nair") in lines


def test_a_link_of_an_account_disabled_since_is_refused(admin: TestClient, db_url: str) -> None:
    link = _link(admin, "Sam Lee")
    admin.post(f"/admin/accounts/{account_id(admin, 'Sam Lee')}/disable", data=csrf(admin))
    with TestClient(create_app(db_url, shared=True), follow_redirects=False) as person:
        assert said(person.get(link).text, "alert") == [
            "The account of this sign-in link is disabled; ask your administrator."
        ]


def test_changing_ones_own_password_needs_the_current_one(db_url: str) -> None:
    client = signed_in(db_url, "Sam Lee")
    try:
        form = client.get("/account/password").text
        assert "Current password" in form
        new = "another long passphrase"
        wrong = client.post(
            "/account/password",
            data={**csrf(client), "current": "not it", "new": new, "again": new},
        )
        assert wrong.status_code == 422
        assert said(wrong.text, "alert") == ["The current password is not right; type it again."]
        short = client.post(
            "/account/password",
            data={**csrf(client), "current": PASSWORD, "new": "short", "again": "short"},
        )
        assert said(short.text, "alert") == [
            "The new password has under 12 characters; choose a longer one."
        ]
        differ = client.post(
            "/account/password",
            data={**csrf(client), "current": PASSWORD, "new": new, "again": new + "!"},
        )
        assert said(differ.text, "alert") == [
            "The two new passwords differ; type the same one twice."
        ]
        done = client.post(
            "/account/password",
            data={**csrf(client), "current": PASSWORD, "new": new, "again": new},
        )
        assert done.status_code == 200 and "Your password is set" in done.text
        assert client.post("/account/password", data={"new": new, "again": new}).status_code == 403
    finally:
        client.__exit__(None, None, None)
    engine = open_engine(db_url)
    try:
        with reading(engine) as session:
            assert check_password(session, "Sam Lee", PASSWORD) is None
            assert check_password(session, "Sam Lee", "another long passphrase") is not None
    finally:
        engine.dispose()
