"""Read paths: one programme with its live progress, a page of search results, a public programme page."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from channel.library.errors import NotFound
from channel.library.present import staff_view
from channel.library.schemas import ProgrammePage, ProgrammePublic
from channel.library.search import ProgrammeFilters, search_programmes
from channel.library.service import get_programme
from channel.library.transcode import latest_job
from channel.models import Programme, ProgrammeStatus

__all__ = ["details_of", "programme_details", "programme_page", "ready_programme"]


def programme_details(session: Session, *, programme_id: uuid.UUID) -> ProgrammePublic:
    """A programme for staff, with its latest job and, while it runs, its percent and stage."""
    programme = get_programme(session, programme_id)
    return details_of(session, programme=programme)


def details_of(session: Session, *, programme: Programme) -> ProgrammePublic:
    """`programme_details` of an already loaded programme (after a change); progress is on the job row."""
    return staff_view(programme, job=latest_job(session, programme.id))


def programme_page(session: Session, filters: ProgrammeFilters) -> ProgrammePage:
    """One page of the library (no live progress: a list is not polled per item)."""
    items, total = search_programmes(session, filters)
    return ProgrammePage(
        items=[staff_view(item) for item in items], total=total, limit=filters.limit, offset=filters.offset
    )


def ready_programme(session: Session, programme_id: uuid.UUID) -> Programme:
    """A programme viewers may see (ready, with media), or NotFound: the others do not exist for them."""
    programme = session.get(Programme, programme_id)
    if programme is None or programme.status != ProgrammeStatus.READY or not programme.media_prefix:
        raise NotFound("programme_not_found", "Không tìm thấy chương trình / Programme not found")
    return programme
