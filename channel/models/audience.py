"""Audience counts in the embedded database (no Redis): one row per session and slot of air time.

A row holds a random session token (nothing of the viewer), the classes of its referrer and device,
and what was on air; the primary key counts a session once per slot whichever replica saw it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base

__all__ = ["AudienceSlot"]


class AudienceSlot(Base):
    """One session watching one target-duration slot of a channel (docs/audience.md)."""

    __tablename__ = "audience_slots"
    __table_args__ = (
        Index("ix_audience_slots_slug_minute_us", "slug", "minute_us"),
        Index("ix_audience_slots_slug_day", "slug", "day"),
    )

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    minute_us: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[str] = mapped_column(String(10))
    airing_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    programme_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    airing_start_us: Mapped[int] = mapped_column(BigInteger)
    variant: Mapped[str] = mapped_column(String(32))
    referrer: Mapped[str] = mapped_column(String(8))
    device: Mapped[str] = mapped_column(String(8))
    watch_ms: Mapped[int] = mapped_column(Integer)
