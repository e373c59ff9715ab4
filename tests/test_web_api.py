"""The JSON API answers what the CLI prints, refuses what the CLI refuses, in the same words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.files.yamlfile import MAX_BYTES
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=True) as test_client:
        yield test_client


def _cli_json(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", ["sam-lee-analyst.yaml", "priya-nair-coordinator.yaml"])
def test_api_assess_answers_exactly_what_assess_json_prints(
    client: TestClient, runner: CliRunner, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    path = f"examples/{name}"
    expected = _cli_json(runner, "assess", path)
    response = client.post(f"/api/assess?file={path}", content=Path(path).read_bytes())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == expected


def test_api_assess_takes_json_too(client: TestClient, runner: CliRunner) -> None:
    path = EXAMPLES / "sam-lee-analyst.yaml"
    as_json = json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str)
    response = client.post(f"/api/assess?file={path}", content=as_json)
    assert response.status_code == 200
    assert response.text == _cli_json(runner, "assess", str(path))


def test_api_assess_target_option_matches_the_cli(client: TestClient, runner: CliRunner) -> None:
    path = EXAMPLES / "sam-lee-analyst.yaml"
    response = client.post(f"/api/assess?file={path}&target=4", content=path.read_bytes())
    assert response.text == _cli_json(runner, "assess", str(path), "--target", "4")


def test_api_assess_bad_yaml_is_422_with_the_cli_problems_and_lines(
    client: TestClient, runner: CliRunner, tmp_path: Path
) -> None:
    text = (EXAMPLES / "sam-lee-analyst.yaml").read_text("utf-8")
    text = text.replace("USUP-2.1: usually", "USUP-2.1: always", 1)
    text = text.replace("kind: work-record", "kind: blog", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, "utf-8")
    cli_result = runner.invoke(cli, ["validate", str(bad)])
    assert cli_result.exit_code == 1

    response = client.post(f"/api/assess?file={bad}", content=text)
    assert response.status_code == 422
    body = response.json()
    assert body["message"] + "\n" == cli_result.stderr
    assert len(body["problems"]) == 2
    assert all(isinstance(p["line"], int) and p["line"] > 1 for p in body["problems"])
    assert {p["file"] for p in body["problems"]} == {str(bad)}


def test_api_assess_unnamed_body_is_called_body(client: TestClient) -> None:
    response = client.post("/api/assess", content="sfia_version: 9\nskill: USUP\n")
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems[0]["file"] == "body"
    assert "subject is missing; add it" in [p["message"] for p in problems]


def test_api_assess_body_over_the_size_limit_is_413(client: TestClient) -> None:
    response = client.post("/api/assess", content=b"#" * (MAX_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["message"] == (
        "the body is over 2,097,152 bytes and is refused; an assessment may have up to"
        " 2,097,152 bytes, as in the CLI"
    )


def test_api_review_body_over_twice_the_size_limit_is_413(client: TestClient) -> None:
    response = client.post("/api/review", content=b"#" * (2 * MAX_BYTES + 1))
    assert response.status_code == 413


def test_api_review_answers_exactly_what_review_json_prints(
    client: TestClient, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    own, manager = "examples/priya-nair-coordinator.yaml", "examples/priya-nair-manager.yaml"
    expected = _cli_json(runner, "review", own, manager)
    body = {"self": Path(own).read_text("utf-8"), "manager": Path(manager).read_text("utf-8")}
    response = client.post(f"/api/review?self={own}&manager={manager}", content=json.dumps(body))
    assert response.status_code == 200
    assert response.text == expected


def test_api_review_with_mappings_gives_lines_in_the_body(client: TestClient) -> None:
    own = yaml.safe_load((EXAMPLES / "priya-nair-coordinator.yaml").read_text("utf-8"))
    manager = yaml.safe_load((EXAMPLES / "priya-nair-manager.yaml").read_text("utf-8"))
    manager["ratings"]["USUP-4.1"] = "often"
    body = yaml.safe_dump({"self": own, "manager": manager}, sort_keys=False)
    response = client.post("/api/review", content=body)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    line = body.splitlines()[problem["line"] - 1]
    assert "USUP-4.1: often" in line
    assert problem["file"] == "body"


def test_api_review_missing_side_is_422(client: TestClient) -> None:
    response = client.post("/api/review", content="self: {}\n")
    assert response.status_code == 422
    assert "manager is missing" in response.json()["message"]
