"""What the playout may air, as the compile reads it: the approved revision of each programme (exactly as
approved), the programmes withheld from the air and why, and the channel's takeovers.

`channel.playout.publish` calls `compile_inputs` for every compile (a scheduler's publish, an on-air
action, the periodic extension), so no path to the air skips the approval rule.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from channel.editorial.reviews import PROGRAMME
from channel.models import ChannelTakeover, Programme, ProgrammeStatus, Review, ReviewDecision
from playlist import MediaDescriptionError, ProgrammeMedia, Takeover

__all__ = [
    "TAKEOVER_MEMORY",
    "CompileInputs",
    "approvals_of",
    "compile_inputs",
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


def approvals_of(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Review]:
    """The latest approval of each programme in ``ids`` (withdrawn or not) whose programme is not deleted."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Review)
        .join(Programme, Programme.id == Review.subject_id)
        .where(
            Review.subject_type == PROGRAMME,
            Review.subject_id.in_(set(ids)),
            Review.decision == ReviewDecision.APPROVED,
            Programme.status != ProgrammeStatus.DELETED,
        )
        .order_by(Review.subject_id, Review.decided_at.desc())
    ).all()
    latest: dict[uuid.UUID, Review] = {}
    for review in rows:
        latest.setdefault(review.subject_id, review)
    return latest


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
