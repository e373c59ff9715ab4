"""store/mine.py and the return step of store/workflow.py: a manager sends a submitted
assessment back with a comment; it leaves the queue, cannot be signed until sent again, and the
person's own list shows every version with what became of it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import default_policy
from sfia_assess.store import StoreError, open_store, reading, writing
from sfia_assess.store import workflow as flow
from sfia_assess.store.mine import count_own, own_versions

from .conftest import EXAMPLES

SELF = (EXAMPLES / "priya-nair-coordinator.yaml").read_bytes()
REVIEW = (EXAMPLES / "priya-nair-manager.yaml").read_bytes()
PRIYA = "priya nair"


def test_returned_with_a_comment_then_sent_again_then_signed(store_url: str) -> None:
    catalog, policy = Catalog(), default_policy()
    with open_store(store_url) as engine:
        own = writing(
            engine,
            lambda s: (
                flow.save_draft(s, SELF, "priya.yaml", catalog, policy, actor="Priya Nair").id
            ),
        )
        with pytest.raises(StoreError, match="was never submitted for review"):
            writing(
                engine, lambda s: flow.return_to_person(s, own, actor="Daniel Okafor", note="x")
            )
        writing(engine, lambda s: flow.submit(s, own, actor="Priya Nair", manager="Daniel Okafor"))
        with pytest.raises(StoreError, match="say what the person should change or bring"):
            writing(
                engine, lambda s: flow.return_to_person(s, own, actor="Daniel Okafor", note=" ")
            )
        with pytest.raises(StoreError, match="was submitted to Daniel Okafor, not to Kim Ray"):
            writing(engine, lambda s: flow.return_to_person(s, own, actor="Kim Ray", note="x"))
        writing(
            engine,
            lambda s: flow.return_to_person(
                s, own, actor="Daniel Okafor", note="Bring the P2 log."
            ),
        )
        with reading(engine) as session:
            assert flow.status(session, own) == flow.RETURNED
            assert flow.submitted(session, "Daniel Okafor") == []
            [version] = own_versions(session, {PRIYA})
            assert version.status == "returned"
            assert (version.steps[-1].actor, version.steps[-1].note) == (
                "Daniel Okafor",
                "Bring the P2 log.",
            )
            assert version.steps[-1].recipient == "Priya Nair"

        def sign(s: Session) -> None:
            flow.record_review(
                s, own, REVIEW, "review.yaml", catalog, policy, actor="Daniel Okafor"
            )
            flow.sign_off(s, own, actor="Daniel Okafor")

        with pytest.raises(
            StoreError, match="was returned to Priya Nair; it can be signed off once"
        ):
            writing(engine, sign)
        writing(engine, lambda s: flow.submit(s, own, actor="Priya Nair", manager="Daniel Okafor"))
        writing(engine, sign)
        with reading(engine) as session:
            assert count_own(session, {PRIYA}) == 1
            assert count_own(session, {"someone else"}) == 0
            [version] = own_versions(session, None)
            assert (version.status, version.own_level, version.agreed_level) == ("signed-off", 4, 3)
            assert version.reviewed_by == "Daniel Okafor"
            assert [s.kind for s in version.steps] == [
                "drafted",
                "submitted",
                "returned",
                "submitted",
                "reviewed",
                "agreed",
                "signed-off",
            ]
            said = {c.statement: c.text for c in version.comments}
            assert said["USUP-3.3"].startswith("P2s out of hours sit too long")
