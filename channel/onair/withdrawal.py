"""Taking a programme off the air: withdrawing its approval everywhere, or pulling it from one channel
while it airs (an error seen on air). Either way its approval ends, every channel airing it recompiles,
and it leaves the air at the next boundary not yet published, filler replacing it. A live event's
approval is withdrawn the same way: its channel recompiles and the slot airs the slate.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.editorial.facts import LIVE_EVENT, PROGRAMME
from channel.editorial.reviews import withdraw
from channel.grid.channels import ENTITY_CHANNEL, get_channel
from channel.library.errors import Conflict
from channel.library.service import recent_airings
from channel.models import Channel, LiveEvent, WithdrawalKind
from channel.onair.republish import (
    OnAirAction,
    first_with_cause,
    items_now_and_at_edge,
    live_timeline,
    republish,
    required_reason,
    retrying,
)
from channel.playout.publish import SlateStored
from channel.playout.versions import latest_playout
from playlist import from_us, to_us

__all__ = ["pull", "withdraw_approval"]


def _channels_airing(
    session: Session, subject_id: uuid.UUID, *, subject_type: str, now: datetime
) -> list[Channel]:
    """The channels a withdrawal recompiles: those airing the programme, or the live event's (if published)."""
    if subject_type == LIVE_EVENT:
        event = session.get(LiveEvent, subject_id)
        channel = None if event is None else session.get(Channel, event.channel_id)
        return [] if channel is None or latest_playout(session, channel.id) is None else [channel]
    slugs = {a.channel_slug for a in recent_airings(session, programme_id=subject_id, since=now)}
    if not slugs:
        return []
    return list(session.scalars(select(Channel).where(Channel.slug.in_(slugs)).order_by(Channel.slug)))


def _withdraw_everywhere(
    session: Session,
    *,
    subject_id: uuid.UUID,
    text: str,
    actor: Actor,
    kind: WithdrawalKind,
    channel: Channel | None,
    slate_stored: SlateStored | None,
    subject_type: str = PROGRAMME,
) -> OnAirAction:
    review = withdraw(
        session,
        subject_id=subject_id,
        subject_type=subject_type,
        reason=text,
        actor=actor,
        kind=kind,
        channel_id=None if channel is None else channel.id,
    )
    cause = f"{kind.value}:{review.id}"
    versions: dict[str, int] = {}
    effective: datetime | None = None
    for target in _channels_airing(session, subject_id, subject_type=subject_type, now=actor.now):
        version, timeline = republish(session, target, now=actor.now, slate_stored=slate_stored)
        versions[target.slug] = version
        item = first_with_cause(timeline, cause, after_us=to_us(actor.now))
        if item is not None and (channel is None or target.id == channel.id):
            off = from_us(item.end_us if item.kind == "programme" else item.start_us)
            effective = off if effective is None else min(effective, off)
    return OnAirAction(takeover=None, review=review, effective_at=effective, versions=versions)


def withdraw_approval(
    session: Session,
    *,
    subject_id: uuid.UUID,
    reason: str | None,
    actor: Actor,
    slate_stored: SlateStored | None = None,
    subject_type: str = PROGRAMME,
) -> OnAirAction:
    """Withdraw the standing approval of a programme (or live event); every channel airing it
    recompiles: it leaves the air at the next boundary not yet published, filler (or the slate)
    replaces it, and its coming slots air filler."""
    text = required_reason(reason)
    return retrying(
        session,
        lambda: _withdraw_everywhere(
            session,
            subject_id=subject_id,
            subject_type=subject_type,
            text=text,
            actor=actor,
            kind=WithdrawalKind.WITHDRAWN,
            channel=None,
            slate_stored=slate_stored,
        ),
    )


def pull(
    session: Session,
    *,
    slug: str,
    programme_id: uuid.UUID,
    reason: str | None,
    actor: Actor,
    slate_stored: SlateStored | None = None,
) -> OnAirAction:
    """Pull the programme on air off it now (an error seen on air): filler from the first unpublished
    boundary, its approval ended (it airs again only once an editor approves it again)."""
    text = required_reason(reason)

    def attempt() -> OnAirAction:
        channel = get_channel(session, slug)
        timeline = live_timeline(session, channel)
        airing = {
            i.programme_id
            for i in items_now_and_at_edge(timeline, actor.now)
            if i is not None and i.kind in ("programme", "filler")
        }
        if str(programme_id) not in airing:
            raise Conflict(
                "not_on_air",
                "Chương trình này không còn đang phát trên kênh / This programme is not on air on the channel",
            )
        done = _withdraw_everywhere(
            session,
            subject_id=programme_id,
            text=text,
            actor=actor,
            kind=WithdrawalKind.PULLED,
            channel=channel,
            slate_stored=slate_stored,
        )
        audit.record_by(
            session,
            actor,
            "channel.pull",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes={
                "programme_id": str(programme_id),
                "review_id": None if done.review is None else str(done.review.id),
                "reason": text,
                "off_air_at": done.effective_at,
                "version": done.versions.get(channel.slug),
            },
        )
        return done

    return retrying(session, attempt)
