"""The stored versions of a channel's compiled playout: the live one is the highest."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.models import CompiledPlayout

__all__ = ["latest_playout"]


def latest_playout(session: Session, channel_id: uuid.UUID) -> CompiledPlayout | None:
    """The live (highest) version of a channel's compiled playout."""
    return session.scalar(
        select(CompiledPlayout)
        .where(CompiledPlayout.channel_id == channel_id)
        .order_by(CompiledPlayout.version.desc())
        .limit(1)
    )
