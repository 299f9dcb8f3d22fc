"""The core of the as-run log: log the items of a timeline that finished airing, once each.

Separate from `asrun` so that publishing (which `asrun` reads through) can log what aired before it
replaces the live timeline.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channel.models import AsRunEntry
from playlist import Timeline, from_us, to_us

__all__ = ["record_aired"]


def record_aired(session: Session, *, channel_id: uuid.UUID, timeline: Timeline, until: datetime) -> int:
    """Insert one row per item of `timeline` that finished airing before ``until`` and is not logged yet.

    Idempotent: aired items are frozen, so everything before the last logged end is already there.
    Returns how many rows were added; the caller commits.
    """
    done = session.scalar(select(func.max(AsRunEntry.ended_at)).where(AsRunEntry.channel_id == channel_id))
    done_us = None if done is None else to_us(done)
    limit = to_us(until)
    added = 0
    for item in timeline.items:
        if item.end_us > limit:
            break
        if done_us is not None and item.start_us < done_us:
            continue
        session.add(
            AsRunEntry(
                channel_id=channel_id,
                programme_id=None if item.programme_id is None else uuid.UUID(item.programme_id),
                kind=item.kind,
                title=item.title[:300],
                started_at=from_us(item.start_us),
                ended_at=from_us(item.end_us),
            )
        )
        added += 1
    session.flush()
    return added
