"""Forms being filled in, saved as they are typed: one draft per person and skill, replaced by
each save and dropped once the assessment is saved for real (a version in the record)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import Draft

MAX_DRAFTS_LISTED = 50  # a person has a draft per skill: far fewer than this


@dataclass(frozen=True)
class KeptDraft:
    """A draft as saved: the form's fields (urlencoded, as the browser posted them) and when."""

    skill: str
    content: bytes
    saved_at: float


def keep_draft(session: Session, account_key: str, skill: str, content: bytes, now: float) -> None:
    """Save the form as this person's draft of `skill`, in place of the one before."""
    found = session.get(Draft, (account_key, skill))
    if found is None:
        session.add(Draft(account_key=account_key, skill=skill, content=content, saved_at=now))
    else:
        found.content = content
        found.saved_at = now
    session.flush()


def draft_of(session: Session, account_key: str, skill: str) -> KeptDraft | None:
    found = session.get(Draft, (account_key, skill))
    if found is None:
        return None
    return KeptDraft(found.skill, bytes(found.content), found.saved_at)


def drafts_of(session: Session, account_key: str) -> list[KeptDraft]:
    """This person's drafts, the newest first."""
    rows = session.scalars(
        select(Draft)
        .where(Draft.account_key == account_key)
        .order_by(Draft.saved_at.desc(), Draft.skill)
        .limit(MAX_DRAFTS_LISTED)
    )
    return [KeptDraft(r.skill, bytes(r.content), r.saved_at) for r in rows]


def drop_draft(session: Session, account_key: str, skill: str) -> None:
    """Forget the draft (the assessment was saved, or she discarded it); none is no error."""
    session.execute(delete(Draft).where(Draft.account_key == account_key, Draft.skill == skill))
