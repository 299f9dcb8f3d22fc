"""Resolve the vocabularies a programme is filed under: topic slugs and legal documents by number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.folding import document_key
from channel.library.errors import Invalid
from channel.library.schemas import LegalDocumentIn
from channel.models import LegalDocument, Topic

__all__ = ["resolve_documents", "resolve_topics"]


def resolve_topics(session: Session, slugs: list[str]) -> list[Topic]:
    """The topics of `slugs` (duplicates dropped); an unknown slug is refused with the list of them."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    found = {topic.slug: topic for topic in session.scalars(select(Topic).where(Topic.slug.in_(wanted)))}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise Invalid("unknown_topic", "Chủ đề không tồn tại / Unknown topic", details=[{"topics": unknown}])
    return [found[slug] for slug in wanted]


def resolve_documents(session: Session, documents: list[LegalDocumentIn]) -> list[LegalDocument]:
    """One row per document: an existing one with the same key is reused (and its blanks filled), else created.

    "471/qđ-ttg" given after "471/QĐ-TTg" is the same document (`document_key`), so it keeps its first spelling.
    """
    merged: dict[str, LegalDocumentIn] = {}
    for document in documents:
        merged.setdefault(document_key(document.number), document)
    result: list[LegalDocument] = []
    for key, given in merged.items():
        row = session.scalars(select(LegalDocument).where(LegalDocument.key == key).limit(1)).first()
        if row is None:
            row = LegalDocument(
                number=given.number,
                key=key,
                title=given.title,
                issuing_body=given.issuing_body,
                issued_date=given.issued_date,
            )
            session.add(row)
        else:
            row.title = row.title or given.title
            row.issuing_body = row.issuing_body or given.issuing_body
            row.issued_date = row.issued_date or given.issued_date
        result.append(row)
    return result
