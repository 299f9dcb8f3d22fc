"""A resumable (tus) upload: its state lives here so any API replica can take the next request.

The bytes are in the object store: whole parts in a multipart upload towards `storage_key`, the rest
as small "tail" objects until they make a part. `offset` counts only bytes the store has confirmed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, utcnow, uuid_pk

__all__ = ["UploadSession"]


class UploadSession(Base):
    """One tus upload, from creation until it is swept (a tombstone answers 410 for a while after)."""

    __tablename__ = "upload_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the programme the upload becomes the source of (it may not exist yet: created at completion)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: declared size; None while the client defers it (creation-defer-length)
    length: Mapped[int | None] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    upload_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    #: the object the finished upload becomes, assembled in place
    storage_key: Mapped[str] = mapped_column(String(512))
    multipart_id: Mapped[str | None] = mapped_column(String(1024))
    #: [{"number", "etag", "size"}] of the stored parts, in order
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: [{"key", "size"}] of the tail objects after the last part, in order
    tail: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    #: the object exists at `storage_key` (multipart completed)
    stored_at: Mapped[datetime | None]
    #: the completion hook ran; its response headers are kept for clients that ask again
    finished_at: Mapped[datetime | None]
    result_headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: swept: the data is gone, the row stays a while so the client hears 410 rather than 404
    gone_at: Mapped[datetime | None]
    #: the lease of the request writing to the upload right now (any replica), fenced by its token
    lock_token: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
