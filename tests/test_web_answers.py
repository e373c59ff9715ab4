"""What the web app answers when a request is odd: escaped error pages, numbers that are ASCII
digits only, file names in any script, and the headers records and exports go out with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sfia_assess.web.app import create_app

from .conftest import EXAMPLES
from .forms import form_of
from .seeding import EVERY_ROLE, add_users, record, signed_in


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, *sorted(EXAMPLES.glob("*.yaml")))
    add_users(url, EVERY_ROLE)
    return url


@pytest.fixture
def hr(store_url: str) -> Iterator[TestClient]:
    client = signed_in(store_url, "Hana Reid")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def local(store_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(store_url), follow_redirects=False) as client:
        yield client


TAG = "<b>x</b>"


@pytest.mark.parametrize(
    "path",
    [
        f"/hr/profile.pdf?level=3&version={TAG}",
        f"/hr/profile.pdf?level={TAG}",
        f"/hr/profile.pdf?level=3&code={TAG}",
        f"/hr/pathway.pdf?version={TAG}",
    ],
)
def test_a_query_value_in_an_error_comes_back_escaped_never_as_markup(
    hr: TestClient, path: str
) -> None:
    response = hr.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(("text/html", "text/plain"))
    assert "<b>" not in response.text.lower()
    if response.headers["content-type"].startswith("text/html"):
        assert "&lt;b&gt;x&lt;/b&gt;" in response.text.lower()


def test_a_form_value_in_an_error_comes_back_escaped(local: TestClient) -> None:
    form = {"skill": TAG, "sfia_version": "9", "name": "Sam Lee", "assessed_on": "2026-10-01"}
    for path in ("/assessment/check", "/assessment/edit", "/assessment/download.yaml"):
        response = local.post(path, data=form)
        assert response.status_code == 400, path
        assert TAG not in response.text and "&lt;b&gt;x&lt;/b&gt;" in response.text, path


# -- numbers: ASCII digits only; anything else is a 4xx, never a 500 -------------------------

ODD_NUMBERS = ["²", "٣", "-1", "99999999999999999999999", "9" * 5000]


def _form(**more: str) -> dict[str, str]:
    return {**form_of("priya-nair-coordinator.yaml"), **more}


FORM_POSTS = [
    "/assessment/check",
    "/assessment/edit",
    "/assessment/download.yaml",
    "/assessment/report.pdf",
    "/assessment/save",
    "/assessment/submit",
]


@pytest.mark.slow
@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_are_refused_on_every_route_never_a_500(local: TestClient, value: str) -> None:
    """Each (method, path, what is sent, the answers allowed)."""
    cases: list[tuple[str, str, dict[str, str] | None, set[int]]] = [
        ("POST", "/assessment/start", {"skill_version": f"USUP:{value}", "name": "A"}, {422}),
        *[("POST", path, _form(sfia_version=value), {400}) for path in FORM_POSTS],
        *[
            ("POST", path, _form(evidence_count=value), {200, 303, 422})
            for path in FORM_POSTS
            if not path.endswith(".pdf")  # a PDF each: slow, and the same form reading
        ],
        *[("POST", path, _form(target_level=value), {200, 422}) for path in FORM_POSTS[:2]],
        ("GET", f"/hr/profile?level={value}", None, {422}),
        ("GET", f"/hr/profile.pdf?level={value}", None, {400}),
        ("GET", f"/hr/profile?level=3&version={value}", None, {422}),
        ("GET", f"/hr/pathway?version={value}", None, {422}),
        ("GET", f"/hr/pathway.pdf?version={value}", None, {400}),
        ("GET", f"/assessments/{value}", None, {404}),
        ("GET", f"/manager/review/{value}", None, {404}),
        ("GET", f"/manager/review/{value}/signed", None, {404}),
        ("GET", f"/manager/review/{value}/record.pdf", None, {404}),
        ("POST", f"/manager/review/{value}/sign", {}, {404}),
        ("POST", f"/hr/migrate/{value}", {}, {404}),
        ("GET", f"/hr/migrate/{value}", None, {404}),
        ("GET", f"/people/{value}", None, {404}),
    ]
    for method, path, data, answers in cases:
        sent = {k: v for k, v in (data or {}).items() if k != "manager"}
        if path.endswith("/submit"):
            sent["manager"] = "Daniel Okafor"
        response = local.request(method, path, data=sent if method == "POST" else None)
        assert response.status_code in answers, (method, path, sorted(sent.items())[:3])
    own = (EXAMPLES / "priya-nair-coordinator.yaml").read_bytes()
    assessed = local.post("/api/assess", params={"target": value}, content=own)
    assert assessed.status_code == 200  # an odd ?target= is ignored, as before


# -- file names: RFC 6266, any script ----------------------------------------------------------


def test_a_download_named_in_any_script_goes_out_as_rfc_6266(tmp_path: Path) -> None:
    """A review record of `Přehled-Priya-Nair.yaml` gave a 500 (a Latin-1 header)."""
    import shutil

    own = tmp_path / "Přehled-Priya-Nair.yaml"
    shutil.copy(EXAMPLES / "priya-nair-coordinator.yaml", own)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, own, EXAMPLES / "priya-nair-manager.yaml")
    with TestClient(create_app(url)) as client:
        response = client.get("/manager/review/1/record.pdf")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="Prehled-Priya-Nair-review-record.pdf";'
        " filename*=UTF-8''P%C5%99ehled-Priya-Nair-review-record.pdf"
    )
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("report.pdf", "report.pdf"),
        ('a "quoted"; name.pdf', "a-quoted-name.pdf"),
        ("отчёт.pdf", "download.pdf"),
        ("\r\n", "download"),
    ],
)
def test_every_file_name_makes_a_header_latin_1_can_carry(name: str, fallback: str) -> None:
    from urllib.parse import unquote

    from sfia_assess.web.downloads import content_disposition

    header = content_disposition(name)
    header.encode("latin-1")
    assert header.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''")
    assert unquote(header.split("''", 1)[1]) == name


# -- headers: nothing kept in caches, HSTS on https, no server banner --------------------------


def test_records_pdfs_and_exports_are_not_kept_in_any_cache(hr: TestClient) -> None:
    for path in ["/hr", "/hr/team.csv", "/hr/pathway.pdf", "/assessments/1", "/manager/review/1"]:
        response = hr.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    assert hr.get("/nothing-here").headers["cache-control"] == "no-store"
    static = hr.get("/static/web.css")
    assert static.status_code == 200 and "cache-control" not in static.headers


def test_hsts_goes_out_on_https_only(store_url: str) -> None:
    app = create_app(store_url)
    with TestClient(app, base_url="https://testserver") as secure:
        assert secure.get("/").headers["strict-transport-security"] == "max-age=31536000"
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/").headers


@pytest.mark.server
def test_serve_sends_no_server_header(tmp_path: Path) -> None:
    import urllib.request

    from .servers import serving

    with (
        serving(db_url=f"sqlite:///{tmp_path / 'store.db'}") as server,
        urllib.request.urlopen(server.url + "/") as response,
    ):
        assert response.status == 200
        assert response.headers.get("server") is None
        assert response.headers["cache-control"] == "no-store"


# -- a download the audit log records cannot be asked for by another site ----------------------


def _exports(store_url: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select target from audit where action = 'exported'"))
        found = [str(target) for (target,) in rows]
    engine.dispose()
    return found


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"referer": "https://evil.example/page"},
        {"referer": "http://testserver.evil.example/"},
    ],
)
def test_another_site_cannot_make_a_browser_export(
    hr: TestClient, store_url: str, headers: dict[str, str]
) -> None:
    for path in [
        "/hr/team.csv",
        "/hr/team.xlsx",
        "/hr/pathway.pdf",
        "/manager/review/1/record.pdf",
    ]:
        response = hr.get(path, headers=headers)
        assert response.status_code == 403, path
        assert "asked for by another web site" in response.text
    assert _exports(store_url) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "none"},
        {"referer": "http://testserver/hr"},
    ],
)
def test_the_apps_own_pages_and_tools_still_export(
    hr: TestClient, store_url: str, headers: dict[str, str]
) -> None:
    assert hr.get("/hr/team.csv", headers=headers).status_code == 200
    assert _exports(store_url) == ["/hr/team.csv"]
