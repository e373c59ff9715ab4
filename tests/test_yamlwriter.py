"""Every YAML file the tool writes reads back as what it meant: init, init --manager, migrate,
suggest --write."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import check_document, parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.matcher import annotated_file, matcher_for, suggest
from sfia_assess.core.migrate import migrate
from sfia_assess.core.starter import manager_template
from sfia_assess.errors import SfiaAssessError
from sfia_assess.files.yamlfile import parse_yaml
from sfia_assess.files.yamlwriter import comment, value

from .conftest import assessment_data

CATALOG = Catalog()
SFIA8 = list(CATALOG.skill("USUP", 8).statements_by_id)
HOSTILE = [
    "Eve Adams\ntarget_level: 6\n#",
    "Esc\x1b[2J Name",
    "Next\x85Line",
    "Line\u2028Sep",
    "Para\u2029Sep",
    "Del\x7f",
    "Quote \"double\" and 'single'",
    "Colon: here # not a comment",
    "- dash",
    "0x1F",
    "yes",
    "~",
    "&anchor *alias",
    "tab\there",
    "trailing space ",
]


class _Quoting(yaml.SafeDumper):
    """Strings double-quoted: PyYAML's plain and single-quoted styles fold U+0085 and U+2028."""


_Quoting.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Quoting, allow_unicode=True, sort_keys=False)


def _write(tmp_path: Path, data: dict[str, Any], name: str = "in.yaml") -> Path:
    path = tmp_path / name
    path.write_text(_dump(data), "utf-8")
    return path


