"""Emergency takeover of a channel by the duty editor, and its release; and what the duty editor sees.

A takeover puts the channel on its slate or an approved emergency programme, looping until released;
the release returns it to the grid at that instant (the entry scheduled then joins mid-way). The pure
part is `playlist.overriding`; here the record, the audit and the republish.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.editorial.airable import approvals_of
from channel.grid.channels import ENTITY_CHANNEL, get_channel
from channel.library.errors import Conflict, Invalid
from channel.models import Channel, ChannelTakeover, TakeoverSource
from channel.onair.republish import (
    OnAirAction,
    first_with_cause,
    items_now_and_at_edge,
    live_timeline,
    locked_channel,
    republish,
    required_reason,
    retrying,
)
from channel.playout.publish import SlateStored
from channel.playout.versions import latest_playout
from playlist import Item, from_us, timeline_from_dict, to_us

__all__ = ["OnAir", "active_takeover", "on_air", "release", "take_over"]


@dataclass(frozen=True, slots=True)
class OnAir:
    """A channel as the duty editor sees it: what airs now, and the takeover in force, if any."""

    channel: Channel
    now: Item | None
    edge_item: Item | None
    takeover: ChannelTakeover | None


def active_takeover(session: Session, channel_id: uuid.UUID) -> ChannelTakeover | None:
    return session.scalar(
        select(ChannelTakeover)
        .where(ChannelTakeover.channel_id == channel_id, ChannelTakeover.released_at.is_(None))
        .order_by(ChannelTakeover.started_at.desc())
        .limit(1)
    )


def on_air(session: Session, *, slug: str, now: datetime) -> OnAir:
    """What airs on a channel now and at the publish edge, and its takeover, if any."""
    channel = get_channel(session, slug)
    compiled = latest_playout(session, channel.id)
    timeline = None if compiled is None else timeline_from_dict(compiled.timeline)
    airing, at_edge = (None, None) if timeline is None else items_now_and_at_edge(timeline, now)
    return OnAir(
        channel=channel, now=airing, edge_item=at_edge, takeover=active_takeover(session, channel.id)
    )


def take_over(
    session: Session,
    *,
    slug: str,
    source: TakeoverSource,
    programme_id: uuid.UUID | None,
    reason: str | None,
    actor: Actor,
    slate_stored: SlateStored | None = None,
) -> OnAirAction:
    """Put the channel on its slate or an approved emergency programme, looping until released."""
    text = required_reason(reason)
    if source == TakeoverSource.PROGRAMME:
        if programme_id is None:
            raise Invalid(
                "programme_required", "Hãy chọn chương trình khẩn cấp / Choose the emergency programme"
            )
        approval = approvals_of(session, {programme_id}).get(programme_id)
        if approval is None or approval.withdrawn_at is not None:
            raise Conflict(
                "not_approved",
                "Chương trình khẩn cấp phải là chương trình đã được duyệt / The emergency programme must be approved",
            )
    else:
        programme_id = None

    def attempt() -> OnAirAction:
        channel = locked_channel(session, slug)
        live_timeline(session, channel)
        if active_takeover(session, channel.id) is not None:
            raise Conflict(
                "takeover_active",
                "Kênh đang được tiếp quản khẩn cấp; hãy trả lại trước / The channel is already taken over",
            )
        assert actor.user_id is not None
        row = ChannelTakeover(
            channel_id=channel.id,
            source=source,
            programme_id=programme_id,
            reason=text,
            started_by_id=actor.user_id,
            started_at=actor.now,
        )
        session.add(row)
        session.flush()
        version, timeline = republish(session, channel, now=actor.now, slate_stored=slate_stored)
        item = first_with_cause(timeline, f"takeover:{row.id}", after_us=to_us(actor.now))
        airs_from = None if item is None else from_us(item.start_us)
        audit.record_by(
            session,
            actor,
            "channel.takeover",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes={
                "takeover_id": str(row.id),
                "source": source.value,
                "programme_id": None if programme_id is None else str(programme_id),
                "reason": text,
                "airs_from": airs_from,
                "version": version,
            },
        )
        return OnAirAction(
            takeover=row, review=None, effective_at=airs_from, versions={channel.slug: version}
        )

    return retrying(session, attempt)


def release(
    session: Session, *, slug: str, reason: str | None, actor: Actor, slate_stored: SlateStored | None = None
) -> OnAirAction:
    """End the takeover: the channel returns to the grid at the current instant (the entry scheduled
    now joins mid-way), from the first boundary not yet published."""
    text = required_reason(reason)

    def attempt() -> OnAirAction:
        channel = locked_channel(session, slug)
        row = active_takeover(session, channel.id)
        if row is None:
            raise Conflict("no_takeover", "Kênh không bị tiếp quản / The channel is not taken over")
        row.released_at, row.released_by_id, row.release_reason = actor.now, actor.user_id, text
        session.flush()
        version, timeline = republish(session, channel, now=actor.now, slate_stored=slate_stored)
        cause = f"takeover:{row.id}"
        last = [i for i in timeline.items if i.cause == cause]
        returns_at = from_us(last[-1].end_us) if last else None
        audit.record_by(
            session,
            actor,
            "channel.release",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes={
                "takeover_id": str(row.id),
                "reason": text,
                "returns_at": returns_at,
                "version": version,
            },
        )
        return OnAirAction(
            takeover=row, review=None, effective_at=returns_at, versions={channel.slug: version}
        )

    return retrying(session, attempt)
