"""Grid entries: place, move and remove programmes on a channel, one slot or a whole recurring series.

The freeze rule: nothing starting before now + one segment may be added, moved or removed, because
that part of the timeline may already be in viewers' playlists.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from channel import audit
from channel.grid.channels import get_channel, segment_seconds
from channel.grid.errors import GridError, frozen, invalid, not_found
from channel.grid.ranges import parse_range
from channel.grid.recurrence import expand_rule
from channel.grid.schemas import EntryCreate, EntryUpdate
from channel.grid.timeparse import instant_field, zone
from channel.models import (
    Channel,
    LiveEvent,
    LiveStatus,
    Programme,
    ProgrammeStatus,
    ScheduleEntry,
    ScheduleMode,
)

__all__ = [
    "ENTITY_ENTRY",
    "ENTITY_SERIES",
    "add_entries",
    "check_open",
    "delete_entry",
    "entries_between",
    "entry_fields",
    "freeze_boundary",
    "get_entry",
    "list_entries",
    "move_entry",
    "resolve_start",
]

_NOW_WORDS = ("now", "ngay")
ENTITY_ENTRY = "schedule_entry"
ENTITY_SERIES = "schedule_series"


def freeze_boundary(channel: Channel, now: datetime) -> datetime:
    """The earliest start that may still change: now plus one segment duration."""
    return now + timedelta(seconds=segment_seconds(channel))


def resolve_start(text: str, *, channel: Channel, now: datetime) -> datetime:
    """A start typed by a scheduler; "now" means the first instant not yet frozen (an urgent insert)."""
    if text.strip().lower() in _NOW_WORDS:
        boundary = freeze_boundary(channel, now)
        return (
            boundary if boundary.microsecond == 0 else boundary.replace(microsecond=0) + timedelta(seconds=1)
        )
    return instant_field(text, tz=zone(channel.timezone))


def check_open(channel: Channel, starts: Sequence[datetime], now: datetime) -> None:
    boundary = freeze_boundary(channel, now)
    closed = [s.isoformat() for s in starts if s < boundary]
    if closed:
        raise frozen(closed[:10])


def entry_fields(entry: ScheduleEntry) -> dict[str, Any]:
    """The audited fields of an entry."""
    return {
        "channel_id": entry.channel_id,
        "programme_id": entry.programme_id,
        "start_at": entry.start_at,
        "mode": entry.mode.value,
        "rrule": entry.rrule,
        "series_id": entry.series_id,
    }


def _programmes(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Programme]:
    found = {p.id: p for p in session.scalars(select(Programme).where(Programme.id.in_(set(ids))))}
    unusable = [
        str(i) for i in dict.fromkeys(ids) if i not in found or found[i].status == ProgrammeStatus.DELETED
    ]
    if unusable:
        raise GridError(
            status=422,
            code="unknown_programme",
            message="Chương trình không tồn tại hoặc đã bị xóa / Programme not found or deleted",
            details=unusable,
        )
    return found


def _plan(channel: Channel, body: EntryCreate, now: datetime) -> list[tuple[datetime, uuid.UUID]]:
    """(start, programme) of every slot the request asks for, in UTC."""
    tz = zone(channel.timezone)
    typed = body.start is not None and body.start.strip().lower() not in _NOW_WORDS
    start = resolve_start(body.start, channel=channel, now=now) if body.start is not None else None
    if body.rrule is None:
        assert start is not None
        assert body.programme_id is not None
        return [(start, body.programme_id)]
    # a rule without a typed start begins this minute (its seconds would otherwise become BYSECOND)
    first = start if typed and start is not None else now.astimezone(tz).replace(second=0, microsecond=0)
    boundary = freeze_boundary(channel, now)
    if body.programme_ids is not None:
        expansion = expand_rule(
            body.rrule, start=first, tz=tz, limit=len(body.programme_ids), not_before=boundary
        )
        if len(expansion.starts) < len(body.programme_ids):
            raise invalid(
                "too_few_occurrences",
                f"Quy tắc lặp chỉ có {len(expansion.starts)} lần phát cho {len(body.programme_ids)} tập"
                f" / The rule has only {len(expansion.starts)} occurrences for {len(body.programme_ids)} episodes",
            )
        return list(zip(expansion.starts, body.programme_ids, strict=True))
    assert body.programme_id is not None
    expansion = expand_rule(body.rrule, start=first, tz=tz, not_before=boundary)
    return [(s, body.programme_id) for s in expansion.starts]


def _check_live(
    session: Session,
    channel: Channel,
    slots: Sequence[tuple[datetime, Programme]],
    *,
    skip: uuid.UUID | None = None,
) -> None:
    """Refuse slots overlapping a scheduled live event (409 `live_conflict`): the event's slot is the
    channel's, as a programme's is (`channel.live` refuses an event over programmes the same way)."""
    if not slots:
        return
    spans = [(start, start + timedelta(seconds=p.duration or 0)) for start, p in slots]
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    events = session.scalars(
        select(LiveEvent).where(
            LiveEvent.channel_id == channel.id,
            LiveEvent.status == LiveStatus.SCHEDULED,
            LiveEvent.start_at < hi,
            LiveEvent.end_at > lo,
        )
    ).all()
    clash = [
        {"id": str(ev.id), "title": ev.title, "start": ev.start_at.isoformat(), "end": ev.end_at.isoformat()}
        for ev in events
        if any(a < ev.end_at and ev.start_at < b for a, b in spans)
    ]
    if clash:
        raise GridError(
            status=409,
            code="live_conflict",
            message="Khung giờ trùng với sự kiện trực tiếp / The slot overlaps a live event",
            details=clash[:10],
        )


def add_entries(
    session: Session,
    *,
    slug: str,
    body: EntryCreate,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, list[ScheduleEntry]]:
    """Place one slot or a recurring series (rows sharing a `series_id`) and commit."""
    channel = get_channel(session, slug)
    plan = _plan(channel, body, now)
    check_open(channel, [start for start, _ in plan], now)
    programmes = _programmes(session, [p for _, p in plan])
    _check_live(session, channel, [(start, programmes[pid]) for start, pid in plan])
    series_id = uuid.uuid4() if body.rrule is not None else None
    rule = None if body.rrule is None else body.rrule.strip().upper().removeprefix("RRULE:")
    entries = [
        ScheduleEntry(
            id=uuid.uuid4(),
            channel_id=channel.id,
            programme_id=programme_id,
            start_at=start,
            mode=ScheduleMode(body.mode),
            rrule=rule,
            series_id=series_id,
            created_by_id=actor_id,
        )
        for start, programme_id in plan
    ]
    session.add_all(entries)
    for entry in entries:
        entry.programme = programmes[entry.programme_id]
    if series_id is None:
        audit.record(
            session,
            actor_id=actor_id,
            action="entry.create",
            entity_type=ENTITY_ENTRY,
            entity_id=entries[0].id,
            changes=audit.diff({}, entry_fields(entries[0])),
            request_id=request_id,
        )
    else:
        audit.record(
            session,
            actor_id=actor_id,
            action="series.create",
            entity_type=ENTITY_SERIES,
            entity_id=series_id,
            changes={
                "channel_id": channel.id,
                "rrule": rule,
                "mode": body.mode,
                "entries": [
                    {"id": e.id, "programme_id": e.programme_id, "start_at": e.start_at} for e in entries
                ],
            },
            request_id=request_id,
        )
    session.commit()
    return channel, entries


def get_entry(session: Session, entry_id: uuid.UUID) -> tuple[Channel, ScheduleEntry]:
    """An entry with its channel and programme, or 404."""
    entry = session.get(ScheduleEntry, entry_id, options=[joinedload(ScheduleEntry.programme)])
    if entry is None:
        raise not_found("mục lịch phát", "Grid entry")
    channel = session.get(Channel, entry.channel_id)
    assert channel is not None  # entries cascade with their channel
    return channel, entry


def move_entry(
    session: Session,
    *,
    entry_id: uuid.UUID,
    body: EntryUpdate,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, ScheduleEntry]:
    """Change an entry's start, mode or programme, if neither its old nor its new start is frozen."""
    channel, entry = get_entry(session, entry_id)
    before = entry_fields(entry)
    start = entry.start_at if body.start is None else resolve_start(body.start, channel=channel, now=now)
    check_open(channel, [entry.start_at, start], now)
    if body.programme_id is not None and body.programme_id != entry.programme_id:
        entry.programme = _programmes(session, [body.programme_id])[body.programme_id]
        entry.programme_id = body.programme_id
    entry.start_at = start
    _check_live(session, channel, [(start, entry.programme)])
    if body.mode is not None:
        entry.mode = ScheduleMode(body.mode)
    changes = audit.diff(before, entry_fields(entry))
    if changes:
        entry.updated_at = now
        audit.record(
            session,
            actor_id=actor_id,
            action="entry.update",
            entity_type=ENTITY_ENTRY,
            entity_id=entry.id,
            changes=changes,
            request_id=request_id,
        )
    session.commit()
    return channel, entry


