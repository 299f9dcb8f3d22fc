"""Live events: schedulers place them on a channel's grid, each with a stream key; the ingest asks here
whether a key may publish. Conflicts with programmes and other live events are refused (409)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import audit
from channel.editorial.facts import LIVE_FIELDS
from channel.grid.channels import get_channel
from channel.grid.entries import check_open, entries_between, resolve_start
from channel.grid.errors import GridError, invalid, not_found
from channel.live.conflicts import Occupied, overlaps
from channel.live.keys import IssuedKey, KeyVerdict, KeyWindow, issue_key, judge_key, key_digest
from channel.live.schemas import LiveEventCreate, LiveEventUpdate
from channel.models import Channel, LiveEvent, LiveStatus

__all__ = [
    "ENTITY_LIVE",
    "MAX_LENGTH",
    "KeyCheck",
    "check_key",
    "create_event",
    "delete_event",
    "events_between",
    "get_event",
    "list_events",
    "new_key",
    "revoke_key",
    "update_event",
]

ENTITY_LIVE = "live_event"
MAX_LENGTH = timedelta(hours=12)
_LOOK_BACK = timedelta(hours=12)  # an entry starting this long before a slot may still overlap it


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """What the ingest learns about a key: the event and the verdict."""

    event: LiveEvent
    channel: Channel
    verdict: KeyVerdict


def window_of(event: LiveEvent, *, lead: timedelta) -> KeyWindow:
    return KeyWindow(
        start=event.start_at,
        end=event.end_at,
        lead=lead,
        revoked_at=event.key_revoked_at,
        cancelled=event.status == LiveStatus.CANCELLED,
    )


def events_between(
    session: Session, *, channel_id: uuid.UUID, start: datetime, end: datetime
) -> Sequence[LiveEvent]:
    """Scheduled (not cancelled) events of a channel overlapping [start, end), in start order."""
    return session.scalars(
        select(LiveEvent)
        .where(
            LiveEvent.channel_id == channel_id,
            LiveEvent.status == LiveStatus.SCHEDULED,
            LiveEvent.start_at < end,
            LiveEvent.end_at > start,
        )
        .order_by(LiveEvent.start_at, LiveEvent.id)
    ).all()


def _taken(
    session: Session, channel: Channel, *, start: datetime, end: datetime, skip: uuid.UUID | None
) -> list[Occupied]:
    taken = [
        Occupied(
            "entry",
            str(e.id),
            e.programme.title,
            e.start_at,
            e.start_at + timedelta(seconds=e.programme.duration or 0),
        )
        for e in entries_between(session, channel_id=channel.id, start=start - _LOOK_BACK, end=end)
    ]
    taken += [
        Occupied("live", str(ev.id), ev.title, ev.start_at, ev.end_at)
        for ev in events_between(session, channel_id=channel.id, start=start, end=end)
        if ev.id != skip
    ]
    return taken


def _check_slot(
    session: Session, channel: Channel, *, start: datetime, end: datetime, skip: uuid.UUID | None
) -> None:
    if end <= start:
        raise invalid(
            "live_end_before_start", "Giờ kết thúc phải sau giờ bắt đầu / The end must come after the start"
        )
    if end - start > MAX_LENGTH:
        raise invalid(
            "live_too_long", "Sự kiện trực tiếp dài tối đa 12 giờ / A live event lasts at most 12 hours"
        )
    clash = overlaps(start=start, end=end, taken=_taken(session, channel, start=start, end=end, skip=skip))
    if clash:
        raise GridError(
            status=409,
            code="live_conflict",
            message="Khung giờ trực tiếp trùng với lịch phát sóng / The live slot overlaps the grid",
            details=[
                {
                    "kind": o.kind,
                    "id": o.ref,
                    "title": o.title,
                    "start": o.start.isoformat(),
                    "end": o.end.isoformat(),
                }
                for o in clash
            ],
        )


def _fields(event: LiveEvent) -> dict[str, Any]:
    """What the audit log keeps of an event: its editorial facts (`LIVE_FIELDS`) and its status."""
    return {
        "channel_id": event.channel_id,
        "title": event.title,
        "description": event.description,
        "topics": list(event.topics),
        "legal_documents": list(event.legal_documents),
        "start_at": event.start_at,
        "end_at": event.end_at,
        "status": event.status.value,
    }


def _record(
    session: Session,
    event: LiveEvent,
    *,
    action: str,
    changes: dict[str, Any],
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        entity_type=ENTITY_LIVE,
        entity_id=event.id,
        changes=changes,
        request_id=request_id,
    )


def create_event(
    session: Session,
    *,
    slug: str,
    body: LiveEventCreate,
    secret_key: str,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, LiveEvent, IssuedKey]:
    """Place a live event on the grid with a fresh stream key (returned in the clear, once)."""
    channel = get_channel(session, slug)
    start = resolve_start(body.start, channel=channel, now=now)
    end = resolve_start(body.end, channel=channel, now=now)
    check_open(channel, [start], now)
    _check_slot(session, channel, start=start, end=end, skip=None)
    key = issue_key(secret_key=secret_key)
    event = LiveEvent(
        channel_id=channel.id,
        title=body.title,
        description=body.description,
        topics=list(body.topics),
        legal_documents=list(body.legal_documents),
        start_at=start,
        end_at=end,
        status=LiveStatus.SCHEDULED,
        key_hash=key.digest,
        key_issued_at=now,
        created_by_id=actor_id,
    )
    session.add(event)
    session.flush()
    _record(
        session, event, action="live.create", changes=_fields(event), actor_id=actor_id, request_id=request_id
    )
    session.commit()
    return channel, event, key


def get_event(session: Session, event_id: uuid.UUID) -> tuple[Channel, LiveEvent]:
    event = session.get(LiveEvent, event_id)
    if event is None:
        raise not_found("sự kiện trực tiếp", "live event")
    channel = session.get(Channel, event.channel_id)
    assert channel is not None
    return channel, event


def list_events(session: Session, *, slug: str, now: datetime) -> tuple[Channel, Sequence[LiveEvent]]:
    """A channel's live events from a day ago on, cancelled ones included."""
    channel = get_channel(session, slug)
    events = session.scalars(
        select(LiveEvent)
        .where(LiveEvent.channel_id == channel.id, LiveEvent.end_at > now - timedelta(days=1))
        .order_by(LiveEvent.start_at, LiveEvent.id)
    ).all()
    return channel, events


