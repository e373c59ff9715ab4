"""The browser's list of saved self-assessments: the latest version of each, with its status."""

from __future__ import annotations

import yaml
from sqlalchemy.orm import Session

from sfia_assess.core.catalog import Catalog
from sfia_assess.core.identity import person_key
from sfia_assess.core.policy import default_policy
from sfia_assess.store import open_store, reading, writing
from sfia_assess.store.recent import count_self_assessments, recent_self_assessments
from sfia_assess.store.workflow import save_draft, submit

from .conftest import assessment_data, evidenced


def _yaml(name: str, ids: list[str]) -> bytes:
    data = assessment_data(**evidenced(ids))
    data["subject"]["name"] = data["assessor"]["name"] = name
    return yaml.safe_dump(data, sort_keys=False).encode()


def test_recent_lists_the_latest_version_of_each_with_its_status(
    store_url: str, catalog: Catalog
) -> None:
    policy = default_policy()
    with open_store(store_url) as engine:
        first = writing(
            engine,
            lambda s: (
                save_draft(
                    s, _yaml("Ann Lee", ["USUP-1.1"]), "ann.yaml", catalog, policy, actor="Ann Lee"
                ).id
            ),
        )
        second = writing(
            engine,
            lambda s: (
                save_draft(
                    s,
                    _yaml("Ann Lee", ["USUP-1.1", "USUP-1.2", "USUP-1.3", "USUP-1.4"]),
                    "ann.yaml",
                    catalog,
                    policy,
                    actor="Ann Lee",
                ).id
            ),
        )
        other = writing(
            engine,
            lambda s: (
                save_draft(
                    s, _yaml("Bo Chan", ["USUP-1.1"]), "bo.yaml", catalog, policy, actor="Bo Chan"
                ).id
            ),
        )
        writing(engine, lambda s: submit(s, other, actor="Bo Chan", manager="Kim Ray"))
        with reading(engine) as session:
            found = recent_self_assessments(session)
    assert [(s.assessment_id, s.person, s.version, s.status) for s in found] == [
        (other, "Bo Chan", 1, "submitted"),
        (second, "Ann Lee", 2, "drafted"),
    ]
    assert first not in [s.assessment_id for s in found]
    assert found[1].recommended_level == 1


def test_a_persons_records_are_listed_whatever_others_record(
    store_url: str, catalog: Catalog
) -> None:
    """The reader's people are chosen before the page is cut: 120 other people recorded after
    Ann do not push her own self-assessment off her list, and paging reaches every record."""
    policy = default_policy()
    with open_store(store_url) as engine:
        own = writing(
            engine,
            lambda s: (
                save_draft(
                    s, _yaml("Ann Lee", ["USUP-1.1"]), "ann.yaml", catalog, policy, actor="Ann Lee"
                ).id
            ),
        )

        def others(session: Session) -> None:
            for n in range(120):
                name = f"Person {n:03d}"
                save_draft(
                    session, _yaml(name, ["USUP-1.1"]), "p.yaml", catalog, policy, actor=name
                )

        writing(engine, others)
        with reading(engine) as session:
            everyone_first_page = recent_self_assessments(session)
            mine = recent_self_assessments(session, people={person_key("ANN  lee")})
            total = count_self_assessments(session)
            pages = [
                recent_self_assessments(session, limit=50, offset=start)
                for start in range(0, total, 50)
            ]
            mine_counted = count_self_assessments(session, people={person_key("Ann Lee")})
    assert own not in [s.assessment_id for s in everyone_first_page]
    assert [(s.assessment_id, s.person) for s in mine] == [(own, "Ann Lee")]
    assert mine_counted == 1
    assert total == 121
    listed = [s.assessment_id for page in pages for s in page]
    assert len(listed) == len(set(listed)) == 121 and own in listed


def test_a_list_of_one_status_is_cut_after_choosing_that_status(
    store_url: str, catalog: Catalog
) -> None:
    """The manager's "signed off" list: chosen by last step in SQL, then paged."""
    policy = default_policy()
    with open_store(store_url) as engine:

        def drafts(session: Session) -> list[int]:
            made = []
            for n in range(6):
                name = f"Person {n}"
                made.append(
                    save_draft(
                        session, _yaml(name, ["USUP-1.1"]), "p.yaml", catalog, policy, actor=name
                    ).id
                )
            return made

        made = writing(engine, drafts)
        for chosen in made[:2]:
            writing(engine, lambda s, c=chosen: submit(s, c, actor="x", manager="Kim Ray"))
        with reading(engine) as session:
            waiting = recent_self_assessments(session, status="submitted", limit=1)
            counted = count_self_assessments(session, status="submitted")
            drafted = count_self_assessments(session, status="drafted")
    assert [s.assessment_id for s in waiting] == [made[1]]
    assert (counted, drafted) == (2, 4)
