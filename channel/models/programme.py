"""A programme of the library and what transcoding produced for it (renditions, subtitles)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channel.models.base import Base, str_enum, utcnow, uuid_pk
from channel.models.library import LegalDocument, Topic, programme_legal_documents, programme_topics
from channel.models.user import User

__all__ = ["Programme", "ProgrammeStatus", "Rendition", "SubtitleTrack"]


class ProgrammeStatus(StrEnum):
    """A programme's life: upload, transcode, then ready (or failed); deleted is a soft delete."""

    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    DELETED = "deleted"


def _initial_search_text(context: Any) -> str:
    """Folded title and description, so a programme inserted by any code path is searchable."""
    from channel.folding import fold

    params = context.get_current_parameters()
    return fold(f"{params.get('title') or ''} {params.get('description') or ''}")


class Programme(Base):
    """One programme; `media` is the transcoder's description.json once it is ready."""

    __tablename__ = "programmes"
    __table_args__ = (
        Index("ix_programmes_status_title", "status", "title"),
        Index("ix_programmes_owner_id_created_at", "owner_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="vi")
    audience: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text, default=_initial_search_text)
    status: Mapped[ProgrammeStatus] = mapped_column(
        str_enum(ProgrammeStatus), default=ProgrammeStatus.UPLOADING
    )
    progress: Mapped[float] = mapped_column(default=0.0)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(String(512))
    original_filename: Mapped[str | None] = mapped_column(String(512))
    media_prefix: Mapped[str | None] = mapped_column(String(512))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    duration: Mapped[float | None]
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=programme_topics, order_by=Topic.slug)
    legal_documents: Mapped[list[LegalDocument]] = relationship(
        secondary=programme_legal_documents, order_by=LegalDocument.number
    )
    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Rendition.height.desc()"
    )
    subtitles: Mapped[list[SubtitleTrack]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="SubtitleTrack.language"
    )

    def descriptive_fields(self) -> dict[str, Any]:
        """What the programme says about itself, as plain values: the audit trail and the review's
        facts of a revision compare the same fields."""
        return {
            "title": self.title,
            "description": self.description,
            "language": self.language,
            "audience": self.audience,
            "tags": list(self.tags),
            "topics": [topic.slug for topic in self.topics],
            "legal_documents": [document.number for document in self.legal_documents],
        }


class Rendition(Base):
    """One rung of a ready programme's ladder, as the master playlist advertises it."""

    __tablename__ = "renditions"

    id: Mapped[uuid.UUID] = uuid_pk()
    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    bandwidth: Mapped[int]
    average_bandwidth: Mapped[int | None]
    codecs: Mapped[str] = mapped_column(String(100))

    programme: Mapped[Programme] = relationship(back_populates="renditions")


class SubtitleTrack(Base):
    """A WebVTT subtitle track of a programme, in one language."""

    __tablename__ = "subtitle_tracks"

    id: Mapped[uuid.UUID] = uuid_pk()
    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100))
    storage_key: Mapped[str] = mapped_column(String(512))

    programme: Mapped[Programme] = relationship(back_populates="subtitles")
