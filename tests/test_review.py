"""Manager review: whose rating counts, what is flagged, and agreement figures."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment, parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import Policy
from sfia_assess.core.review import agreement, review, weighted_kappa
from sfia_assess.errors import AssessmentError

from .conftest import EXAMPLES, assessment_data, evidenced

L3 = [f"USUP-3.{n}" for n in range(1, 7)]
L4 = [f"USUP-4.{n}" for n in range(1, 6)]


def manager(
    ratings: dict[str, str], evidence: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    data = assessment_data(ratings=ratings, evidence=evidence or [], **fields)
    data["assessor"] = {"name": "Dana Boss", "relation": "manager"}
    return data


def loaded(catalog: Catalog, data: dict[str, Any], name: str) -> Any:
    return parse_assessment(yaml.safe_dump(data), name, catalog)


def test_manager_lowering_two_of_five_demonstrated_turns_4_into_3(catalog: Catalog) -> None:
    own = loaded(catalog, assessment_data(**evidenced(L3 + L4)), "self.yaml")
    boss = loaded(catalog, manager({"USUP-4.1": "sometimes", "USUP-4.2": "not-yet"}), "boss.yaml")
    result = review(own, boss, Policy())
    assert result.self_result.recommended_level == 4
    assert result.agreed.recommended_level == 3
    flagged = {s.id: s for s in result.statements if s.flagged}
    assert set(flagged) == {"USUP-4.1", "USUP-4.2"}
    assert "ratings differ by 2 steps" in flagged["USUP-4.2"].note
    assert "counted it as demonstrated" in flagged["USUP-4.1"].note


def test_manager_raising_a_rating_without_evidence_demonstrates_nothing(catalog: Catalog) -> None:
    own = loaded(catalog, assessment_data(ratings={"USUP-5.1": "sometimes"}), "self.yaml")
    boss = loaded(catalog, manager({"USUP-5.1": "consistently"}), "boss.yaml")
    result = review(own, boss, Policy())
    row = next(s for s in result.statements if s.id == "USUP-5.1")
    assert row.agreed_rating == "consistently"
    assert not row.agreed_demonstrated
    assert row.flagged  # two steps apart


def test_manager_evidence_counts(catalog: Catalog) -> None:
    own = loaded(
        catalog,
        assessment_data(
            ratings={"USUP-3.1": "usually"},
            evidence=[{"id": "e1", "summary": "x", "date": "2026-01-01", "supports": ["USUP-3.2"]}],
        ),
        "self.yaml",
    )
    boss = loaded(
        catalog,
        manager(
            {},
            [
                {
                    "id": "e1",
                    "summary": "I saw it.",
                    "date": "2026-02-01",
                    "kind": "observation",
                    "supports": ["USUP-3.1"],
                }
            ],
        ),
        "boss.yaml",
    )
    result = review(own, boss, Policy())
    statement = next(s for s in result.agreed.statements if s.id == "USUP-3.1")
    assert statement.demonstrated
    assert statement.evidence_counted == ("e1-manager",)
    assert result.renamed_evidence == (("e1", "e1-manager"),)


def test_statements_only_the_manager_rated_are_differences_that_explain_the_level(
    catalog: Catalog, runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    # The person claims level 3 only; the manager rates level 4, which they left unrated, with
    # the manager's own evidence: the agreed level rises to 4, and the review must say why.
    own_data = assessment_data(**evidenced(L3))
    boss_data = manager(**evidenced(L4, rating="consistently"))
    own, boss = loaded(catalog, own_data, "self.yaml"), loaded(catalog, boss_data, "boss.yaml")
    result = review(own, boss, Policy())
    assert (result.self_result.recommended_level, result.agreed.recommended_level) == (3, 4)
    assert [s.id for s in result.disagreements] == L4
    row = result.disagreements[0]
    assert (row.self_rating, row.manager_rating, row.differs, row.flagged) == (
        None,
        "consistently",
        True,
        False,
    )
    assert row.note == (
        "rated by the manager only; the agreed view counts it as demonstrated; the"
        " self-assessment did not"
    )

    done = runner.invoke(
        cli,
        ["review", str(write_yaml(own_data, "self.yaml")), str(write_yaml(boss_data, "b.yaml"))],
    )
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())  # the table wraps to the terminal's width
    assert (
        "The manager kept every self rating (left them commented out). The manager also rated 5"
        " statements the self-assessment left unrated." in said
    )
    assert "Statements where the two differ (5;" in said
    assert "USUP-4.1 - consistently demonstrated rated by the manager only" in said


def test_a_statement_the_managers_evidence_alone_makes_count_is_listed(
    catalog: Catalog, runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    # Rated by the person without evidence; the manager leaves the rating as it is (kept) and
    # attaches evidence for it: the ratings do not differ, the outcome does.
    own_data = assessment_data(ratings={"USUP-3.1": "usually"})
    seen = {"id": "m1", "summary": "I saw it.", "date": "2026-02-01", "supports": ["USUP-3.1"]}
    boss_data = manager({}, [seen])
    own, boss = loaded(catalog, own_data, "self.yaml"), loaded(catalog, boss_data, "boss.yaml")
    result = review(own, boss, Policy())
    (row,) = result.disagreements
    assert (row.id, row.differs, row.self_demonstrated, row.agreed_demonstrated) == (
        "USUP-3.1",
        False,
        False,
        True,
    )
    assert row.note == "the agreed view counts it as demonstrated; the self-assessment did not"

    files = [str(write_yaml(own_data, "self.yaml")), str(write_yaml(boss_data, "boss.yaml"))]
    text = runner.invoke(cli, ["review", *files])
    assert "USUP-3.1 usually kept demonstrated the agreed view counts" in " ".join(
        text.output.split()
    )
    html = runner.invoke(cli, ["review", *files, "--format", "html"]).output
    assert "self usually &middot; manager kept the self rating &middot; the agreed view" in html


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"subject": {"name": "Someone Else"}}, "subject 'Sam Lee' vs 'Someone Else'"),
        ({"sfia_version": 8}, "SFIA 9 vs SFIA 8"),
    ],
)
def test_mismatched_files_are_an_error(
    catalog: Catalog, change: dict[str, Any], expected: str
) -> None:
    own = loaded(catalog, assessment_data(), "self.yaml")
    boss = loaded(catalog, {**manager({}), **change}, "boss.yaml")
    with pytest.raises(AssessmentError) as info:
        review(own, boss, Policy())
    assert str(info.value).startswith("boss.yaml: does not review self.yaml: ")
    assert expected in str(info.value)


def test_mismatch_through_the_cli_exits_1(write_yaml: Callable[..., Path]) -> None:
    own = write_yaml(assessment_data())
    boss = write_yaml({**manager({}), "subject": {"name": "Someone Else"}})
    result = CliRunner().invoke(cli, ["review", str(own), str(boss)])
    assert result.exit_code == 1
    assert f"{boss}: does not review {own}" in result.output
    assert "Traceback" not in result.output


def test_files_given_the_wrong_way_round_say_so(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    own = write_yaml(assessment_data(), "self.yaml")
    boss = write_yaml(manager({"USUP-3.1": "usually"}), "boss.yaml")
    out = tmp_path / "review.pdf"
    result = CliRunner().invoke(cli, ["review", str(boss), str(own), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"{boss}: is Dana Boss's review (relation: manager) and {own} the self-assessment; swap"
        " them: the self-assessment comes first, then the review of it\n"
    )
    assert not out.exists()


def test_a_review_in_place_of_the_self_assessment_is_refused(
    write_yaml: Callable[..., Path],
) -> None:
    # It was taken as the person's own view ("self-assessment by Dana Boss").
    boss = write_yaml(manager({"USUP-3.1": "usually"}), "boss.yaml")
    result = CliRunner().invoke(cli, ["review", str(boss), str(boss)])
    assert result.exit_code == 1
    assert result.output == (
        f"{boss}: assessor.relation is 'manager'; the first file must be the person's"
        " self-assessment (relation: self), the second the review of it\n"
    )


def test_a_review_dated_before_the_self_assessment_is_refused(
    write_yaml: Callable[..., Path], catalog: Catalog
) -> None:
    # It was scored as of the self-assessment's date and named its author as the reviewer
    # ("review by Sam Lee (self)"); batch, team and the store never pair such a review.
    own = write_yaml(assessment_data(), "self.yaml")
    boss = write_yaml(manager({"USUP-3.1": "usually"}, assessed_on="2026-01-05"), "boss.yaml")
    result = CliRunner().invoke(cli, ["review", str(own), str(boss)])
    assert result.exit_code == 1
    assert result.output == (
        f"{boss}: is dated 2026-01-05, before the self-assessment it reviews ({own}, 2026-10-01);"
        " a review is made after it: fix its assessed_on, or review the self-assessment it was"
        " made for\n"
    )
    # In the browser the same message stands beside the review's date.
    from sfia_assess.web.checking import check_review
    from sfia_assess.web.forms import Draft

    draft = Draft(
        skill="USUP",
        sfia_version="9",
        name="Sam Lee",
        assessor_name="Dana Boss",
        relation="manager",
        assessed_on="2026-01-05",
    )
    own_loaded = load_assessment(own, catalog)
    checked = check_review(own_loaded, draft, catalog, Policy(), dt.date(2026, 10, 2), "review")
    assert checked.report is None
    (problem,) = checked.checked.problems
    assert problem.loc == ("assessed_on",)
    assert problem.message.startswith("is dated 2026-01-05, before the self-assessment it reviews")


def test_weighted_kappa_by_hand() -> None:
    # 4 statements, categories 0..3. Pairs: (3,3) (2,2) (3,1) (1,2)
    # weights w = 1 - |i-j|/3. observed = (1 + 1 + 1/3 + 2/3)/4 = 0.75
    # rater A marginals: 1 -> .25, 2 -> .25, 3 -> .5 ; rater B: 1 -> .25, 2 -> .5, 3 -> .25
    # expected = sum_ij w_ij a_i b_j
    #   a1: .25*(.25*1 + .5*2/3 + .25*1/3) = 1/6
    #   a2: .25*(.25*2/3 + .5*1 + .25*2/3) = 5/24
    #   a3: .5*(.25*1/3 + .5*2/3 + .25*1) = 1/3      -> 17/24
    # kappa = (3/4 - 17/24) / (1 - 17/24) = (1/24) / (7/24) = 1/7
    kappa = weighted_kappa([(3, 3), (2, 2), (3, 1), (1, 2)])
    assert kappa == pytest.approx(1 / 7)
    assert weighted_kappa([(2, 2), (2, 2)]) is None
    assert weighted_kappa([(0, 0), (3, 3), (1, 1)]) == pytest.approx(1.0)


def test_too_few_shared_ratings_says_not_enough_data() -> None:
    from sfia_assess.core.assessment import Rating

    figures = agreement({"a": Rating.USUALLY, "b": Rating.SOMETIMES}, {"a": Rating.USUALLY})
    assert figures.kappa is None
    assert figures.share_same == 1.0
    assert "not enough data" in figures.note


def test_example_pair_and_its_pdf(tmp_path: Path) -> None:
    catalog = Catalog()
    own = load_assessment(EXAMPLES / "priya-nair-coordinator.yaml", catalog)
    boss = load_assessment(EXAMPLES / "priya-nair-manager.yaml", catalog)
    result = review(own, boss, Policy())
    assert (result.self_result.recommended_level, result.agreed.recommended_level) == (4, 3)
    out = tmp_path / "review.pdf"
    run = CliRunner().invoke(
        cli,
        [
            "review",
            str(EXAMPLES / "priya-nair-coordinator.yaml"),
            str(EXAMPLES / "priya-nair-manager.yaml"),
            "--format",
            "pdf",
            "-o",
            str(out),
        ],
    )
    assert run.exit_code == 0, run.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "SELF LEVEL 4 \u2014 Enable" in text
    assert "AGREED LEVEL 3 \u2014 Apply" in text
    for row in result.statements:
        if row.flagged:
            assert row.id in text and row.text in text
    assert "signature and date" in text


def test_a_review_template_of_a_review_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "again.yaml"
    boss = EXAMPLES / "priya-nair-manager.yaml"
    result = runner.invoke(cli, ["init", "--manager", str(boss), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"{boss}: is Daniel Okafor's review (relation: manager); a review template is made from"
        " the person's self-assessment: give that file\n"
    )
    assert not out.exists()


def test_manager_template(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "boss.yaml"
    result = runner.invoke(
        cli, ["init", "--manager", str(EXAMPLES / "sam-lee-analyst.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "name: Sam Lee" in text and "relation: manager" in text
    assert "  # self: consistently" in text
    data = yaml.safe_load(text)
    assert data["ratings"] in (None, {})
    # as written it validates, and a review with it agrees with the self level
    check = runner.invoke(
        cli, ["review", str(EXAMPLES / "sam-lee-analyst.yaml"), str(out), "--format", "json"]
    )
    assert check.exit_code == 0, check.output
    assert '"agreed_level": 2' in check.output


def _review_html(runner: CliRunner, own: Path, boss: Path) -> str:
    result = runner.invoke(cli, ["review", str(own), str(boss), "--format", "html"])
    assert result.exit_code == 0, result.output
    return result.output


def test_untouched_manager_template_agrees_once_and_plainly(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Statements left commented out count as agreed; no 'rated none' beside 'all the same'."""
    out = tmp_path / "boss.yaml"
    own = EXAMPLES / "sam-lee-analyst.yaml"
    made = runner.invoke(cli, ["init", "--manager", str(own), "-o", str(out)])
    assert made.exit_code == 0, made.output
    rated = len(yaml.safe_load(own.read_text("utf-8"))["ratings"])
    for fmt in ("text", "html"):
        shown = runner.invoke(cli, ["review", str(own), str(out), "--format", fmt]).output
        assert "rated none" not in shown
        assert f"Rated the same: {rated} of {rated} self-rated statements (100%)" in shown
    figures = json.loads(
        runner.invoke(cli, ["review", str(own), str(out), "--format", "json"]).output
    )["agreement"]
    assert (figures["kept"], figures["same"], figures["share_same"]) == (rated, 0, 1.0)


