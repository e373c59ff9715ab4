"""web/paging: long lists a page at a time; HR's dashboard pages through everyone and finds a
person by name or role (61 people recorded, 50 to a page)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES

PEOPLE = 61


def _people_store(tmp_path: Path) -> str:
    text = (EXAMPLES / "sam-lee-analyst.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "people"
    folder.mkdir()
    for n in range(PEOPLE):
        (folder / f"p{n:03d}.yaml").write_text(
            text.replace("Sam Lee", f"Person {n:03d}"), encoding="utf-8"
        )
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    result = CliRunner().invoke(cli, ["record", str(folder), "--db", url])
    assert result.exit_code == 0, result.output
    return url


def _names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">(?:<a href="/people/\d+">)?(Person \d{3})', page)


def test_the_dashboard_pages_through_everyone_and_finds_by_name(tmp_path: Path) -> None:
    url = _people_store(tmp_path)
    with TestClient(create_app(url)) as client:
        first = client.get("/hr").text
        second = client.get("/hr", params={"page": "2"}).text
        beyond = client.get("/hr", params={"page": "99"}).text
        unicode_digit = client.get("/hr", params={"page": "\u00b2"})
        found = client.get("/hr", params={"q": "person  00"}).text
    assert len(_names(first)) == 50 and len(_names(second)) == 11
    assert set(_names(first)).isdisjoint(_names(second))
    assert len(set(_names(first)) | set(_names(second))) == PEOPLE
    assert "Showing 1&ndash;50 of 61. Page 1 of 2." in first
    assert 'href="?page=2" rel="next"' in first
    assert 'href="?" rel="prev"' in second  # page 1 is the page without ?page
    assert _names(beyond) == _names(second)  # past the last page: the last page
    assert unicode_digit.status_code == 200 and len(_names(unicode_digit.text)) == 50
    assert sorted(_names(found)) == [f"Person {n:03d}" for n in range(10)]
    assert "10 people whose name or role holds <strong>person 00</strong>" in found
    assert "Pages of people" not in found  # one page: no pager


def test_a_search_keeps_the_filters_in_the_page_links(tmp_path: Path) -> None:
    url = _people_store(tmp_path)
    with TestClient(create_app(url)) as client:
        page = client.get("/hr", params={"q": "analyst"}).text
    assert 'href="?q=analyst&amp;page=2" rel="next"' in page
