"""The workflow the browser app drives: draft, new version, submit, review, sign off."""

from __future__ import annotations

import contextlib

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import default_policy
from sfia_assess.errors import AssessmentError
from sfia_assess.store import StoreError, open_store, reading, writing
from sfia_assess.store import workflow as flow

from .conftest import EXAMPLES

SELF = (EXAMPLES / "priya-nair-coordinator.yaml").read_bytes()
MANAGER = (EXAMPLES / "priya-nair-manager.yaml").read_bytes()


def test_draft_submit_review_sign_off_leaves_a_trail_and_history_shows_it(
    store_url: str, runner: CliRunner
) -> None:
    catalog, policy = Catalog(), default_policy()
    with open_store(store_url) as engine:
        first = writing(
            engine,
            lambda s: flow.save_draft(s, SELF, "priya.yaml", catalog, policy, actor="Priya").id,
        )
        again = writing(
            engine,
            lambda s: flow.save_draft(s, SELF, "priya.yaml", catalog, policy, actor="Priya").id,
        )
        assert again == first  # the same form saved twice is one version
        second = writing(
            engine,
            lambda s: (
                flow.save_draft(
                    s, SELF + b"# v2\n", "priya.yaml", catalog, policy, actor="Priya"
                ).id
            ),
        )
        with reading(engine) as session:
            assert flow.get(session, second).version == 2
            assert flow.status(session, second) == flow.DRAFTED
        writing(engine, lambda s: flow.submit(s, second, actor="Priya", manager="Daniel Okafor"))
        with pytest.raises(
            StoreError, match=r"already waiting for Daniel Okafor's review; withdraw it"
        ):
            writing(
                engine, lambda s: flow.submit(s, second, actor="Priya", manager="Daniel Okafor")
            )
        with reading(engine) as session:
            [waiting] = flow.submitted(session, "daniel okafor")
            assert (waiting.assessment_id, waiting.person, waiting.version) == (
                second,
                "Priya Nair",
                2,
            )
            assert flow.submitted(session, "Someone Else") == []
            assert waiting.submitted_at.tzinfo is not None
        agreed = writing(
            engine,
            lambda s: (
                flow.record_review(
                    s, second, MANAGER, "review.yaml", catalog, policy, actor="Daniel Okafor"
                ).agreed_level
            ),
        )
        assert agreed == 3
        with reading(engine) as session:
            assert flow.submitted(session, "Daniel Okafor") == []
            assert flow.status(session, second) == flow.AGREED
        writing(engine, lambda s: flow.sign_off(s, second, actor="Daniel Okafor"))
        with reading(engine) as session:
            steps = [(e.kind, e.actor, e.recipient) for e in flow.trail(session, second)]
        assert steps == [
            ("drafted", "Priya", None),
            ("submitted", "Priya", "Daniel Okafor"),
            ("reviewed", "Daniel Okafor", None),
            ("agreed", "Daniel Okafor", None),
            ("signed-off", "Daniel Okafor", None),
        ]
    result = runner.invoke(cli, ["history", "Priya Nair", "--db", store_url])
    assert result.exit_code == 0
    assert "v1           4       -                 superseded" in result.stdout
    assert "v2           4       3  Daniel Okafor  signed-off" in result.stdout


def test_a_draft_with_problems_is_refused_with_the_validate_messages(store_url: str) -> None:
    catalog, policy = Catalog(), default_policy()
    broken = SELF.replace(b"USUP-3.1:", b"USUP-3.9:", 1)
    with open_store(store_url) as engine:
        with pytest.raises(AssessmentError, match=r"^priya\.yaml:\d+: 'USUP-3\.9' is not a"):
            writing(
                engine,
                lambda s: flow.save_draft(s, broken, "priya.yaml", catalog, policy, actor="P"),
            )
        with pytest.raises(StoreError, match="only a reviewed assessment can be signed off"):
            writing(
                engine,
                lambda s: flow.sign_off(
                    s,
                    flow.save_draft(s, SELF, "priya.yaml", catalog, policy, actor="P").id,
                    actor="D",
                ),
            )


def test_only_the_manager_it_was_submitted_to_signs_it_off(store_url: str) -> None:
    """A draft never submitted, or submitted to someone else, cannot be signed; nothing is kept."""
    catalog, policy = Catalog(), default_policy()

    def review_and_sign(own: int, manager: str) -> None:
        def work(s: Session) -> None:
            flow.record_review(s, own, MANAGER, "review.yaml", catalog, policy, actor=manager)
            flow.sign_off(s, own, actor=manager)

        writing(engine, work)

    with open_store(store_url) as engine:
        own = writing(
            engine,
            lambda s: flow.save_draft(s, SELF, "priya.yaml", catalog, policy, actor="Priya").id,
        )
        with pytest.raises(StoreError, match="was never submitted for review; only the manager"):
            review_and_sign(own, "Daniel Okafor")
        writing(engine, lambda s: flow.submit(s, own, actor="Priya", manager="Daniel Okafor"))
        with pytest.raises(StoreError, match="was submitted to Daniel Okafor, not to Kim Ray"):
            review_and_sign(own, "Kim Ray")
        with reading(engine) as session:
            assert flow.status(session, own) == flow.SUBMITTED
            assert flow.latest_review(session, own) is None
        review_and_sign(own, " daniel  okafor ")
        with reading(engine) as session:
            assert flow.status(session, own) == flow.SIGNED_OFF


