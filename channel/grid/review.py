"""Before and after air: the conflicts of a grid, publishing it to the playout, and the as-run log.

Conflicts are read from a compiled timeline (`playlist.entry_airings`): the check compiles the grid as
a publish would, and a publish reports them from the very timeline it stores, so the seconds reported
as cut or late are exactly what airs. Compiling and the as-run record belong to `channel.playout`;
they are imported when first needed so the grid works (and says so clearly) while the playout is not
installed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channel import audit
from channel.editorial.gate import BLOCKED_MESSAGE, WHY, blocking_items, live_why
from channel.grid.channels import ENTITY_CHANNEL, get_channel
from channel.grid.conflicts import Conflict, LiveSlot, Slot, detect_conflicts
from channel.grid.entries import entries_between
from channel.grid.errors import GridError
from channel.grid.ranges import parse_range
from channel.models import AsRunEntry, Channel, LiveEvent, LiveStatus, ScheduleEntry
from playlist import Timeline, entry_airings, timeline_from_dict

__all__ = [
    "DEFAULT_MIN_GAP",
    "PublishResult",
    "as_run",
    "channel_conflicts",
    "publish",
    "slot_of",
]

#: a silence between programmes longer than this is reported (filler covers it)
DEFAULT_MIN_GAP = 60.0


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What a publish produced: the new playout version and the conflicts it was published with."""

    version: int
    published_until: datetime
    conflicts: tuple[Conflict, ...]


def _media_seconds(media: dict[str, Any] | None) -> float | None:
    """A programme's length as the playout counts it: its segments, each to the microsecond."""
    durations = (media or {}).get("segment_durations") or []
    return sum(round(float(d) * 1_000_000) for d in durations) / 1_000_000 or None


def slot_of(entry: ScheduleEntry) -> Slot:
    """The frozen view of an entry the pure checks work on."""
    programme = entry.programme
    duration = _media_seconds(programme.media) or programme.duration
    return Slot(
        entry_id=str(entry.id),
        programme_id=str(entry.programme_id),
        title=programme.title,
        start=entry.start_at,
        mode="soft" if entry.mode.value == "soft" else "hard",
        duration=duration,
        status=programme.status.value,
    )


def _conflicts(
    session: Session,
    *,
    channel: Channel,
    start: datetime,
    end: datetime,
    min_gap: float,
    timeline: Timeline,
    now: datetime,
) -> list[Conflict]:
    # the entry before the range may still be on air and overlap the first entry of the range
    previous = session.scalars(
        select(ScheduleEntry)
        .where(ScheduleEntry.channel_id == channel.id, ScheduleEntry.start_at < start)
        .order_by(ScheduleEntry.start_at.desc())
        .limit(1)
    ).all()
    entries = [*previous, *entries_between(session, channel_id=channel.id, start=start, end=end)]
    slots = [slot_of(e) for e in entries]
    return detect_conflicts(
        slots,
        airings=entry_airings(timeline),
        min_gap=min_gap,
        since=now,
        live=_unapproved_live(session, channel=channel, start=max(start, now), end=end),
    )


def _unapproved_live(session: Session, *, channel: Channel, start: datetime, end: datetime) -> list[LiveSlot]:
    """The channel's scheduled live events overlapping [start, end) that may not air, with why."""
    events = session.scalars(
        select(LiveEvent).where(
            LiveEvent.channel_id == channel.id,
            LiveEvent.status == LiveStatus.SCHEDULED,
            LiveEvent.start_at < end,
            LiveEvent.end_at > start,
        )
    ).all()
    found = []
    for event in events:
        code = live_why(session, event)
        if code is not None:
            vi, en = WHY[code]
            found.append(LiveSlot(str(event.id), event.title, event.start_at, vi, en))
    return found


def channel_conflicts(
    session: Session,
    *,
    slug: str,
    start_text: str | None,
    end_text: str | None,
    now: datetime,
    min_gap: float = DEFAULT_MIN_GAP,
) -> list[Conflict]:
    """Conflicts of a channel's grid between two local dates or instants (default: the next 7 days),
    from the timeline a publish at ``now`` would compile."""
    channel = get_channel(session, slug)
    start, end = parse_range(channel, start_text=start_text, end_text=end_text, now=now)
    timeline: Timeline = _playout("publish", "compile_channel")(session, channel_id=channel.id, now=now)
    return _conflicts(
        session, channel=channel, start=start, end=end, min_gap=min_gap, timeline=timeline, now=now
    )


def _playout(module: str, name: str) -> Callable[..., Any]:
    try:
        found: Callable[..., Any] = getattr(import_module(f"channel.playout.{module}"), name)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("channel.playout"):
            raise
        raise GridError(
            status=503,
            code="playout_unavailable",
            message="Bộ phát sóng chưa sẵn sàng / The playout is not available",
        ) from None
    return found


def publish(
    session: Session,
    *,
    slug: str,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
    min_gap: float = DEFAULT_MIN_GAP,
    slate_stored: Callable[[str], bool] | None = None,
) -> PublishResult:
    """Compile the grid into a new playout version (changes apply after the frozen part) and commit;
    the conflicts come from the timeline stored. ``slate_stored``: see `publish_channel`.

    Refused (409 ``unapproved_items``, each blocking entry listed) while a coming entry or a filler
    names a programme without a standing approval (`channel.editorial.gate`)."""
    channel = get_channel(session, slug)
    blocked = blocking_items(session, channel=channel, now=now)
    if blocked:
        raise GridError(status=409, code="unapproved_items", message=BLOCKED_MESSAGE, details=blocked)
    last = session.scalar(
        select(func.max(ScheduleEntry.start_at)).where(ScheduleEntry.channel_id == channel.id)
    )
    end = max(now, last or now) + timedelta(days=1)
    publish_channel = _playout("publish", "publish_channel")
    try:
        compiled = publish_channel(session, channel_id=channel.id, now=now, slate_stored=slate_stored)
        timeline = timeline_from_dict(compiled.timeline)
        conflicts = _conflicts(
            session, channel=channel, start=now, end=end, min_gap=min_gap, timeline=timeline, now=now
        )
        audit.record(
            session,
            actor_id=actor_id,
            action="channel.publish",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes={
                "version": compiled.version,
                "published_until": compiled.published_until,
                "conflicts": len(conflicts),
                "errors": sum(c.severity == "error" for c in conflicts),
            },
            request_id=request_id,
        )
        session.commit()
    except IntegrityError:  # another publish took this version number first
        session.rollback()
        raise GridError(
            status=409,
            code="publish_in_progress",
            message="Kênh đang được phát hành bởi yêu cầu khác, hãy thử lại / Another publish is running; retry",
        ) from None
    return PublishResult(
        version=compiled.version, published_until=compiled.published_until, conflicts=tuple(conflicts)
    )


def as_run(
    session: Session, *, slug: str, start_text: str | None, end_text: str | None, now: datetime
) -> Sequence[AsRunEntry]:
    """Record what aired up to now (from the compiled timeline), then list the as-run log in a range."""
    channel = get_channel(session, slug)
    start, end = parse_range(
        channel, start_text=start_text, end_text=end_text, now=now - timedelta(days=1), default_days=2
    )
    record_as_run = _playout("asrun", "record_as_run")
    record_as_run(session, channel_id=channel.id, until=now)
    session.commit()
    return session.scalars(
        select(AsRunEntry)
        .where(AsRunEntry.channel_id == channel.id, AsRunEntry.started_at < end, AsRunEntry.ended_at > start)
        .order_by(AsRunEntry.started_at)
    ).all()
