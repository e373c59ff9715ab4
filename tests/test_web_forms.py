"""The browser's form state and the YAML it writes: what the CLI reads, and back unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sfia_assess.core.assessment import parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.errors import InputFileError
from sfia_assess.web.checking import GENERAL, field_of
from sfia_assess.web.forms import Draft, EvidenceDraft, from_assessment, to_yaml

from .conftest import EXAMPLES

EXAMPLE_COUNT = int(os.environ.get("SFIA_FUZZ_EXAMPLES", "60"))
# Text a person may type: letters of any script, punctuation YAML cares about, line breaks.
TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"),
    min_size=1,
    max_size=80,
).filter(lambda s: s.strip() and "\ufeff" not in s)


def _reread(text: str, catalog: Catalog) -> Draft:
    return from_assessment(parse_assessment(text, "form.yaml", catalog).assessment)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_round_trips_through_the_form(name: str, catalog: Catalog) -> None:
    loaded = parse_assessment((EXAMPLES / name).read_bytes(), name, catalog)
    draft = from_assessment(loaded.assessment)
    text = to_yaml(draft, loaded.skill.statements_by_id)
    again = parse_assessment(text, name, catalog)
    assert again.assessment == loaded.assessment
    assert to_yaml(_reread(text, catalog), loaded.skill.statements_by_id) == text


@settings(max_examples=EXAMPLE_COUNT, deadline=None)
@given(name=TYPED, role=TYPED, summary=TYPED, reference=TYPED)
def test_whatever_is_typed_is_written_so_that_it_reads_back_the_same(
    name: str, role: str, summary: str, reference: str
) -> None:
    catalog = Catalog.default()
    draft = Draft(
        skill="USUP",
        sfia_version="9",
        name=name,
        role=role,
        assessed_on="2026-10-01",
        ratings={"USUP-3.1": "usually"},
        evidence=(
            EvidenceDraft(
                id="e1",
                summary=summary,
                date="2026-09-01",
                reference=reference,
                supports=("USUP-3.1",),
            ),
        ),
        comments={"USUP-3.1": summary},
    )
    text = to_yaml(draft)
    try:
        loaded = parse_assessment(text, "form.yaml", catalog)
    except InputFileError as exc:
        # Refused values are refused with the CLI's message (too long, control characters...),
        # never mangled into something else.
        assert all(p.file == "form.yaml" for p in exc.problems)
        return
    a = loaded.assessment
    assert (a.subject.name, a.subject.role) == (name.strip(), role.strip())
    assert a.evidence[0].summary == summary.strip()
    assert a.evidence[0].reference == reference.strip()
    assert a.comments == {"USUP-3.1": summary.strip()}


def test_typed_values_are_written_as_a_person_would(catalog: Catalog) -> None:
    draft = Draft(
        skill="USUP",
        sfia_version="9",
        name="Sam: Lee # not a comment",
        assessed_on="2026-10-01",
        target_level="3",
        ratings={"USUP-3.2": "usually", "USUP-2.1": "sometimes"},
        evidence=(
            EvidenceDraft(id="e1", summary="yes", date="2026-09-01", supports=("USUP-3.2",)),
        ),
    )
    data = yaml.safe_load(to_yaml(draft, catalog.skill("USUP", 9).statements_by_id))
    assert data["subject"]["name"] == "Sam: Lee # not a comment"
    assert data["assessor"] == {"name": "Sam: Lee # not a comment", "relation": "self"}
    assert str(data["assessed_on"]) == "2026-10-01" and data["target_level"] == 3
    assert list(data["ratings"]) == ["USUP-2.1", "USUP-3.2"]  # the framework's order
    assert "supports: [USUP-3.2]" in to_yaml(draft)


def test_empty_and_wrong_fields_get_the_loaders_own_messages(catalog: Catalog) -> None:
    draft = Draft(
        skill="USUP",
        sfia_version="9",
        assessed_on="10/01/2026",
        evidence=(EvidenceDraft(id="e1", summary="", date="2026-09-01"),),
    )
    with pytest.raises(InputFileError) as caught:
        parse_assessment(to_yaml(draft), "form.yaml", catalog)
    by_field = {field_of(p.loc): p.message for p in caught.value.problems}
    assert by_field["name"] == "subject.name is missing; add it"
    assert by_field["assessor"] == "assessor.name is missing; add it"
    assert by_field["assessed_on"].startswith("assessed_on: ")
    assert by_field["evidence-0-summary"] == "evidence e1 summary is missing; add it"


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        ((), GENERAL),
        (("subject",), "name"),
        (("subject", "role"), "role"),
        (("evidence", 2), "evidence-2-id"),
        (("evidence", 0, "supports", 1), "evidence-0-supports"),
        (("comments", "USUP-3.1"), "comment-USUP-3.1"),
        (("ratings", "USUP-9.9"), GENERAL),
    ],
)
def test_problems_point_at_their_form_field(loc: tuple[str | int, ...], field: str) -> None:
    assert field_of(loc) == field


def test_buttons_add_remove_and_take_suggestions() -> None:
    draft = Draft(skill="USUP", sfia_version="9", assessed_on="2026-10-01")
    ids = ["USUP-3.1", "USUP-3.2"]
    two = draft.with_action("add-evidence", ids).with_action("add-evidence", ids)
    assert [e.id for e in two.evidence] == ["e1", "e2"]
    assert two.evidence[0].date == "2026-10-01"
    taken = two.with_action("support-1-USUP-3.2", ids).with_action("support-1-USUP-3.2", ids)
    assert taken.evidence[1].supports == ("USUP-3.2",)
    assert taken.with_action("support-1-USUP-9.9", ids) == taken  # not a statement: ignored
    assert [e.id for e in taken.with_action("remove-evidence-0", ids).evidence] == ["e2"]
    manager = draft.with_action("add-evidence", ids, prefix="m")
    assert manager.evidence[0].id == "m1"


def test_the_form_reads_its_own_fields() -> None:
    from starlette.datastructures import FormData

    from sfia_assess.web.forms import from_form

    form = FormData(
        [
            ("skill", "USUP"),
            ("sfia_version", "9"),
            ("name", "Sam Lee"),
            ("rating-USUP-3.1", "usually"),
            ("rating-USUP-3.2", "always"),  # not a rating: dropped, never written
            ("comment-USUP-3.1", "  "),  # blank: no comment
            ("comment-USUP-3.2", "Seen it twice."),
            ("evidence_count", "1"),
            ("evidence-0-id", "e1"),
            ("evidence-0-supports", "USUP-3.1, USUP-3.2;USUP-3.3  USUP-3.4"),
            ("migration_note", "kept"),
        ]
    )
    draft = from_form(form, form.getlist)
    assert draft.ratings == {"USUP-3.1": "usually"}
    assert draft.comments == {"USUP-3.2": "Seen it twice."}
    assert draft.evidence[0].supports == ("USUP-3.1", "USUP-3.2", "USUP-3.3", "USUP-3.4")
    assert draft.migration_notes == ("kept",)


def test_upload_names_lose_their_folders() -> None:
    from sfia_assess.web.practitioner import _safe_name, download_name

    assert _safe_name("C:\\Users\\sam\\me.yaml") == "me.yaml"
    assert _safe_name("../../etc/passwd") == "passwd"
    draft = Draft(skill="USUP", sfia_version="9", name="../Sam O'Neil", assessed_on="2026-10-01")
    assert download_name(draft, "yaml") == "sam-o-neil-usup-2026-10-01.yaml"
    assert Path(download_name(draft, "pdf")).name == download_name(draft, "pdf")


@pytest.mark.parametrize(
    "name", ["Eve\x85Adams", "Eve\u2028Adams", "Eve\u2029Adams", "Eve\x1b]0;x\x07"]
)
def test_the_download_keeps_names_yaml_would_fold(name: str) -> None:
    """PyYAML folds U+0085/U+2028/U+2029 in its plain style: the file must keep the name as typed."""
    from sfia_assess.files.yamlfile import parse_yaml
    from sfia_assess.web.forms import Draft, to_yaml

    text = to_yaml(Draft(skill="USUP", sfia_version="9", name=name, assessed_on="2026-10-01"))
    assert parse_yaml(text, "download.yaml").data["subject"]["name"] == name