@pytest.mark.parametrize("name", HOSTILE)
def test_init_manager_writes_the_name_as_data_never_as_yaml(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    own = _write(tmp_path, assessment_data(ratings={"USUP-3.1": "usually"}, subject={"name": name}))
    assert runner.invoke(cli, ["validate", str(own)]).exit_code == 0
    out = tmp_path / "review.yaml"
    result = runner.invoke(cli, ["init", "--manager", str(own), "-o", str(out)])
    assert result.exit_code == 0, result.output
    checked = runner.invoke(cli, ["validate", str(out)])
    assert checked.exit_code == 0, checked.output
    data = parse_yaml(out.read_bytes(), "review.yaml").data
    assert data["subject"]["name"] == name.strip()
    assert "target_level" not in data


@pytest.mark.parametrize("name", HOSTILE)
def test_migrate_keeps_every_character_of_a_name(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    own = _write(
        tmp_path,
        assessment_data(
            sfia_version=8,
            ratings={SFIA8[0]: "usually"},
            subject={"name": name, "role": name},
            evidence=[
                {"id": name, "summary": name, "date": dt.date(2026, 1, 5), "supports": [SFIA8[0]]}
            ],
        ),
    )
    out = tmp_path / "nine.yaml"
    result = runner.invoke(cli, ["migrate", str(own), "--to", "9", "-o", str(out)])
    assert result.exit_code == 0, result.output
    loaded = parse_assessment(out.read_bytes(), "nine.yaml", CATALOG)
    assert loaded.assessment.subject.name == name.strip()
    assert loaded.assessment.subject.role == name.strip()
    assert loaded.assessment.evidence[0].summary == name.strip()


def test_migrate_keeps_a_multi_line_summary_as_a_block(tmp_path: Path) -> None:
    summary = "Ran the major incident bridge.\nRestored service in 40 minutes.\n\nWrote the review."
    data = assessment_data(
        sfia_version=8,
        evidence=[{"id": "e1", "summary": summary, "date": dt.date(2026, 1, 5)}],
    )
    loaded = parse_assessment(yaml.safe_dump(data), "in.yaml", CATALOG)
    text = migrate(loaded, CATALOG, 9).text
    assert "    summary: |-\n      Ran the major incident bridge.\n" in text
    assert parse_assessment(text, "out.yaml", CATALOG).assessment.evidence[0].summary == summary


def test_suggest_write_refuses_to_change_a_multi_line_flow_summary(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "flow.yaml"
    base = yaml.safe_dump(assessment_data(ratings={"USUP-3.1": "usually"}), sort_keys=False)
    source.write_text(
        base.replace("evidence: []\n", "")
        + "evidence:\n"
        + '- {id: e1, date: 2026-09-01, supports: [USUP-3.1], summary: "Restored the mail\n'
        + '    service after an outage and logged every incident"}\n',
        "utf-8",
    )
    assert runner.invoke(cli, ["validate", str(source)]).exit_code == 0
    out = tmp_path / "out.yaml"
    result = runner.invoke(cli, ["suggest", str(source), "--write", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "without changing what the file says" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_suggest_write_keeps_the_data_of_an_ordinary_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = Path(__file__).resolve().parent.parent / "examples" / "sam-lee-analyst.yaml"
    out = tmp_path / "out.yaml"
    result = runner.invoke(cli, ["suggest", str(source), "--write", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "# suggested:" in out.read_text("utf-8")
    assert parse_yaml(out.read_bytes(), "out").data == parse_yaml(source.read_bytes(), "in").data


def test_a_comment_never_ends_early() -> None:
    for text in HOSTILE:
        line = comment(text)
        assert parse_yaml(f"{line}\na: 1\n", "c.yaml").data == {"a": 1}


# -- the property: whatever the writers write validates and keeps every rating and evidence item

_awkward = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\x7f\x1b\x85\u2028\u2029\"':#-&*!|>%@`\n\t {}[],\\~")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: bool(s.strip()))

FUZZ = settings(
    max_examples=int(os.environ.get("SFIA_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _readable(data: dict[str, Any]) -> Any:
    """The file as a person could have written it, or None when our reader refuses it anyway."""
    text = _dump(data)
    try:
        document = parse_yaml(text, "in.yaml")
        return check_document(document, CATALOG), document, text
    except SfiaAssessError:
        return None


@FUZZ
@given(
    name=_awkward,
    summaries=st.lists(_awkward, min_size=1, max_size=3),
    ratings=st.dictionaries(
        st.sampled_from(SFIA8), st.sampled_from(["sometimes", "usually"]), max_size=4
    ),
)
@example(name="Eve\x85Adams", summaries=["a\u2028b", "x\ny: z"], ratings={SFIA8[0]: "usually"})
def test_written_files_validate_and_keep_every_rating_and_evidence_item(
    name: str, summaries: list[str], ratings: dict[str, str]
) -> None:
    evidence = [
        {
            "id": f"{name[:20]}-{i}",
            "summary": s,
            "date": dt.date(2026, 1, 5),
            "supports": [*ratings],
        }
        for i, s in enumerate(summaries)
    ]
    data = assessment_data(
        sfia_version=8, ratings=ratings, evidence=evidence, subject={"name": name, "role": name}
    )
    found = _readable(data)
    if found is None:
        return
    loaded, _, _ = found
    migration = migrate(loaded, CATALOG, 9)
    migrated = parse_assessment(migration.text, "nine.yaml", CATALOG)
    before = loaded.assessment
    after = migrated.assessment
    assert after.subject == before.subject
    assert [(e.id, e.summary, e.date) for e in after.evidence] == [
        (e.id, e.summary, e.date) for e in before.evidence
    ]
    # every rating arrives somewhere, or a note says why not
    assert set(after.ratings) == set(migration.rating_origins)
    for old_id in before.ratings:
        carried = any(
            o.startswith(f"{old_id} ")
            for origins in migration.rating_origins.values()
            for o in origins
        )
        assert carried or any(n.startswith(f"Rating {old_id}:") for n in after.migration_notes)

    nine = _readable(
        {
            **data,
            "sfia_version": 9,
            "ratings": {"USUP-3.1": "usually"},
            "evidence": [{**e, "supports": ["USUP-3.1"]} for e in evidence],
        }
    )
    assert nine is not None
    loaded9, document9, text9 = nine
    review = parse_assessment(
        manager_template(loaded9, today=dt.date(2026, 11, 1)), "review.yaml", CATALOG
    )
    assert review.assessment.subject == loaded9.assessment.subject

    annotated = annotated_file(text9, document9, suggest(loaded9, 3, matcher_for(loaded9.skill)))
    try:
        reread = parse_yaml(annotated, "annotated.yaml").data
    except SfiaAssessError:
        reread = None
    assert reread == document9.data


def test_value_is_one_line_and_reads_back() -> None:
    for text in HOSTILE:
        written = value(text)
        assert "\n" not in written
        assert parse_yaml(f"k: {written}\n", "v.yaml").data == {"k": text}


def test_migrate_keeps_the_persons_comments_where_they_belong(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = Path(__file__).resolve().parent / "data" / "commented-sfia8.yaml"
    out = tmp_path / "nine.yaml"
    result = runner.invoke(cli, ["migrate", str(source), "--to", "9", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    top = text[: text.index("sfia_version:")]
    assert "# Jordan's notes for the 2026 review" in top and "# end of file note" in top
    ratings = text[text.index("ratings:") : text.index("evidence:")]
    # a comment above a rating, and one after it, go with the rating it became
    assert ratings.index("# I do this on every shift") < ratings.index("USUP-1.1: usually")
    assert ratings.index("# only on nights") < ratings.index("USUP-2.1: sometimes")
    assert ratings.index("USUP-1.1: usually") < ratings.index("# only on nights")
    evidence = text[text.index("evidence:") : text.index("migration_notes:")]
    assert evidence.index("# ask Priya to verify") < evidence.index("- id: e2")
    assert evidence.index("- id: e2") < evidence.index("    # approx")
    assert "    summary: |-\n      Ran the bridge for the mail outage.\n" in evidence
    # the tool's own comments of the old version are not carried over
    assert "Statement texts:" not in text
    loaded = parse_assessment(out.read_bytes(), "nine.yaml", CATALOG)
    assert [e.id for e in loaded.assessment.evidence] == ["e1", "e2"]


@given(st.sampled_from(HOSTILE), st.text(max_size=40))
@settings(max_examples=60, deadline=None)
def test_document_read_is_document_and_its_reading_in_one_parse(name: str, summary: str) -> None:
    # The web's live check writes the form and reads it once (the check and the loader's read
    # were two parses): the same text, the same data, with the lines the loader reports.
    from sfia_assess.files.yamlwriter import WriteCheckError, document, document_read

    data = {"subject": {"name": name}, "evidence": [{"id": "e1", "summary": summary}]}
    text, found = document_read(data, "form.yaml")
    assert text == document(data, "the assessment file")
    assert found.data == data and found.file == "form.yaml"
    assert found.line_of(("evidence", 0, "summary")) == text.splitlines().index("evidence:") + 3
    with pytest.raises(WriteCheckError, match=r"form\.yaml: the YAML written would not read back"):
        document_read({"x": float("nan")}, "form.yaml")  # nan is never equal to itself
