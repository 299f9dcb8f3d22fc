"""Editorial control of what may air: reviews of exact revisions (four eyes), and emergency takeovers."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, str_enum, utcnow, uuid_pk

__all__ = ["ChannelTakeover", "Review", "ReviewDecision", "TakeoverSource", "WithdrawalKind"]


class ReviewDecision(StrEnum):
    """An editor's decision on one exact revision."""

    APPROVED = "approved"
    REJECTED = "rejected"


class WithdrawalKind(StrEnum):
    """How an approval ended: withdrawn in review, or pulled off the air by the duty editor."""

    WITHDRAWN = "withdrawn"
    PULLED = "pulled"


class Review(Base):
    """One editor's decision on one revision of a subject (a programme, or a live event's facts).

    ``facts`` are what the editor saw (source hash, output, metadata, subtitles) and ``fingerprint`` the
    SHA-256 of the part of them that needs approval; an approval also keeps ``media`` (the description
    that airs) so the approved revision airs exactly as approved while a newer one waits. Rows are never
    deleted; a withdrawal is recorded on the approval it ends.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_subject_type_subject_id_decided_at", "subject_type", "subject_id", "decided_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    subject_type: Mapped[str] = mapped_column(String(32), default="programme")
    subject_id: Mapped[uuid.UUID]
    revision: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    media_prefix: Mapped[str | None] = mapped_column(String(512))
    decision: Mapped[ReviewDecision] = mapped_column(str_enum(ReviewDecision))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawal_kind: Mapped[WithdrawalKind | None] = mapped_column(str_enum(WithdrawalKind))
    withdrawn_channel_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL")
    )


class TakeoverSource(StrEnum):
    """What an emergency takeover airs."""

    SLATE = "slate"
    PROGRAMME = "programme"


class ChannelTakeover(Base):
    """A duty editor's emergency takeover of a channel, open until released."""

    __tablename__ = "channel_takeovers"
    __table_args__ = (Index("ix_channel_takeovers_channel_id_started_at", "channel_id", "started_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    source: Mapped[TakeoverSource] = mapped_column(str_enum(TakeoverSource))
    programme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    started_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str | None] = mapped_column(Text)
