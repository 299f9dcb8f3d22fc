"""The managed vocabularies a programme is filed under: legal topics and legal documents."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, uuid_pk

__all__ = ["LegalDocument", "Topic", "programme_legal_documents", "programme_topics"]

programme_topics = Table(
    "programme_topics",
    Base.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)

programme_legal_documents = Table(
    "programme_legal_documents",
    Base.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "legal_document_id",
        ForeignKey("legal_documents.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Topic(Base):
    """A legal topic (e.g. "Luật Giao thông"), named in Vietnamese and English."""

    __tablename__ = "topics"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    slug: Mapped[str] = mapped_column(String(200), unique=True)


class LegalDocument(Base):
    """A law, decree or decision a programme explains, e.g. "471/QĐ-TTg"."""

    __tablename__ = "legal_documents"

    id: Mapped[uuid.UUID] = uuid_pk()
    number: Mapped[str] = mapped_column(String(100), index=True)
    #: the number as compared (`channel.folding.document_key`): "471/qd-ttg" for "471/QĐ-TTg"
    key: Mapped[str] = mapped_column(String(100), index=True, default="")
    title: Mapped[str] = mapped_column(Text)
    issuing_body: Mapped[str] = mapped_column(String(300), default="")
    issued_date: Mapped[date | None]
