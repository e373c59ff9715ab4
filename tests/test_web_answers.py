"""What the web app answers when a request is odd: escaped error pages, numbers that are ASCII
digits only, file names in any script, and the headers records and exports go out with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sfia_assess.web.app import create_app

from .conftest import EXAMPLES
from .test_web_hr import record, signed_in


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    from .test_web_hr import add_accounts

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, *sorted(EXAMPLES.glob("*.yaml")))
    add_accounts(url)
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
