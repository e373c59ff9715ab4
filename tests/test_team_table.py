"""HR's downloads: one row per person and skill, with the assessed, submitted and signed-off
dates, the assessor and the agreed level; in the XLSX dates are dates, coverage percentages and
the header has an autofilter; the CSV holds the same values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import default_policy
from sfia_assess.core.roster import roster_of_cards
from sfia_assess.core.team_table import COLUMNS, team_table
from sfia_assess.store import open_store, reading, writing
from sfia_assess.store import workflow as flow
from sfia_assess.store.teams import KeptScores, account_managers, team_dated
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES

SELF = (EXAMPLES / "priya-nair-coordinator.yaml").read_bytes()
MANAGER = (EXAMPLES / "priya-nair-manager.yaml").read_bytes()
SAM = (EXAMPLES / "sam-lee-analyst.yaml").read_bytes()
NAMES = [name for name, _ in COLUMNS]


def _signed_off_store(url: str) -> int:
    """Priya drafts, submits to Daniel, who reviews and signs off; Sam only drafts."""
    catalog, policy = Catalog(), default_policy()
    with open_store(url) as engine:
        own = writing(
            engine,
            lambda s: flow.save_draft(s, SELF, "priya.yaml", catalog, policy, actor="Priya").id,
        )
        writing(engine, lambda s: flow.submit(s, own, actor="Priya", manager="Daniel Okafor"))
        writing(
            engine,
            lambda s: flow.record_review(
                s, own, MANAGER, "review.yaml", catalog, policy, actor="Daniel Okafor"
            ),
        )
        writing(engine, lambda s: flow.sign_off(s, own, actor="Daniel Okafor"))
        writing(engine, lambda s: flow.save_draft(s, SAM, "sam.yaml", catalog, policy, actor="Sam"))
    return own


def test_rows_carry_the_workflow_dates_and_the_agreed_level(store_url: str) -> None:
    _signed_off_store(store_url)
    today = dt.datetime.now(dt.UTC).date()
    catalog = Catalog()
    with open_store(store_url) as engine, reading(engine) as session:
        dated = team_dated(session)
        cards = [c for d in dated for c in (d.own, d.review) if c is not None]
        score = KeptScores(catalog, default_policy()).scorer(session, cards, "agreed")
        rows = team_table(dated, roster_of_cards(cards, account_managers(session)), catalog, score)
    by_name = {row[0]: dict(zip(NAMES, row, strict=True)) for row in rows}
    assert list(by_name) == ["Priya Nair", "Sam Lee"]
    priya, sam = by_name["Priya Nair"], by_name["Sam Lee"]
    assert (priya["level"], priya["level_basis"], priya["self_level"], priya["agreed_level"]) == (
        3,
        "agreed",
        4,
        3,
    )
    assert priya["assessor"] == "Daniel Okafor"
    assert priya["assessed_on"] == dt.date(2026, 9, 15)
    assert priya["submitted_on"] == today and priya["signed_off_on"] == today
    assert (sam["submitted_on"], sam["signed_off_on"], sam["assessor"]) == (None, None, None)
    # USUP in SFIA 9 defines levels 1 to 6: there is no coverage at 7, rather than 0%.
    assert priya["coverage_l7"] is None and isinstance(priya["coverage_l3"], float)


def test_the_xlsx_shows_dates_as_dates_and_coverage_as_percentages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    _signed_off_store(url)
    with TestClient(create_app(url)) as client:
        book = load_workbook(io.BytesIO(client.get("/hr/team.xlsx").content))
        text = client.get("/hr/team.csv").text
    sheet = book.active
    assert sheet.auto_filter.ref == sheet.dimensions
    header = [cell.value for cell in sheet[1]]
    assert header == NAMES
    priya = dict(zip(header, sheet[2], strict=True))
    assert priya["person"].value == "Priya Nair"
    assert priya["assessed_on"].is_date and priya["assessed_on"].number_format == "yyyy-mm-dd"
    assert priya["assessed_on"].value.date() == dt.date(2026, 9, 15)
    assert priya["signed_off_on"].is_date
    assert priya["coverage_l3"].number_format == "0.0%"
    assert 0 < priya["coverage_l3"].value <= 1
    assert priya["coverage_l7"].value is None
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == NAMES
    assert rows[0]["assessed_on"] == "2026-09-15"
    assert rows[0]["coverage_l3"] == f"{priya['coverage_l3'].value * 100:.1f}%"
    assert rows[0]["coverage_l7"] == "" and rows[1]["submitted_on"] == ""


def test_every_skill_of_a_person_has_its_row(tmp_path: Path) -> None:
    """The dashboard shows one skill at a time; the download holds every skill recorded (the
    SFIA 8 record of Jordan Park beside everyone's SFIA 9), not only the view's."""
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    recorded = CliRunner().invoke(
        cli, ["record", *map(str, sorted(EXAMPLES.glob("*.yaml"))), "--db", url]
    )
    assert recorded.exit_code == 0, recorded.output
    with TestClient(create_app(url)) as client:
        rows = list(csv.DictReader(io.StringIO(client.get("/hr/team.csv").text)))
    assert [(r["person"], r["skill"], r["sfia_version"]) for r in rows] == [
        ("Alex Kim", "USUP", "9"),
        ("Jordan Park", "USUP", "8"),
        ("Morgan Ellis", "USUP", "9"),
        ("Priya Nair", "USUP", "9"),
        ("Sam Lee", "USUP", "9"),
    ]
