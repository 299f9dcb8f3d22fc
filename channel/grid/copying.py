"""Bulk grid edits: copy a local day or week to another date, and remove the rest of a series.

Wall-clock times are kept when copying ("20:00 Monday" stays 20:00 on the target day).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import audit
from channel.grid.channels import ENTITY_CHANNEL, get_channel
from channel.grid.entries import ENTITY_SERIES, check_open, entries_between, freeze_boundary
from channel.grid.errors import GridError, not_found
from channel.grid.schemas import CopyCreate
from channel.grid.timeparse import instant_field, local_midnight, parse_local_date, zone
from channel.models import Channel, ScheduleEntry

__all__ = ["copy_span", "delete_series"]

_SPAN_DAYS = {"day": 1, "week": 7}


def copy_span(
    session: Session,
    *,
    slug: str,
    body: CopyCreate,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, list[ScheduleEntry], int]:
    """Copy the entries of the span starting at local date `source` to the same local times from `target`.

    With `replace`, entries already in the target span are removed first. Returns the copies and the
    number removed; any copy (or removal) inside the frozen part refuses the whole request.
    """
    channel = get_channel(session, slug)
    tz = zone(channel.timezone)
    source, target = (
        parse_local_date(body.source, field="source"),
        parse_local_date(body.target, field="target"),
    )
    length = timedelta(days=_SPAN_DAYS[body.span])
    if source == target:
        raise GridError(
            status=422,
            code="invalid_copy",
            message="Ngày nguồn và đích trùng nhau / Source and target are the same",
        )
    originals = entries_between(
        session,
        channel_id=channel.id,
        start=local_midnight(source, tz),
        end=local_midnight(source + length, tz),
    )
    shift = target - source
    starts = [(e.start_at.astimezone(tz).replace(tzinfo=None) + shift).replace(tzinfo=tz) for e in originals]
    copies = [
        ScheduleEntry(
            id=uuid.uuid4(),
            channel_id=channel.id,
            programme_id=original.programme_id,
            start_at=start.astimezone(UTC),
            mode=original.mode,
            rrule=None,
            series_id=None,
            created_by_id=actor_id,
        )
        for original, start in zip(originals, starts, strict=True)
    ]
    check_open(channel, [c.start_at for c in copies], now)
    replaced: list[ScheduleEntry] = []
    if body.replace:
        window = (local_midnight(target, tz), local_midnight(target + length, tz))
        replaced = list(entries_between(session, channel_id=channel.id, start=window[0], end=window[1]))
        check_open(channel, [e.start_at for e in replaced], now)
        for entry in replaced:
            session.delete(entry)
    for copy, original in zip(copies, originals, strict=True):
        session.add(copy)
        copy.programme = original.programme
    audit.record(
        session,
        actor_id=actor_id,
        action="grid.copy",
        entity_type=ENTITY_CHANNEL,
        entity_id=channel.id,
        changes={
            "source": source,
            "target": target,
            "span": body.span,
            "created": [{"id": c.id, "programme_id": c.programme_id, "start_at": c.start_at} for c in copies],
            "removed": [
                {"id": e.id, "programme_id": e.programme_id, "start_at": e.start_at} for e in replaced
            ],
        },
        request_id=request_id,
    )
    session.commit()
    return channel, copies, len(replaced)


def delete_series(
    session: Session,
    *,
    series_id: uuid.UUID,
    from_text: str | None,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[int, int]:
    """Remove the series' entries from `from_text` (default now) on, except frozen ones; (deleted, kept)."""
    entries = session.scalars(
        select(ScheduleEntry).where(ScheduleEntry.series_id == series_id).order_by(ScheduleEntry.start_at)
    ).all()
    if not entries:
        raise not_found("chuỗi chương trình", "Series")
    channel = session.get(Channel, entries[0].channel_id)
    assert channel is not None
    start = (
        instant_field(from_text, tz=zone(channel.timezone), field="from", allow_date=True)
        if from_text
        else now
    )
    boundary = freeze_boundary(channel, now)
    chosen = [e for e in entries if e.start_at >= start]
    doomed = [e for e in chosen if e.start_at >= boundary]
    for entry in doomed:
        session.delete(entry)
    audit.record(
        session,
        actor_id=actor_id,
        action="series.delete",
        entity_type=ENTITY_SERIES,
        entity_id=series_id,
        changes={
            "from": start,
            "deleted": [{"id": e.id, "programme_id": e.programme_id, "start_at": e.start_at} for e in doomed],
        },
        request_id=request_id,
    )
    session.commit()
    return len(doomed), len(chosen) - len(doomed)
