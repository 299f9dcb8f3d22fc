"""On-air control by the duty editor: take a channel over, release it, pull the programme on air, and
withdraw an approval everywhere; each recompiles the channels concerned at once.

Every action is audited (who, when, why) and republishes in the same transaction, so it reaches every
replica within one timeline refresh (≤ 3 s) and airs from the first boundary no replica can have
published (≤ one target duration and one GOP after the action). The as-run log carries the cause of
what replaced the grid (`playlist.Item.cause`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.editorial.airable import approvals_of
from channel.editorial.reviews import MAX_REASON, withdraw
from channel.grid.channels import ENTITY_CHANNEL, get_channel
from channel.library.errors import Conflict, Invalid
from channel.library.service import recent_airings
from channel.models import Channel, ChannelTakeover, Review, TakeoverSource, WithdrawalKind
from channel.playout.publish import SlateStored, publish_channel
from channel.playout.versions import latest_playout
from playlist import Item, OffAirError, Timeline, from_us, timeline_from_dict, to_us

__all__ = [
    "OnAir",
    "OnAirAction",
    "active_takeover",
    "on_air",
    "pull",
    "release",
    "take_over",
    "withdraw_approval",
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


@dataclass(frozen=True, slots=True)
class OnAir:
    """A channel as the duty editor sees it: what airs now, and the takeover in force, if any."""

    channel: Channel
    now: Item | None
    edge_item: Item | None
    takeover: ChannelTakeover | None


def _reason(text: str | None) -> str:
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


def _retrying(session: Session, attempt: Callable[[], T]) -> T:
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


def _timeline(session: Session, channel: Channel) -> Timeline:
    compiled = latest_playout(session, channel.id)
    if compiled is None:
        raise Conflict(
            "not_on_air",
            "Kênh chưa phát sóng (chưa phát hành lịch) / The channel is not on air (never published)",
        )
    return timeline_from_dict(compiled.timeline)


def _item_at(timeline: Timeline, at: datetime) -> Item | None:
    try:
        return timeline.items[timeline.item_index_at(to_us(at))]
    except OffAirError:
        return None


def active_takeover(session: Session, channel_id: uuid.UUID) -> ChannelTakeover | None:
    return session.scalar(
        select(ChannelTakeover)
        .where(ChannelTakeover.channel_id == channel_id, ChannelTakeover.released_at.is_(None))
        .order_by(ChannelTakeover.started_at.desc())
        .limit(1)
    )


def _republish(
    session: Session, channel: Channel, *, now: datetime, slate_stored: SlateStored | None
) -> tuple[int, Timeline]:
    compiled = publish_channel(session, channel_id=channel.id, now=now, slate_stored=slate_stored)
    return compiled.version, timeline_from_dict(compiled.timeline)


def _first_with_cause(timeline: Timeline, cause: str, *, after_us: int) -> Item | None:
    return next((i for i in timeline.items if i.cause == cause and i.end_us > after_us), None)


def on_air(session: Session, *, slug: str, now: datetime) -> OnAir:
    """What airs on a channel now and at the publish edge, and its takeover, if any."""
    channel = get_channel(session, slug)
    compiled = latest_playout(session, channel.id)
    timeline = None if compiled is None else timeline_from_dict(compiled.timeline)
    edge = None if timeline is None else now + timedelta(seconds=timeline.channel.target_duration)
    return OnAir(
        channel=channel,
        now=None if timeline is None else _item_at(timeline, now),
        edge_item=None if timeline is None or edge is None else _item_at(timeline, edge),
        takeover=active_takeover(session, channel.id),
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
    text = _reason(reason)
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
        channel = session.scalar(select(Channel).where(Channel.slug == slug).with_for_update())
        if channel is None:
            get_channel(session, slug)  # the 404
            raise AssertionError("unreachable")
        _timeline(session, channel)
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
        version, timeline = _republish(session, channel, now=actor.now, slate_stored=slate_stored)
        item = _first_with_cause(timeline, f"takeover:{row.id}", after_us=to_us(actor.now))
        airs_from = None if item is None else from_us(item.start_us)
        audit.record(
            session,
            actor_id=actor.user_id,
            action="channel.takeover",
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
            request_id=actor.request_id,
        )
        return OnAirAction(
            takeover=row, review=None, effective_at=airs_from, versions={channel.slug: version}
        )

    return _retrying(session, attempt)


def release(
    session: Session, *, slug: str, reason: str | None, actor: Actor, slate_stored: SlateStored | None = None
) -> OnAirAction:
    """End the takeover: the channel returns to the grid at the current instant (the entry scheduled
    now joins mid-way), from the first boundary not yet published."""
    text = _reason(reason)

    def attempt() -> OnAirAction:
        channel = session.scalar(select(Channel).where(Channel.slug == slug).with_for_update())
        if channel is None:
            get_channel(session, slug)
            raise AssertionError("unreachable")
        row = active_takeover(session, channel.id)
        if row is None:
            raise Conflict("no_takeover", "Kênh không bị tiếp quản / The channel is not taken over")
        row.released_at, row.released_by_id, row.release_reason = actor.now, actor.user_id, text
        session.flush()
        version, timeline = _republish(session, channel, now=actor.now, slate_stored=slate_stored)
        cause = f"takeover:{row.id}"
        last = [i for i in timeline.items if i.cause == cause]
        returns_at = from_us(last[-1].end_us) if last else None
        audit.record(
            session,
            actor_id=actor.user_id,
            action="channel.release",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes={
                "takeover_id": str(row.id),
                "reason": text,
                "returns_at": returns_at,
                "version": version,
            },
            request_id=actor.request_id,
        )
        return OnAirAction(
            takeover=row, review=None, effective_at=returns_at, versions={channel.slug: version}
        )

    return _retrying(session, attempt)


def _channels_airing(session: Session, programme_id: uuid.UUID, *, now: datetime) -> list[Channel]:
    slugs = {a.channel_slug for a in recent_airings(session, programme_id=programme_id, since=now)}
    if not slugs:
        return []
    return list(session.scalars(select(Channel).where(Channel.slug.in_(slugs)).order_by(Channel.slug)))


def _withdraw_everywhere(
    session: Session,
    *,
    programme_id: uuid.UUID,
    text: str,
    actor: Actor,
    kind: WithdrawalKind,
    channel: Channel | None,
    slate_stored: SlateStored | None,
) -> OnAirAction:
    review = withdraw(
        session,
        programme_id=programme_id,
        reason=text,
        actor=actor,
        kind=kind,
        channel_id=None if channel is None else channel.id,
    )
    cause = f"{kind.value}:{review.id}"
    versions: dict[str, int] = {}
    effective: datetime | None = None
    for target in _channels_airing(session, programme_id, now=actor.now):
        version, timeline = _republish(session, target, now=actor.now, slate_stored=slate_stored)
        versions[target.slug] = version
        item = _first_with_cause(timeline, cause, after_us=to_us(actor.now))
        if item is not None and (channel is None or target.id == channel.id):
            off = from_us(item.end_us if item.kind == "programme" else item.start_us)
            effective = off if effective is None else min(effective, off)
    return OnAirAction(takeover=None, review=review, effective_at=effective, versions=versions)


def withdraw_approval(
    session: Session,
    *,
    programme_id: uuid.UUID,
    reason: str | None,
    actor: Actor,
    slate_stored: SlateStored | None = None,
) -> OnAirAction:
    """Withdraw the programme's standing approval; every channel airing it recompiles: it leaves the air
    at the next boundary not yet published, filler replaces it, and its coming slots air filler."""
    text = _reason(reason)
    return _retrying(
        session,
        lambda: _withdraw_everywhere(
            session,
            programme_id=programme_id,
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
    text = _reason(reason)

    def attempt() -> OnAirAction:
        channel = get_channel(session, slug)
        timeline = _timeline(session, channel)
        edge = actor.now + timedelta(seconds=timeline.channel.target_duration)
        airing = {
            i.programme_id
            for at in (actor.now, edge)
            if (i := _item_at(timeline, at)) is not None and i.kind in ("programme", "filler")
        }
        if str(programme_id) not in airing:
            raise Conflict(
                "not_on_air",
                "Chương trình này không còn đang phát trên kênh / This programme is not on air on the channel",
            )
        done = _withdraw_everywhere(
            session,
            programme_id=programme_id,
            text=text,
            actor=actor,
            kind=WithdrawalKind.PULLED,
            channel=channel,
            slate_stored=slate_stored,
        )
        audit.record(
            session,
            actor_id=actor.user_id,
            action="channel.pull",
            entity_type=ENTITY_CHANNEL,
            entity_id=channel.id,
            changes={
                "programme_id": str(programme_id),
                "review_id": None if done.review is None else str(done.review.id),
                "reason": text,
                "off_air_at": done.effective_at,
                "version": done.versions.get(channel.slug),
            },
            request_id=actor.request_id,
        )
        return done

    return _retrying(session, attempt)
