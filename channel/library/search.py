"""Search and filter the library: folded-text match (accent- and case-insensitive), topic, document, status, date.

Portable: `search_text` holds the folded title, description and document keys, so a plain LIKE works on SQLite
and PostgreSQL; documents compare by their key, so "471/qđ-ttg" and "471/QD-TTg" find "471/QĐ-TTg".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from channel.folding import document_key, search_terms
from channel.models import LegalDocument, Programme, ProgrammeStatus, Topic
from channel.text import CleanQuery
from channel.timeparams import QueryDay

__all__ = ["ProgrammeFilters", "search_programmes"]


class ProgrammeFilters(BaseModel):
    """The query string of `GET /api/programmes`."""

    q: Annotated[
        CleanQuery | None, Field(max_length=200, description="tìm theo tên, mô tả / title, description")
    ] = None
    topic: Annotated[CleanQuery | None, Field(max_length=200, description="topic slug")] = None
    document: Annotated[CleanQuery | None, Field(max_length=100, description="legal document number")] = None
    status: ProgrammeStatus | None = None
    created_from: QueryDay | None = None
    created_to: QueryDay | None = Field(default=None, description="inclusive")
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(filters: ProgrammeFilters) -> Select[Programme]:
    query = select(Programme)
    if filters.status is not None:
        query = query.where(Programme.status == filters.status)
    else:
        query = query.where(Programme.status != ProgrammeStatus.DELETED)
    for term in search_terms(filters.q or ""):
        query = query.where(Programme.search_text.like(f"%{_escape_like(term)}%", escape="\\"))
    if filters.topic:
        query = query.where(Programme.topics.any(Topic.slug == filters.topic.strip()))
    if filters.document:
        key = document_key(filters.document)
        query = query.where(Programme.legal_documents.any(LegalDocument.key == key))
    if filters.created_from is not None:
        query = query.where(Programme.created_at >= _start_of(filters.created_from))
    if filters.created_to is not None:
        query = query.where(Programme.created_at < _start_of(filters.created_to + timedelta(days=1)))
    return query


def search_programmes(session: Session, filters: ProgrammeFilters) -> tuple[list[Programme], int]:
    """One page of matching programmes, newest first, and how many match in all."""
    query = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = (
        query.options(
            selectinload(Programme.topics),
            selectinload(Programme.legal_documents),
            selectinload(Programme.subtitles),
        )
        .order_by(Programme.created_at.desc(), Programme.id.desc())
        .limit(filters.limit)
        .offset(filters.offset)
    )
    return list(session.scalars(page)), total
