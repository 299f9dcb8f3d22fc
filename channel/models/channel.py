"""A broadcast channel: its house format profile, filler policy and playout epoch."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, utcnow, uuid_pk

__all__ = ["Channel"]


class Channel(Base):
    """One linear channel; sequence numbers in its playlists count from `epoch`."""

    __tablename__ = "channels"

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filler_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    window_seconds: Mapped[float] = mapped_column(default=120.0)
    epoch: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
