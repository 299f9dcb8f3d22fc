"""Channels: several linear channels, each with its house format, timezone, filler policy and window.

The profile and the epoch are fixed at creation: a live channel's variants and numbering never change.
A channel's house format is the service's (`Settings.house_format`) or a part of it: the same timing
and container with some of its rungs. Programmes are transcoded once, to the service's format, so a
channel that asked for a rung or a timing the transcoder does not produce would never find a ready
programme and would air only filler: it is refused with a 422 that names what is produced.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channel import audit
from channel.grid.errors import GridError, invalid, not_found
from channel.grid.schemas import ChannelCreate, ChannelUpdate, FillerPolicy, ProfileIn
from channel.grid.timeparse import floor_second, zone
from channel.models import Channel, Programme, ProgrammeStatus, profile_json
from channel.settings import Settings
from transcoder.house import HouseFormat

__all__ = [
    "ENTITY_CHANNEL",
    "channel_fields",
    "create_channel",
    "default_profile",
    "ensure_channel",
    "get_channel",
    "list_channels",
    "segment_seconds",
    "update_channel",
]

ENTITY_CHANNEL = "channel"
MAX_WINDOW_SECONDS = 3600.0
#: subtitle renditions of a new channel (WebVTT, Vietnamese the default); fixed like the ladder
DEFAULT_SUBTITLES = ("vi",)


def default_profile(settings: Settings) -> dict[str, Any]:
    """The house format of the settings, as stored on a new channel."""
    return profile_json(settings.house_format, subtitles=DEFAULT_SUBTITLES)


def segment_seconds(channel: Channel) -> float:
    """The channel's segment duration (the unit of the freeze rule)."""
    return channel.house_format.segment_seconds


def _rung_names(house: HouseFormat) -> str:
    return ", ".join(r.name for r in house.rungs)


def _produced(given: HouseFormat, house: HouseFormat) -> HouseFormat:
    """`given` if every programme transcoded to `house` can air on it, else a 422 naming what is produced."""
    missing = [r.name for r in given.rungs if r not in house.rungs]
    if missing:
        raise GridError(
            status=422,
            code="rung_not_produced",
            message=(
                f"Bộ chuyển mã không tạo bậc {', '.join(missing)}; kênh chỉ dùng được các bậc {_rung_names(house)}"
                f" / The transcoder does not produce {', '.join(missing)}; a channel may use {_rung_names(house)}"
            ),
            details=[r.name for r in house.rungs],
        )
    timing = ("fps", "gop_seconds", "segment_seconds", "segment_format")
    if any(getattr(given, name) != getattr(house, name) for name in timing):
        raise GridError(
            status=422,
            code="format_not_produced",
            message=(
                f"Kênh phải dùng định dạng của bộ chuyển mã: {house.fps} hình/giây, GOP {house.gop_seconds:g} giây,"
                f" phân đoạn {house.segment_seconds:g} giây, {house.segment_format}"
                f" / A channel must use the transcoder's format: {house.fps} fps, {house.gop_seconds:g} s GOPs,"
                f" {house.segment_seconds:g} s segments, {house.segment_format}"
            ),
            details=[{name: getattr(house, name) for name in timing}],
        )
    return given


def _house_format(given: ProfileIn | None, settings: Settings) -> HouseFormat:
    house = settings.house_format
    if given is None:
        return house
    try:
        asked = HouseFormat.with_heights(
            tuple(given.ladder),
            fps=given.fps,
            gop_seconds=given.gop_seconds,
            segment_seconds=given.segment_seconds,
            segment_format=given.segment_format,
        )
    except ValueError:
        raise invalid(
            "invalid_profile",
            "Hồ sơ kênh không hợp lệ: bậc chất lượng trùng nhau hoặc độ dài phân đoạn không là bội số của GOP"
            " / Invalid profile: repeated rungs, or a segment that is not a whole number of GOPs",
        ) from None
    return _produced(asked, house)


def _check_window(window: float, segment: float) -> None:
    if not 3 * segment <= window <= MAX_WINDOW_SECONDS:
        raise invalid(
            "invalid_window",
            f"Cửa sổ phát phải từ {3 * segment:g} đến {MAX_WINDOW_SECONDS:g} giây (ít nhất 3 phân đoạn)"
            f" / The window must be between {3 * segment:g} and {MAX_WINDOW_SECONDS:g} s (at least 3 segments)",
        )