def test_review_record_shows_both_sides_evidence_per_statement(runner: CliRunner) -> None:
    html = _review_html(
        runner, EXAMPLES / "priya-nair-coordinator.yaml", EXAMPLES / "priya-nair-manager.yaml"
    )
    row = html[html.index('id="statement-USUP-4.2"') :]
    row = row[: row.index("</div>")]
    assert "pn-12" in row  # Priya's evidence for 4.2
    assert "m1" in row  # her manager's observation that makes 4.2 demonstrated
    # every id a note or a row mentions can be followed to its summary
    assert 'id="evidence-m1"' in html and "Observed Priya run the dry run" in html
    assert 'id="evidence-pn-12"' in html


def test_manager_comments_and_role_appear_in_the_record(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    own = write_yaml(assessment_data(**evidenced(L3)), "self.yaml")
    data = manager({"USUP-3.2": "sometimes"})
    data["assessor"]["role"] = "Service Desk Manager"
    data["comments"] = {"USUP-3.2": "Seen twice in Q3 <b>only</b>; bring the P2 log."}
    boss = write_yaml(data, "boss.yaml")
    html = _review_html(runner, own, boss)
    assert "Dana Boss, Service Desk Manager (manager)" in html
    assert "Seen twice in Q3 &lt;b&gt;only&lt;/b&gt;; bring the P2 log." in html
    text = runner.invoke(cli, ["review", str(own), str(boss)]).output
    assert "Seen twice in Q3 <b>only</b>; bring the P2 log." in text


def test_a_comment_on_an_unknown_statement_is_a_problem(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    data = manager({"USUP-3.2": "sometimes"})
    data["comments"] = {"USUP-3.2": "fine", "USUP-3.9": "typo"}
    boss = write_yaml(data, "boss.yaml")
    result = runner.invoke(cli, ["validate", str(boss)])
    assert result.exit_code == 1
    assert "'USUP-3.9' is not a statement of SFIA 9 USUP" in result.output
    assert "boss.yaml:" in result.output
