"""What every on-air action shares: a required reason, a republish in the same transaction (retried when
another publish took the version number first), and reading the new timeline for when it airs.

Every action is audited (who, when, why) and republishes at once, so it reaches every replica within one
timeline refresh (≤ 3 s) and airs from the first boundary no replica can have published (≤ one target
duration and one GOP after the action, docs/editorial.md). The as-run log carries the cause of what
replaced the grid (`playlist.Item.cause`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channel.editorial.reviews import MAX_REASON
from channel.grid.channels import get_channel
from channel.library.errors import Conflict, Invalid
from channel.models import Channel, ChannelTakeover, Review
from channel.playout.publish import SlateStored, publish_channel
from channel.playout.versions import latest_playout
from playlist import Item, OffAirError, Timeline, timeline_from_dict, to_us

__all__ = [
    "OnAirAction",
    "first_with_cause",
    "item_at",
    "items_now_and_at_edge",
    "live_timeline",
    "locked_channel",
    "republish",
    "required_reason",
    "retrying",
]

T = TypeVar("T")
_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class OnAirAction:
    """What an on-air action did: the record it made and from when it airs (per the new timeline)."""

    takeover: ChannelTakeover | None
    review: Review | None
    effective_at: datetime | None
    versions: dict[str, int]


def required_reason(text: str | None) -> str:
    """The reason given, trimmed; refused when blank or too long (an on-air action always says why)."""
    value = (text or "").strip()
    if not value:
        raise Invalid(
            "reason_required",
            "Cần ghi lý do (được ghi vào nhật ký kiểm toán) / A reason is required (it goes into the audit log)",
        )
    if len(value) > MAX_REASON:
        raise Invalid(
            "reason_too_long",
            f"Lý do dài quá {MAX_REASON} ký tự / The reason is over {MAX_REASON} characters",
        )
    return value


def retrying(session: Session, attempt: Callable[[], T]) -> T:
    """Run ``attempt`` and commit; when another publish took the same version number first, again."""
    for _ in range(_ATTEMPTS):
        try:
            result = attempt()
            session.commit()
            return result
        except IntegrityError:
            session.rollback()
    raise Conflict(
        "publish_in_progress",
        "Kênh đang được phát hành bởi yêu cầu khác, hãy thử lại / Another publish is running; retry",
    )


def live_timeline(session: Session, channel: Channel) -> Timeline:
    """The channel's live timeline; an action on a channel never published is refused."""
    compiled = latest_playout(session, channel.id)
    if compiled is None:
        raise Conflict(
            "not_on_air",
            "Kênh chưa phát sóng (chưa phát hành lịch) / The channel is not on air (never published)",
        )
    return timeline_from_dict(compiled.timeline)


def item_at(timeline: Timeline, at: datetime) -> Item | None:
    """The item airing at ``at``, if the timeline reaches it."""
    try:
        return timeline.items[timeline.item_index_at(to_us(at))]
    except OffAirError:
        return None


def items_now_and_at_edge(timeline: Timeline, now: datetime) -> tuple[Item | None, Item | None]:
    """What airs at ``now`` and at the publish edge (one target duration on): what an action can still change."""
    edge = now + timedelta(seconds=timeline.channel.target_duration)
    return item_at(timeline, now), item_at(timeline, edge)


def locked_channel(session: Session, slug: str) -> Channel:
    """The channel, locked for the action's transaction (one takeover or release at a time); 404 if none."""
    channel = session.scalar(select(Channel).where(Channel.slug == slug).with_for_update())
    return channel if channel is not None else get_channel(session, slug)


def republish(
    session: Session, channel: Channel, *, now: datetime, slate_stored: SlateStored | None
) -> tuple[int, Timeline]:
    """Publish the channel again with what the action changed (uncommitted): its version and timeline."""
    compiled = publish_channel(session, channel_id=channel.id, now=now, slate_stored=slate_stored)
    return compiled.version, timeline_from_dict(compiled.timeline)


def first_with_cause(timeline: Timeline, cause: str, *, after_us: int) -> Item | None:
    """The first item the action put there (by its cause) that ends after ``after_us``."""
    return next((i for i in timeline.items if i.cause == cause and i.end_us > after_us), None)
