"""Live events on a channel's grid: a scheduled slot fed in real time, and its contribution key."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, str_enum, utcnow, uuid_pk

__all__ = ["LiveEvent", "LiveStatus"]


class LiveStatus(StrEnum):
    """Scheduled until its start, then on air until its end; cancelled ones never air."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class LiveEvent(Base):
    """A live slot of a channel's grid, ``[start_at, end_at)`` in UTC.

    The stream key is stored only as a keyed hash (``key_hash``); it opens the contribution endpoints
    from ``start_at - key lead`` until ``end_at`` (settings), unless revoked (``key_revoked_at``).
    It airs only under an editor's approval of its current revision (reviews with
    ``subject_type="live_event"``).
    """

    __tablename__ = "live_events"
    __table_args__ = (Index("ix_live_events_channel_id_start_at", "channel_id", "start_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[Any]] = mapped_column(JSON, default=list)
    legal_documents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[LiveStatus] = mapped_column(str_enum(LiveStatus), default=LiveStatus.SCHEDULED)
    #: counts changes of the editorial facts (title, description, topics, documents, start, end):
    #: each one needs an editor's approval before it airs (`channel.editorial.facts.live_revision`)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    key_issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_revoked_at: Mapped[datetime | None]
    #: the catch-up programme of what aired (set once, when the recording is claimed)
    recorded_programme_id: Mapped[uuid.UUID | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