def delete_entry(
    session: Session,
    *,
    entry_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> None:
    """Remove one entry (one occurrence of a series too) unless it is frozen, and commit."""
    channel, entry = get_entry(session, entry_id)
    check_open(channel, [entry.start_at], now)
    audit.record(
        session,
        actor_id=actor_id,
        action="entry.delete",
        entity_type=ENTITY_ENTRY,
        entity_id=entry.id,
        changes=audit.diff(entry_fields(entry), {}),
        request_id=request_id,
    )
    session.delete(entry)
    session.commit()


def entries_between(
    session: Session, *, channel_id: uuid.UUID, start: datetime, end: datetime
) -> Sequence[ScheduleEntry]:
    """Entries of a channel starting in [start, end), in air order, with their programmes loaded."""
    return session.scalars(
        select(ScheduleEntry)
        .options(joinedload(ScheduleEntry.programme))
        .where(
            ScheduleEntry.channel_id == channel_id,
            ScheduleEntry.start_at >= start,
            ScheduleEntry.start_at < end,
        )
        .order_by(ScheduleEntry.start_at, ScheduleEntry.id)
    ).all()


def list_entries(
    session: Session, *, slug: str, start_text: str | None, end_text: str | None, now: datetime
) -> tuple[Channel, Sequence[ScheduleEntry]]:
    """A channel's entries between two local dates or instants (default: today and the next 7 days)."""
    channel = get_channel(session, slug)
    start, end = parse_range(channel, start_text=start_text, end_text=end_text, now=now)
    return channel, entries_between(session, channel_id=channel.id, start=start, end=end)
