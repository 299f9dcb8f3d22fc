"""Turn domain objects into response schemas (the only place that knows both)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from channel.grid.conflicts import Conflict
from channel.grid.schemas import ChannelDetail, ChannelPublic, ConflictPublic, EntryPublic
from channel.grid.timeparse import zone
from channel.models import Channel, ProgrammeStatus, ScheduleEntry

__all__ = ["channel_detail", "channel_public", "conflict_public", "entries_public", "entry_public"]


def channel_public(channel: Channel) -> ChannelPublic:
    return ChannelPublic(
        slug=channel.slug,
        name=channel.name,
        description=channel.description,
        timezone=channel.timezone,
        master_playlist_url=f"/live/{channel.slug}/master.m3u8",
        epg_url=f"/api/channels/{channel.slug}/epg",
    )


def channel_detail(channel: Channel) -> ChannelDetail:
    return ChannelDetail(
        **channel_public(channel).model_dump(),
        id=channel.id,
        profile=channel.profile,
        filler_policy=channel.filler_policy,
        window_seconds=channel.window_seconds,
        epoch=channel.epoch,
        created_at=channel.created_at,
    )


def entry_public(channel: Channel, entry: ScheduleEntry) -> EntryPublic:
    programme = entry.programme
    end = None
    if programme.duration is not None and programme.status == ProgrammeStatus.READY:
        end = entry.start_at + timedelta(seconds=programme.duration)
    return EntryPublic(
        id=entry.id,
        channel_slug=channel.slug,
        programme_id=entry.programme_id,
        programme_title=programme.title,
        programme_status=programme.status.value,
        start_at=entry.start_at,
        start_local=entry.start_at.astimezone(zone(channel.timezone)),
        end_at=end,
        mode="soft" if entry.mode.value == "soft" else "hard",
        rrule=entry.rrule,
        series_id=entry.series_id,
    )


def entries_public(channel: Channel, entries: Iterable[ScheduleEntry]) -> list[EntryPublic]:
    return [entry_public(channel, e) for e in entries]


def conflict_public(conflict: Conflict) -> ConflictPublic:
    return ConflictPublic(
        kind=conflict.kind,
        severity=conflict.severity,
        entry_ids=[uuid.UUID(i) for i in conflict.entry_ids],
        at=conflict.at,
        seconds=round(conflict.seconds, 3),
        message=conflict.message,
    )
