"""What review decides on: a programme or a live event, its current revision, and who authored it.

`channel.editorial.reviews` applies one set of rules to both; here is what differs: where each kind is
loaded from, how its revision is read (`channel.editorial.facts`) and whose actions author it
(`channel.editorial.authors`), and which of them may wait for a decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channel.editorial.authors import live_authorship, programme_authorship, revision_authors
from channel.editorial.facts import LIVE_EVENT, Revision, live_revision, programme_revision
from channel.library.errors import NotFound
from channel.library.transcode import latest_job
from channel.models import LiveEvent, LiveStatus, Programme, ProgrammeStatus, TranscodeState

__all__ = ["Subject", "programme_of", "revision_of", "settled", "subject_of", "waiting"]

_NOT_FOUND = "Không tìm thấy chương trình / Programme not found"


@dataclass(frozen=True, slots=True)
class Subject:
    """A programme or a live event as review sees it: its current revision, when it last changed, and
    who authored it since a given approval (read from the audit chain only when asked)."""

    revision: Revision
    updated_at: datetime
    authors: Callable[[datetime | None], frozenset[uuid.UUID]]


def programme_of(session: Session, programme_id: uuid.UUID) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None or programme.status == ProgrammeStatus.DELETED:
        raise NotFound("programme_not_found", _NOT_FOUND)
    return programme


def _programme_subject(session: Session, programme: Programme, *, cosmetic: Collection[str]) -> Subject:
    return Subject(
        revision=revision_of(session, programme, cosmetic=cosmetic),
        updated_at=programme.updated_at,
        authors=lambda since: revision_authors(
            session,
            authorship=programme_authorship(cosmetic),
            subject_id=programme.id,
            owner_id=programme.owner_id,
            since=since,
        ),
    )


def _live_subject(session: Session, event: LiveEvent) -> Subject:
    return Subject(
        revision=live_revision(event),
        updated_at=event.updated_at,
        authors=lambda since: revision_authors(
            session,
            authorship=live_authorship,
            subject_id=event.id,
            owner_id=event.created_by_id,
            since=since,
        ),
    )


def subject_of(
    session: Session, *, subject_type: str, subject_id: uuid.UUID, cosmetic: Collection[str]
) -> Subject:
    """The programme or live event under review (404 if it does not exist, or the programme was deleted)."""
    if subject_type == LIVE_EVENT:
        event = session.get(LiveEvent, subject_id)
        if event is None:
            raise NotFound("live_event_not_found", "Không tìm thấy sự kiện trực tiếp / Live event not found")
        return _live_subject(session, event)
    return _programme_subject(session, programme_of(session, subject_id), cosmetic=cosmetic)


def settled(session: Session, programme: Programme) -> bool:
    """No transcode of a newer source is queued, running or failed: the media on the row is current."""
    job = latest_job(session, programme.id)
    return job is None or job.state == TranscodeState.SUCCEEDED


def revision_of(session: Session, programme: Programme, *, cosmetic: Collection[str]) -> Revision:
    """The programme's current revision (`programme_revision`), knowing whether it is transcoded."""
    return programme_revision(programme, cosmetic=cosmetic, settled=settled(session, programme))


def waiting(
    session: Session, *, cosmetic: Collection[str], subject_type: str, now: datetime
) -> list[Subject]:
    """The subjects that may wait for a decision: ready programmes, live events still to end."""
    if subject_type == LIVE_EVENT:
        events = session.scalars(
            select(LiveEvent)
            .where(LiveEvent.status == LiveStatus.SCHEDULED, LiveEvent.end_at > now)
            .order_by(LiveEvent.start_at, LiveEvent.id)
        ).all()
        return [_live_subject(session, e) for e in events]
    programmes = session.scalars(
        select(Programme)
        .where(Programme.status == ProgrammeStatus.READY)
        .options(
            selectinload(Programme.topics),
            selectinload(Programme.legal_documents),
            selectinload(Programme.subtitles),
        )
        .order_by(Programme.updated_at)
    ).all()
    return [_programme_subject(session, p, cosmetic=cosmetic) for p in programmes]
