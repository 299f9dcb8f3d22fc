"""The as-run log: what really aired, read from a compiled timeline (frozen once aired), with the cause
of what replaced the grid (an emergency takeover, a withdrawn or pulled programme).

Recorded at every publish and extension (`channel.playout.publish`, from the version about to be
replaced) and whenever the log is read (`record_as_run`, from the live version).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channel.models import AsRunEntry
from channel.playout.versions import latest_playout
from playlist import Timeline, event_of_source, from_us, timeline_from_dict, to_us

__all__ = ["record_aired", "record_as_run"]


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
        live = event_of_source(item.programme_id) if item.source.is_live else None
        session.add(
            AsRunEntry(
                channel_id=channel_id,
                programme_id=None if item.programme_id is None or live else uuid.UUID(item.programme_id),
                kind="live" if live else item.kind,
                title=item.title[:300],
                started_at=from_us(item.start_us),
                ended_at=from_us(item.end_us),
                cause=f"live:{live}" if live else item.cause,
            )
        )
        added += 1
    session.flush()
    return added


def record_as_run(session: Session, *, channel_id: uuid.UUID, until: datetime) -> int:
    """Log every item of the live timeline that finished airing before ``until`` and is not logged yet.

    Idempotent; returns how many rows were added; the caller commits.
    """
    compiled = latest_playout(session, channel_id)
    if compiled is None:
        return 0
    return record_aired(
        session, channel_id=channel_id, timeline=timeline_from_dict(compiled.timeline), until=until
    )
