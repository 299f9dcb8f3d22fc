"""Campaigns: a theme and a period grouping programmes (e.g. a new law taking effect), reported on
for airtime and audience."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channel.models.base import Base, utcnow, uuid_pk
from channel.models.programme import Programme

__all__ = ["Campaign", "campaign_programmes"]

campaign_programmes = Table(
    "campaign_programmes",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Campaign(Base):
    """A dissemination campaign: its name, theme, local days and the programmes it groups."""

    __tablename__ = "campaigns"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programmes: Mapped[list[Programme]] = relationship(
        secondary=campaign_programmes, order_by=Programme.title
    )
