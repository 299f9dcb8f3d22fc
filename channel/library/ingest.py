"""Ingest a finished upload: the file becomes the programme's next source revision, then is transcoded.

The client's file name is kept as metadata only; the object key is built from ids alone.
"""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import Path

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.library.service import record_change, snapshot
from channel.library.transcode import enqueue_transcode
from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState, utcnow
from channel.settings import Settings
from storage import Store

__all__ = ["attach_source", "display_filename", "ingest_source", "source_key"]


def source_key(programme_id: uuid.UUID, revision: int) -> str:
    """Where a source revision is kept in the object store (ids only, never the client's name)."""
    return f"sources/{programme_id}/r{revision}"


def display_filename(name: str | None) -> str | None:
    """The client's file name as text to show: base name only, no control characters, bounded."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip()
    return clean[:255] or None


def attach_source(
    session: Session,
    *,
    store: Store,
    programme: Programme,
    path: Path,
    filename: str | None,
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> Programme:
    """Store `path` as the next revision and mark the programme queued (a ready one stays on air meanwhile)."""
    revision = programme.revision + 1
    key = source_key(programme.id, revision)
    store.put_file(key, path, content_type="application/octet-stream")
    before = snapshot(programme)
    for job in session.scalars(
        select(TranscodeJob).where(
            TranscodeJob.programme_id == programme.id,
            TranscodeJob.state.in_([TranscodeState.QUEUED, TranscodeState.RUNNING]),
        )
    ):
        job.state, job.finished_at, job.error = TranscodeState.CANCELLED, utcnow(), "superseded"
    programme.revision = revision
    programme.source_key = key
    programme.original_filename = display_filename(filename)
    programme.error_code = programme.error_message = None
    if programme.media_prefix is None:
        programme.status, programme.progress = ProgrammeStatus.QUEUED, 0.0
    record_change(
        session,
        programme=programme,
        before=before,
        action="programme.source",
        actor_id=actor_id,
        request_id=request_id,
    )
    session.commit()
    return programme


def ingest_source(
    session: Session,
    *,
    store: Store,
    celery: Celery,
    settings: Settings,
    programme: Programme,
    path: Path,
    filename: str | None,
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> Programme:
    """`attach_source` (committed), then queue its transcode; blocking, so async callers use a thread."""
    attach_source(
        session,
        store=store,
        programme=programme,
        path=path,
        filename=filename,
        actor_id=actor_id,
        request_id=request_id,
    )
    enqueue_transcode(session, celery=celery, programme=programme, settings=settings)
    return programme
