"""The broadcast grid, its last compiled playout, and the as-run log of what really aired."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channel.models.base import Base, str_enum, utcnow, uuid_pk
from channel.models.programme import Programme

__all__ = ["AsRunEntry", "CompiledPlayout", "ScheduleEntry", "ScheduleMode"]


class ScheduleMode(StrEnum):
    """Hard entries start exactly on time; soft entries follow the previous one."""

    HARD = "hard"
    SOFT = "soft"


class ScheduleEntry(Base):
    """A programme placed on a channel's grid at a UTC start time, maybe one of a recurring series."""

    __tablename__ = "schedule_entries"
    __table_args__ = (Index("ix_schedule_entries_channel_id_start_at", "channel_id", "start_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="RESTRICT"), index=True
    )
    start_at: Mapped[datetime]
    mode: Mapped[ScheduleMode] = mapped_column(str_enum(ScheduleMode), default=ScheduleMode.HARD)
    rrule: Mapped[str | None] = mapped_column(Text)
    series_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship()


class CompiledPlayout(Base):
    """A compiled timeline of a channel; the highest version is live, so a restart loses nothing."""

    __tablename__ = "compiled_playouts"
    __table_args__ = (
        UniqueConstraint("channel_id", "version", name="uq_compiled_playouts_channel_id_version"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    version: Mapped[int]
    published_until: Mapped[datetime]
    timeline: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AsRunEntry(Base):
    """What actually aired (a programme, filler or an emergency takeover) between two instants; ``cause``
    says why it replaced the grid (``takeover:<id>``, ``withdrawn:<review id>``, ``pulled:<review id>``)."""

    __tablename__ = "as_run_entries"
    __table_args__ = (Index("ix_as_run_entries_channel_id_started_at", "channel_id", "started_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    programme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    cause: Mapped[str | None] = mapped_column(String(120))
