"""What the playout may air, as the compile reads it: the approved revision of each programme (exactly as
approved), the programmes withheld from the air and why, the channel's takeovers, and the approved
revision of each live event (`live_airings`: an event nobody approved airs the slate, never its feed).

`channel.playout.publish` calls `compile_inputs` for every compile (a scheduler's publish, an on-air
action, the periodic extension), so no path to the air skips the approval rule.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from channel.editorial.facts import LIVE_EVENT, PROGRAMME
from channel.models import ChannelTakeover, LiveEvent, Programme, ProgrammeStatus, Review, ReviewDecision
from playlist import MediaDescriptionError, ProgrammeMedia, Takeover

__all__ = [
    "TAKEOVER_MEMORY",
    "CompileInputs",
    "LiveAiring",
    "approvals_of",
    "compile_inputs",
    "live_airings",
    "review_media",
    "withheld_cause",
]

_log = logging.getLogger(__name__)

#: released takeovers stay an input of compiles this long, so the entries they swallowed stay swallowed
TAKEOVER_MEMORY = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class CompileInputs:
    """What editorial control gives one compile of a channel."""

    #: programme id → the media of its standing approval (None: nothing approved may air)
    programmes: Mapping[str, ProgrammeMedia | None]
    #: programme id → why it must leave the air (its approval withdrawn or pulled)
    withheld: Mapping[str, str] = field(default_factory=dict)
    takeovers: tuple[Takeover, ...] = ()


def withheld_cause(review: Review) -> str:
    """The cause an as-run entry carries for an approval that was withdrawn or pulled."""
    kind = review.withdrawal_kind.value if review.withdrawal_kind is not None else "withdrawn"
    return f"{kind}:{review.id}"


def review_media(review: Review) -> ProgrammeMedia | None:
    """The media of an approval, titled as approved; None if it cannot be read (logged)."""
    if not review.media or review.media_prefix is None:
        return None
    try:
        return ProgrammeMedia.from_description(
            review.media,
            programme_id=str(review.subject_id),
            prefix=review.media_prefix,
            title=str(review.facts.get("title") or ""),
            summary=str(review.facts.get("description") or ""),
        )
    except MediaDescriptionError as exc:
        _log.warning("approval %s has an unusable description: %s", review.id, exc)
        return None


def approvals_of(
    session: Session, ids: Collection[uuid.UUID], *, subject_type: str = PROGRAMME
) -> dict[uuid.UUID, Review]:
    """The latest approval of each subject in ``ids`` (withdrawn or not); a deleted programme has none."""
    if not ids:
        return {}
    query = select(Review).where(
        Review.subject_type == subject_type,
        Review.subject_id.in_(set(ids)),
        Review.decision == ReviewDecision.APPROVED,
    )
    if subject_type == PROGRAMME:
        query = query.join(Programme, Programme.id == Review.subject_id).where(
            Programme.status != ProgrammeStatus.DELETED
        )
    latest: dict[uuid.UUID, Review] = {}
    for review in session.scalars(query.order_by(Review.subject_id, Review.decided_at.desc())):
        latest.setdefault(review.subject_id, review)
    return latest


@dataclass(frozen=True, slots=True)
class LiveAiring:
    """What a live event may air: the window and words of its approved revision, within its slot now."""

    start: datetime
    end: datetime
    title: str
    description: str
    #: why it must not air (its slot airs the slate or filler): ``unapproved:<event id>`` when no
    #: approval of it stands or the approved window left the slot, else ``withdrawn:<review id>``
    withheld: str | None


def _approved_instant(facts: Mapping[str, Any], name: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(facts[name]))
    except (KeyError, ValueError):
        return None


def live_airings(session: Session, events: Collection[LiveEvent]) -> dict[uuid.UUID, LiveAiring]:
    """Each event's airing: its approved revision (the approved title, and the part of the approved
    window still scheduled: a shortened event ends at its new end, a lengthened one at the approved
    end until its change is approved); withheld when nothing approved stands or that part is empty."""
    approvals = approvals_of(session, [e.id for e in events], subject_type=LIVE_EVENT)
    out: dict[uuid.UUID, LiveAiring] = {}
    for event in events:
        unapproved = LiveAiring(
            event.start_at, event.end_at, event.title, event.description, f"unapproved:{event.id}"
        )
        review = approvals.get(event.id)
        if review is None:
            out[event.id] = unapproved
            continue
        start = max(event.start_at, _approved_instant(review.facts, "start") or event.end_at)
        end = min(event.end_at, _approved_instant(review.facts, "end") or event.start_at)
        if end <= start:
            out[event.id] = unapproved
            continue
        out[event.id] = LiveAiring(
            start=start,
            end=end,
            title=str(review.facts.get("title") or event.title),
            description=str(review.facts.get("description") or ""),
            withheld=None if review.withdrawn_at is None else withheld_cause(review),
        )
    return out


def _takeovers(
    session: Session, channel_id: uuid.UUID, *, now: datetime, approvals: Mapping[uuid.UUID, Review]
) -> tuple[Takeover, ...]:
    rows = session.scalars(
        select(ChannelTakeover)
        .where(
            ChannelTakeover.channel_id == channel_id,
            or_(ChannelTakeover.released_at.is_(None), ChannelTakeover.released_at >= now - TAKEOVER_MEMORY),
        )
        .order_by(ChannelTakeover.started_at)
    ).all()
    out: list[Takeover] = []
    for row in rows:
        approval = approvals.get(row.programme_id) if row.programme_id is not None else None
        source = review_media(approval) if approval is not None and approval.withdrawn_at is None else None
        out.append(Takeover(str(row.id), row.started_at, row.released_at, source))  # no approval: the slate
    return tuple(out)


def compile_inputs(
    session: Session,
    *,
    channel_id: uuid.UUID,
    programme_ids: Collection[uuid.UUID],
    now: datetime,
) -> CompileInputs:
    """The approved media of ``programme_ids`` (the grid's, the fillers', what airs at the edge) and of
    the channel's emergency programmes, what is withheld, and the takeovers to apply."""
    emergency = set(
        session.scalars(
            select(ChannelTakeover.programme_id).where(
                ChannelTakeover.channel_id == channel_id,
                ChannelTakeover.programme_id.is_not(None),
                or_(
                    ChannelTakeover.released_at.is_(None),
                    ChannelTakeover.released_at >= now - TAKEOVER_MEMORY,
                ),
            )
        )
    )
    approvals = approvals_of(session, {*programme_ids, *(i for i in emergency if i is not None)})
    programmes: dict[str, ProgrammeMedia | None] = {str(i): None for i in programme_ids}
    withheld: dict[str, str] = {}
    for pid, review in approvals.items():
        programmes[str(pid)] = review_media(review)  # a withdrawn one too: its cut may fall between GOPs
        if review.withdrawn_at is not None:
            withheld[str(pid)] = withheld_cause(review)
    return CompileInputs(
        programmes=programmes,
        withheld=withheld,
        takeovers=_takeovers(session, channel_id, now=now, approvals=approvals),
    )
