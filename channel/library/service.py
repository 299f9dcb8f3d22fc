"""Programme metadata: create, read, change and (soft) delete, each change audited and committed here."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channel import audit
from channel.folding import programme_search_text
from channel.library.errors import Conflict, NotFound
from channel.library.schemas import Airing, ProgrammeCreate, ProgrammeUpdate, ScheduledSlot
from channel.library.vocab import resolve_documents, resolve_topics
from channel.models import (
    Channel,
    CompiledPlayout,
    Programme,
    ProgrammeStatus,
    ScheduleEntry,
    TranscodeJob,
    TranscodeState,
)
from playlist import from_us, timeline_from_dict, to_us
from storage import StorageError, Store

__all__ = [
    "create_programme",
    "delete_programme",
    "future_slots",
    "get_programme",
    "programme_prefix",
    "recent_airings",
    "record_change",
    "snapshot",
    "update_programme",
]

_log = logging.getLogger(__name__)
_NOT_FOUND = "Không tìm thấy chương trình / Programme not found"


def programme_prefix(programme_id: uuid.UUID) -> str:
    """Every object of a programme (media revisions, subtitles) lives under this prefix."""
    return f"programmes/{programme_id}/"


def snapshot(programme: Programme) -> dict[str, Any]:
    """The audited fields of a programme, as plain values."""
    return {
        **programme.descriptive_fields(),
        "status": programme.status.value,
        "revision": programme.revision,
        "source_key": programme.source_key,
        "media_prefix": programme.media_prefix,
    }


def record_change(
    session: Session,
    *,
    programme: Programme,
    before: dict[str, Any],
    action: str,
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> None:
    """Audit what changed on `programme` since `before` (a `snapshot`)."""
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        entity_type="programme",
        entity_id=programme.id,
        changes=audit.diff(before, snapshot(programme)),
        request_id=request_id,
    )


def _search_text(programme: Programme) -> str:
    return programme_search_text(
        programme.title, programme.description, [document.number for document in programme.legal_documents]
    )


def get_programme(session: Session, programme_id: uuid.UUID) -> Programme:
    """A programme that is not deleted, or NotFound."""
    programme = session.get(Programme, programme_id)
    if programme is None or programme.status == ProgrammeStatus.DELETED:
        raise NotFound("programme_not_found", _NOT_FOUND)
    return programme


def create_programme(
    session: Session,
    *,
    data: ProgrammeCreate,
    owner_id: uuid.UUID,
    request_id: str | None,
    programme_id: uuid.UUID | None = None,
) -> Programme:
    """A new programme owned by `owner_id`, waiting for its source ("uploading").

    `programme_id` is given when the id was chosen earlier (a resumable upload names its object after it).
    """
    programme = Programme(
        id=programme_id or uuid.uuid4(),
        title=data.title,
        description=data.description,
        language=data.language,
        audience=data.audience,
        tags=list(dict.fromkeys(data.tags)),
        status=ProgrammeStatus.UPLOADING,
        owner_id=owner_id,
    )
    programme.topics = resolve_topics(session, data.topics)
    programme.legal_documents = resolve_documents(session, data.legal_documents)
    programme.search_text = _search_text(programme)
    session.add(programme)
    session.flush()
    before = {key: None for key in snapshot(programme)}
    record_change(
        session,
        programme=programme,
        before=before,
        action="programme.create",
        actor_id=owner_id,
        request_id=request_id,
    )
    session.commit()
    return programme


def update_programme(
    session: Session,
    *,
    programme: Programme,
    data: ProgrammeUpdate,
    actor_id: uuid.UUID,
    request_id: str | None,
) -> Programme:
    """Change the given fields; an update that changes nothing writes no audit event."""
    before = snapshot(programme)
    given = data.model_dump(exclude_unset=True)
    for field in ("title", "description", "language", "audience"):
        if given.get(field) is not None:
            setattr(programme, field, given[field])
    if data.tags is not None:
        programme.tags = list(dict.fromkeys(data.tags))
    if data.topics is not None:
        programme.topics = resolve_topics(session, data.topics)
    if data.legal_documents is not None:
        programme.legal_documents = resolve_documents(session, data.legal_documents)
    programme.search_text = _search_text(programme)
    if audit.diff(before, snapshot(programme)):
        record_change(
            session,
            programme=programme,
            before=before,
            action="programme.update",
            actor_id=actor_id,
            request_id=request_id,
        )
    session.commit()
    return programme


def future_slots(session: Session, *, programme_id: uuid.UUID, now: datetime) -> list[ScheduledSlot]:
    """The grid entries that will air this programme after `now`, soonest first."""
    rows = session.execute(
        select(ScheduleEntry.id, Channel.slug, ScheduleEntry.start_at)
        .join(Channel, Channel.id == ScheduleEntry.channel_id)
        .where(ScheduleEntry.programme_id == programme_id, ScheduleEntry.start_at > now)
        .order_by(ScheduleEntry.start_at)
    ).all()
    return [ScheduledSlot(entry_id=row[0], channel_slug=row[1], start_at=row[2]) for row in rows]


def recent_airings(session: Session, *, programme_id: uuid.UUID, since: datetime) -> list[Airing]:
    """The items of each channel's live timeline (its latest compiled playout) that air this programme
    and end after `since`: on air now, still in the catch-up, or compiled ahead. Soonest first."""
    latest = (
        select(CompiledPlayout.channel_id, func.max(CompiledPlayout.version).label("version"))
        .group_by(CompiledPlayout.channel_id)
        .subquery()
    )
    rows = session.execute(
        select(Channel.slug, CompiledPlayout.timeline)
        .join(Channel, Channel.id == CompiledPlayout.channel_id)
        .join(
            latest,
            (latest.c.channel_id == CompiledPlayout.channel_id)
            & (latest.c.version == CompiledPlayout.version),
        )
    ).all()
    wanted, since_us = str(programme_id), to_us(since)
    found: list[Airing] = []
    for slug, data in rows:
        if wanted not in str(data.get("items", ())):  # most channels never air it: skip the parse
            continue
        for item in timeline_from_dict(data).items:
            if item.programme_id == wanted and item.end_us > since_us:
                entry_id = uuid.UUID(item.entry_id) if item.entry_id else None
                found.append(
                    Airing(
                        channel_slug=slug,
                        entry_id=entry_id,
                        start_at=from_us(item.start_us),
                        end_at=from_us(item.end_us),
                    )
                )
    return sorted(found, key=lambda airing: airing.start_at)


def delete_programme(
    session: Session,
    *,
    programme: Programme,
    store: Store,
    actor_id: uuid.UUID,
    request_id: str | None,
    now: datetime,
    retention: timedelta,
) -> None:
    """Soft-delete and remove its media (every revision), unless viewers may still see it: Conflict lists
    the future grid slots, or else the airings of the live timelines that end within `retention` of now
    (on air, or still in the catch-up)."""
    slots = future_slots(session, programme_id=programme.id, now=now)
    if slots:
        raise Conflict(
            "programme_scheduled",
            "Chương trình đã được xếp lịch phát sóng; hãy gỡ khỏi lịch trước / "
            "The programme is scheduled to air; remove it from the grid first",
            details=[slot.model_dump(mode="json") for slot in slots],
        )
    airings = recent_airings(session, programme_id=programme.id, since=now - retention)
    if airings:
        raise Conflict(
            "programme_on_air",
            "Chương trình đang phát hoặc còn trong kho xem lại; hãy xoá sau khi hết hạn xem lại / "
            "The programme is on air or still in the catch-up; delete it once the catch-up has expired",
            details=[airing.model_dump(mode="json") for airing in airings],
        )
    before = snapshot(programme)
    programme.status = ProgrammeStatus.DELETED
    for job in session.scalars(
        select(TranscodeJob).where(
            TranscodeJob.programme_id == programme.id,
            TranscodeJob.state.in_([TranscodeState.QUEUED, TranscodeState.RUNNING]),
        )
    ):
        job.state, job.finished_at, job.error = TranscodeState.CANCELLED, now, "deleted"  # the worker stops
    record_change(
        session,
        programme=programme,
        before=before,
        action="programme.delete",
        actor_id=actor_id,
        request_id=request_id,
    )
    session.commit()
    for prefix in (programme_prefix(programme.id), f"sources/{programme.id}/"):
        try:
            store.delete_prefix(prefix)
        except StorageError:
            # the row is already deleted; leftovers are only storage, logged for the operator
            _log.exception("could not delete media of programme %s", programme.id)