def _filler_policy(session: Session, policy: FillerPolicy | None) -> dict[str, Any]:
    policy = policy or FillerPolicy()
    ids = list(dict.fromkeys(policy.filler_programme_ids))
    if ids:
        ready = set(
            session.scalars(
                select(Programme.id).where(Programme.id.in_(ids), Programme.status == ProgrammeStatus.READY)
            )
        )
        missing = [str(i) for i in ids if i not in ready]
        if missing:
            raise GridError(
                status=422,
                code="invalid_filler",
                message="Chương trình đệm phải tồn tại và đã sẵn sàng / Filler programmes must exist and be ready",
                details=missing,
            )
    if not policy.slate and not ids:
        raise invalid(
            "invalid_filler",
            "Cần bảng chờ (slate) hoặc ít nhất một chương trình đệm / Enable the slate or choose filler programmes",
        )
    return {"slate": policy.slate, "filler_programme_ids": [str(i) for i in ids]}


def channel_fields(channel: Channel) -> dict[str, Any]:
    """The audited fields of a channel."""
    return {
        "slug": channel.slug,
        "name": channel.name,
        "description": channel.description,
        "timezone": channel.timezone,
        "profile": channel.profile,
        "filler_policy": channel.filler_policy,
        "window_seconds": channel.window_seconds,
    }


def list_channels(session: Session) -> Sequence[Channel]:
    return session.scalars(select(Channel).order_by(Channel.created_at, Channel.slug)).all()


def get_channel(session: Session, slug: str) -> Channel:
    """The channel called `slug`, or 404."""
    channel = session.scalar(select(Channel).where(Channel.slug == slug))
    if channel is None:
        raise not_found("kênh", "Channel")
    return channel


def _slug_taken(slug: str) -> GridError:
    return GridError(
        status=409, code="slug_taken", message=f"Kênh '{slug}' đã tồn tại / Channel '{slug}' exists"
    )


def _new_channel(session: Session, *, body: ChannelCreate, settings: Settings, now: datetime) -> Channel:
    if session.scalar(select(Channel.id).where(Channel.slug == body.slug)) is not None:
        raise _slug_taken(body.slug)
    timezone = body.timezone or settings.timezone
    zone(timezone)
    house = _house_format(body.profile, settings)
    window = body.window_seconds if body.window_seconds is not None else settings.playlist_window_seconds
    _check_window(window, house.segment_seconds)
    channel = Channel(
        id=uuid.uuid4(),
        slug=body.slug,
        name=body.name,
        description=body.description,
        timezone=timezone,
        profile=profile_json(house, subtitles=DEFAULT_SUBTITLES),
        filler_policy=_filler_policy(session, body.filler_policy),
        window_seconds=window,
        epoch=floor_second(now),
        created_at=now,
    )
    session.add(channel)
    return channel


def create_channel(
    session: Session,
    *,
    body: ChannelCreate,
    settings: Settings,
    actor_id: uuid.UUID | None,
    request_id: str | None,
    now: datetime,
) -> Channel:
    """Create and commit a channel; its epoch is `now` floored to the second."""
    channel = _new_channel(session, body=body, settings=settings, now=now)
    audit.record(
        session,
        actor_id=actor_id,
        action="channel.create",
        entity_type=ENTITY_CHANNEL,
        entity_id=channel.id,
        changes=audit.diff({}, channel_fields(channel)),
        request_id=request_id,
    )
    try:
        session.commit()
    except IntegrityError:  # the same slug created concurrently
        session.rollback()
        raise _slug_taken(body.slug) from None
    return channel


def update_channel(
    session: Session,
    *,
    slug: str,
    body: ChannelUpdate,
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> Channel:
    """Change the editable fields of a channel and commit, with an audit event of what moved."""
    channel = get_channel(session, slug)
    before = channel_fields(channel)
    given = body.model_dump(exclude_unset=True)
    if given.get("name") is not None:
        channel.name = given["name"]
    if given.get("description") is not None:
        channel.description = given["description"]
    if given.get("timezone") is not None:
        zone(given["timezone"])
        channel.timezone = given["timezone"]
    if given.get("window_seconds") is not None:
        _check_window(given["window_seconds"], segment_seconds(channel))
        channel.window_seconds = given["window_seconds"]
    if body.filler_policy is not None:
        channel.filler_policy = _filler_policy(session, body.filler_policy)
    changes = audit.diff(before, channel_fields(channel))
    if changes:
        audit.record(
            session,
            actor_id=actor_id,
            action="channel.update",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes=changes,
            request_id=request_id,
        )
    session.commit()
    return channel


def ensure_channel(session: Session, *, slug: str, name: str, settings: Settings) -> Channel:
    """The channel `slug`, created with the settings' defaults if missing (idempotent; the caller commits)."""
    existing = session.scalar(select(Channel).where(Channel.slug == slug))
    if existing is not None:
        return existing
    channel = _new_channel(
        session, body=ChannelCreate(slug=slug, name=name), settings=settings, now=datetime.now(UTC)
    )
    audit.record(
        session,
        actor_id=None,
        action="channel.create",
        entity_type=ENTITY_CHANNEL,
        entity_id=channel.id,
        changes=audit.diff({}, channel_fields(channel)),
    )
    session.flush()
    return channel