def update_event(
    session: Session,
    *,
    event_id: uuid.UUID,
    body: LiveEventUpdate,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, LiveEvent]:
    """Change an event; a start already frozen cannot move, an end may (applied at an unpublished boundary).
    A change of its editorial facts makes a new revision, which airs once an editor approves it."""
    channel, event = get_event(session, event_id)
    before = _fields(event)
    start = event.start_at if body.start is None else resolve_start(body.start, channel=channel, now=now)
    end = event.end_at if body.end is None else resolve_start(body.end, channel=channel, now=now)
    if start != event.start_at:
        check_open(channel, [event.start_at, start], now)
    if end != event.end_at:  # the new end must still be ahead of what is published
        check_open(channel, [end], now)
    if body.cancelled:
        check_open(channel, [event.start_at], now)
        event.status = LiveStatus.CANCELLED
    elif body.cancelled is False:
        event.status = LiveStatus.SCHEDULED
    if event.status == LiveStatus.SCHEDULED:
        _check_slot(session, channel, start=start, end=end, skip=event.id)
    event.start_at, event.end_at = start, end
    for name in ("title", "description", "topics", "legal_documents"):
        value = getattr(body, name)
        if value is not None:
            setattr(event, name, list(value) if isinstance(value, list) else value)
    after = _fields(event)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if set(changes) & set(LIVE_FIELDS):
        event.revision += 1
    _record(session, event, action="live.update", changes=changes, actor_id=actor_id, request_id=request_id)
    session.commit()
    return channel, event


def delete_event(
    session: Session,
    *,
    event_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> None:
    """Remove an event that has not started to air (one that has is cancelled or shortened instead)."""
    channel, event = get_event(session, event_id)
    check_open(channel, [event.start_at], now)
    _record(
        session, event, action="live.delete", changes=_fields(event), actor_id=actor_id, request_id=request_id
    )
    session.delete(event)
    session.commit()


def new_key(
    session: Session,
    *,
    event_id: uuid.UUID,
    secret_key: str,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, LiveEvent, IssuedKey]:
    """Revoke the event's key and issue another (the old one stops at once, also mid-stream)."""
    channel, event = get_event(session, event_id)
    key = issue_key(secret_key=secret_key)
    event.key_hash, event.key_issued_at, event.key_revoked_at = key.digest, now, None
    _record(
        session, event, action="live.key_regenerate", changes={}, actor_id=actor_id, request_id=request_id
    )
    session.commit()
    return channel, event, key


def revoke_key(
    session: Session,
    *,
    event_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> tuple[Channel, LiveEvent]:
    """Revoke the event's key with no replacement: no contribution is accepted until a new one is made."""
    channel, event = get_event(session, event_id)
    event.key_revoked_at = now
    _record(session, event, action="live.key_revoke", changes={}, actor_id=actor_id, request_id=request_id)
    session.commit()
    return channel, event


def check_key(
    session: Session, *, plain: str, secret_key: str, lead: timedelta, now: datetime
) -> KeyCheck | None:
    """The event whose key this is and whether it may publish now; None for a key nobody issued."""
    event = session.scalar(
        select(LiveEvent).where(LiveEvent.key_hash == key_digest(plain, secret_key=secret_key))
    )
    if event is None:
        return None
    channel = session.get(Channel, event.channel_id)
    assert channel is not None
    return KeyCheck(event=event, channel=channel, verdict=judge_key(window_of(event, lead=lead), now=now))