def test_six_sign_offs_at_once_leave_one_and_the_others_a_plain_sentence(store_url: str) -> None:
    """The trail was read without a lock: on PostgreSQL six managers' requests at once all
    passed the check. The database refuses all but one; no message shows where the store is."""
    import threading

    import sqlalchemy as sa

    from sfia_assess.store.models import Event

    catalog, policy = Catalog(), default_policy()
    with open_store(store_url) as engine:
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
        # Each request has read the trail and added its event before any goes on (SQLite lets
        # one writer at a time in: there the wait times out and they go one after another).
        checked = threading.Barrier(6)

        @sa.event.listens_for(Session, "after_flush")
        def all_checked(session: Session, _context: object) -> None:
            if any(isinstance(o, Event) and o.kind == flow.SIGNED_OFF for o in session.new):
                with contextlib.suppress(threading.BrokenBarrierError):
                    checked.wait(timeout=3)

        outcomes: list[str] = []

        def sign() -> None:
            try:
                writing(engine, lambda s: flow.sign_off(s, own, actor="Daniel Okafor"))
                outcomes.append("signed")
            except StoreError as exc:
                outcomes.append(str(exc))

        threads = [threading.Thread(target=sign) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sa.event.remove(Session, "after_flush", all_checked)
        with reading(engine) as session:
            kinds = [e.kind for e in flow.trail(session, own)]
    assert kinds.count(flow.SIGNED_OFF) == 1
    assert outcomes.count("signed") == 1
    for message in outcomes:
        assert message == "signed" or "signed off" in message, message
        assert "sqlite" not in message and "postgresql" not in message and "/" not in message


def test_the_store_refuses_a_second_sign_off_row_whatever_the_code_does(store_url: str) -> None:
    import sqlalchemy as sa

    catalog, policy = Catalog(), default_policy()
    with open_store(store_url) as engine:
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
        insert = sa.text("insert into sign_offs (assessment_id, event_id) values (:a, :e)")
        with engine.begin() as connection:
            event = connection.execute(sa.text("select max(id) from events")).scalar_one()
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(insert, {"a": own, "e": event})


def test_upgrading_a_store_that_was_signed_off_twice_names_the_first(store_url: str) -> None:
    """Stores from before revision 0005 may hold two sign-offs of one assessment: the upgrade
    keeps both events and records the first as the sign-off."""
    import sqlalchemy as sa

    from sfia_assess.store.database import open_engine
    from sfia_assess.store.schema import upgrade

    engine = open_engine(store_url)
    try:
        upgrade(engine, "0004")
        # The rows as the code of that time wrote them (today's code reads accounts, which
        # revision 0004 does not have yet).
        with engine.begin() as connection:
            person = connection.execute(
                sa.text(
                    "insert into people (name, key, created_at)"
                    " values ('Priya', 'priya', CURRENT_TIMESTAMP) returning id"
                )
            ).scalar_one()
            own = connection.execute(
                sa.text(
                    "insert into assessments (person_id, skill, sfia_version, relation,"
                    " assessor_name, assessor_key, assessed_on, version, source_name, content,"
                    " sha256, parsed, recorded_at) values (:p, 'USUP', 9, 'self', 'Priya',"
                    " 'priya', '2026-10-01', 1, 'priya.yaml', :c, :h, '{}', CURRENT_TIMESTAMP)"
                    " returning id"
                ),
                {"p": person, "c": SELF, "h": "0" * 64},
            ).scalar_one()
            connection.execute(
                sa.text(
                    "insert into events (assessment_id, kind, actor, at, recipient,"
                    " recipient_key) values (:a, 'submitted', 'Priya', CURRENT_TIMESTAMP,"
                    " 'Daniel Okafor', 'daniel okafor')"
                ),
                {"a": own},
            )
            for _ in range(2):
                connection.execute(
                    sa.text(
                        "insert into events (assessment_id, kind, actor, at)"
                        " values (:a, 'signed-off', 'Daniel Okafor', CURRENT_TIMESTAMP)"
                    ),
                    {"a": own},
                )
        assert upgrade(engine) == ("0004", "0006")
        with engine.connect() as connection:
            first = connection.execute(
                sa.text("select min(id) from events where kind = 'signed-off'")
            ).scalar_one()
            rows = connection.execute(sa.text("select assessment_id, event_id from sign_offs"))
            assert [tuple(row) for row in rows] == [(own, first)]
    finally:
        engine.dispose()
