"""The as-run log: what really aired, read from the live compiled timeline (frozen once aired).

Recorded at every publish and extension (`channel.playout.publish`, before the live timeline is
replaced) and whenever the log is read.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from channel.playout.aired import record_aired
from channel.playout.publish import latest_playout
from playlist import timeline_from_dict

__all__ = ["record_as_run"]


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
