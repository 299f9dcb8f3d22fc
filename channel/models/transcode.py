"""The record of one transcode attempt of a programme: its Celery task, heartbeat and progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, str_enum, utcnow, uuid_pk

__all__ = ["TranscodeJob", "TranscodeState"]


class TranscodeState(StrEnum):
    """Where a transcode job is; `/metrics` reports jobs by these states."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TranscodeJob(Base):
    """One attempt at transcoding a programme; a programme may have several over its life.

    The running attempt beats on its row (`heartbeat_at`, `percent`, `stage`), so every API replica reads
    the same progress and the watchdog sees a lost worker. `heartbeat_at` is the last proof of life or,
    when the attempt announced a wait (a retry's countdown, chunks queued for workers), the instant it
    is next due. `attempt` counts the automatic re-queues of one job: a lost attempt is followed by
    one more (attempt 2), which carries on its progress; the one after is not re-queued.
    """

    __tablename__ = "transcode_jobs"
    __table_args__ = (Index("ix_transcode_jobs_programme_id_created_at", "programme_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    celery_task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[TranscodeState] = mapped_column(
        str_enum(TranscodeState), default=TranscodeState.QUEUED, index=True
    )
    attempt: Mapped[int] = mapped_column(default=1)
    percent: Mapped[float] = mapped_column(default=0.0)
    stage: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
