"""Evidence attachments: a file linked to one evidence item, kept as bytes and never opened.

The type is taken from the content, not from the name, and is only ever a label: the store
never executes, renders or unpacks an attachment. Programs are refused outright. Text of any
kind (HTML and SVG included) is labelled text/plain, so that nothing shows it as a page.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from .database import StoreError
from .models import AssessmentRecord, Attachment

MAX_BYTES = 10 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)
_OFFICE = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def sniff(content: bytes, name: str) -> str:
    """The media type of `content`, from its first bytes; programs are a StoreError."""
    if content.startswith(_PROGRAMS) or content.startswith(b"#!"):
        raise StoreError(
            f"{name}: looks like a program; attach documents, images or text, never programs"
        )
    for magic, media_type in _SIGNATURES:
        if content.startswith(magic):
            return media_type
    if content.startswith(b"PK\x03\x04"):
        head = content[:4096]
        for marker, media_type in _OFFICE:
            if marker in head:
                return media_type
        return "application/zip"
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "text/plain"
    return "application/octet-stream"


def safe_name(name: str) -> str:
    """The file's own name only (no folders), printable, at most 255 bytes."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(
        c if unicodedata.category(c)[0] not in "CZ" or c == " " else "_"
        for c in unicodedata.normalize("NFKC", base)
    ).strip(" .")
    while len(cleaned.encode("utf-8")) > 255:
        cleaned = cleaned[:-1]
    return cleaned or "attachment"


@dataclass(frozen=True)
class Attached:
    attachment: Attachment
    new: bool


def attach(
    session: Session, record: AssessmentRecord, evidence_id: str, name: str, content: bytes
) -> Attached:
    """Link a file to evidence `evidence_id` of a recorded assessment (the same file twice:
    once)."""
    ids = [item.get("id") for item in record.parsed.get("evidence", [])]
    if evidence_id not in ids:
        known = ", ".join(str(i) for i in ids) or "none"
        raise StoreError(
            f"{record.source_name} has no evidence item {evidence_id!r} (its evidence ids: {known})"
        )
    if len(content) > MAX_BYTES:
        raise StoreError(
            f"{name}: is {len(content):,} bytes; attachments over {MAX_BYTES:,} bytes are refused"
        )
    if not content:
        raise StoreError(f"{name}: is empty; attach the file that shows the evidence")
    media_type = sniff(content, name)
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalars(
        select(Attachment).where(
            Attachment.assessment_id == record.id,
            Attachment.evidence_id == evidence_id,
            Attachment.sha256 == digest,
        )
    ).one_or_none()
    if existing is not None:
        return Attached(existing, new=False)
    row = Attachment(
        assessment_id=record.id,
        evidence_id=evidence_id,
        file_name=safe_name(name),
        media_type=media_type,
        size=len(content),
        sha256=digest,
        content=content,
    )
    session.add(row)
    session.flush()
    return Attached(row, new=True)


def recorded_file(session: Session, content: bytes, name: str) -> AssessmentRecord:
    """The recorded assessment whose bytes are `content` (found by their SHA-256)."""
    digest = hashlib.sha256(content).hexdigest()
    found = session.scalars(
        select(AssessmentRecord).where(AssessmentRecord.sha256 == digest)
    ).one_or_none()
    if found is None:
        raise StoreError(
            f"{name}: this file (these exact bytes) is not recorded; run `sfia-assess record"
            f" {name}` first"
        )
    return found


def attachments_of(session: Session, assessment_ids: list[int]) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.assessment_id.in_(assessment_ids))
            .order_by(Attachment.assessment_id, Attachment.evidence_id, Attachment.id)
        )
    )
