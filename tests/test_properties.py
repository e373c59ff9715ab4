"""Scoring invariants and loader robustness, checked over generated inputs (hypothesis)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.result import Result
from sfia_assess.core.scoring import score
from sfia_assess.errors import SfiaAssessError

from .conftest import ASSESSED_ON, assessment_data

CATALOG = Catalog()
SKILL = CATALOG.skill("USUP", 9)
IDS = list(SKILL.statements_by_id)
RATINGS = ["not-yet", "sometimes", "usually", "consistently"]

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=ASSESSED_ON)
ratings = st.dictionaries(st.sampled_from(IDS), st.sampled_from(RATINGS), max_size=len(IDS))
evidence_items = st.lists(
    st.tuples(dates, st.lists(st.sampled_from(IDS), min_size=1, max_size=4)), max_size=25
)


def build(rating_map: dict[str, str], items: list[tuple[dt.date, list[str]]]) -> dict[str, Any]:
    return assessment_data(
        ratings=dict(rating_map),
        evidence=[
            {"id": f"e{i}", "summary": "Did the work.", "date": day, "supports": supports}
            for i, (day, supports) in enumerate(items)
        ],
    )


def scored(data: dict[str, Any]) -> Result:
    return score(parse_assessment(yaml.safe_dump(data), "p.yaml", CATALOG))


def level(result: Result) -> int:
    return result.recommended_level or 0


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(ratings, evidence_items, dates, st.lists(st.sampled_from(IDS), min_size=1, max_size=5))
def test_adding_evidence_never_lowers_the_level(
    rating_map: dict[str, str],
    items: list[tuple[dt.date, list[str]]],
    day: dt.date,
    extra: list[str],
) -> None:
    before = scored(build(rating_map, items))
    after = scored(build(rating_map, [*items, (day, extra)]))
    assert level(after) >= level(before)


@fast
@given(ratings, evidence_items, st.sampled_from(IDS))
def test_raising_a_rating_never_lowers_the_level(
    rating_map: dict[str, str], items: list[tuple[dt.date, list[str]]], statement: str
) -> None:
    before = scored(build(rating_map, items))
    current = RATINGS.index(rating_map.get(statement, "not-yet"))
    raised = {**rating_map, statement: RATINGS[min(current + 1, 3)]}
    after = scored(build(raised, items))
    assert level(after) >= level(before)


@fast
@given(ratings, evidence_items)
def test_results_name_only_catalog_ids_and_gaps_are_consistent(
    rating_map: dict[str, str], items: list[tuple[dt.date, list[str]]]
) -> None:
    result = scored(build(rating_map, items))
    assert {s.id for s in result.statements} == set(IDS)
    assert {g.id for g in result.gaps} <= set(IDS)
    for gap in result.gaps:
        statement = next(s for s in result.statements if s.id == gap.id)
        assert not statement.demonstrated
        assert (result.recommended_level or 0) < gap.level <= (result.target_level or 0)
    for lv in result.levels:
        assert lv.reached == (lv.demonstrated >= lv.needed)


FUZZ = settings(
    # SFIA_FUZZ_EXAMPLES=20000 for a long run; the default keeps CI quick.
    max_examples=int(os.environ.get("SFIA_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates(),
    st.binary(max_size=10),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
fields = [
    "sfia_version",
    "skill",
    "subject",
    "assessor",
    "assessed_on",
    "target_level",
    "ratings",
    "evidence",
]


@FUZZ
@given(st.dictionaries(st.sampled_from(fields), yaml_values, max_size=8))
def test_any_mapping_gives_a_result_or_a_clear_error(mutation: dict[str, Any]) -> None:
    data = assessment_data(ratings={"USUP-3.1": "usually"})
    data.update(mutation)
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    try:
        scored_result = score(parse_assessment(text, "fuzz.yaml", CATALOG))
    except SfiaAssessError as exc:
        assert str(exc).startswith("fuzz.yaml")
    else:
        assert scored_result.skill.code == "USUP"


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_clear_error(raw: bytes) -> None:
    try:
        parse_assessment(raw, "fuzz.yaml", CATALOG)
    except SfiaAssessError as exc:
        assert str(exc).startswith("fuzz.yaml")


@FUZZ
@given(
    st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!?|>'\"#%@`,\n\t 0123\ufeff\r")), max_size=80)
)
def test_yaml_shaped_text_gives_a_result_or_a_clear_error(text: str) -> None:
    try:
        parse_assessment(text, "fuzz.yaml", CATALOG)
    except SfiaAssessError as exc:
        assert str(exc).startswith("fuzz.yaml")


near_valid = st.builds(
    lambda base, mutation: {**base, **mutation},
    st.builds(lambda: assessment_data(ratings={"USUP-3.1": "usually"})),
    st.dictionaries(st.sampled_from(fields), yaml_values, max_size=3),
)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400),
        near_valid.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_cli_never_tracebacks_and_writes_nothing_on_error(
    tmp_path_factory: pytest.TempPathFactory, payload: bytes | str, newline: str, bom: bool
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    raw = payload if isinstance(payload, bytes) else payload.replace("\n", newline).encode("utf-8")
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    source = folder / "in.yaml"
    source.write_bytes(raw)
    out = folder / "out.json"
    result = CliRunner().invoke(cli, ["assess", str(source), "--format", "json", "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 1:
        assert not out.exists()
        assert result.output.startswith(str(source)) or result.output.startswith("Error:")
    assert [p.name for p in folder.iterdir() if p.name.endswith(".part")] == []


# -- shapes an adversarial review used: aliases of long strings, control characters, odd years

_controls = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\x00\x07\x08\x1b\x7f\x85\u2028\u2029\r\n\t\ufeff\ufffe")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    min_size=1,
    max_size=30,
)


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, default_style='"', width=10_000).strip()


@st.composite
def hostile_files(draw: st.DrawFn) -> str:
    year = draw(st.integers(min_value=1, max_value=9999))
    day = dt.date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    long_size = draw(st.sampled_from([10, 3_000, 9_000]))
    aliases = draw(st.integers(min_value=0, max_value=120))
    name = _quoted(draw(_controls))
    raw_name = draw(st.booleans())
    lines = [
        "sfia_version: 9",
        "skill: USUP",
        f"subject: {{name: {draw(_controls) if raw_name else name}}}",
        f"assessor: {{name: {name}, relation: self}}",
        f"assessed_on: {day.isoformat()}",
        "ratings: {USUP-3.1: usually}",
        "evidence:",
        f"  - {{id: first, summary: &long {'x' * long_size}, date: {day.isoformat()}}}",
    ]
    for i in range(aliases):
        summary = "*long" if i % 2 == 0 else _quoted(draw(_controls))
        lines.append(
            f"  - {{id: e{i}, summary: {summary}, date: {day.isoformat()}, supports: [USUP-3.1]}}"
        )
    return "\n".join(lines) + "\n"


@FUZZ
@given(hostile_files())
def test_hostile_shapes_give_a_report_or_a_clear_error(text: str) -> None:
    from sfia_assess.reports import Format
    from sfia_assess.reports.gap import render
    from sfia_assess.reports.gap.model import build_report

    try:
        loaded = parse_assessment(text, "fuzz.yaml", CATALOG)
    except SfiaAssessError as exc:
        assert str(exc).startswith("fuzz.yaml")
        return
    result = score(loaded)
    report = build_report(result, CATALOG, dt.date(2026, 11, 1))
    assert render(report, Format.JSON)
    assert render(report, Format.TEXT)
