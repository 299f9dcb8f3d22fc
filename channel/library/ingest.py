"""Ingest a finished upload: the stored object becomes the programme's next source revision, then is transcoded.

The client's file name is kept as metadata only; object keys are built from ids alone. Attaching the
source and queuing its transcode commit together, after the transcode quota is checked.
"""

from __future__ import annotations

import contextlib
import unicodedata
import uuid
from pathlib import Path

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.library.quotas import check_transcode_quota
from channel.library.service import record_change, snapshot
from channel.library.transcode import enqueue_transcode
from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState, utcnow
from channel.settings import Settings
from storage import StorageError, Store

__all__ = [
    "SOURCE_TYPE",
    "attach_source",
    "display_filename",
    "ingest_source",
    "ingest_stored",
    "source_key",
    "upload_key",
]

SOURCE_TYPE = "application/octet-stream"


def source_key(programme_id: uuid.UUID, revision: int) -> str:
    """Where a source revision sent as one request is kept (ids only, never the client's name)."""
    return f"sources/{programme_id}/r{revision}"


def upload_key(programme_id: uuid.UUID, upload_id: str) -> str:
    """Where a resumable upload is assembled in place; under the programme's folder, deleted with it."""
    return f"sources/{programme_id}/u{upload_id}"


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
    programme: Programme,
    key: str,
    filename: str | None,
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> Programme:
    """Make the stored object `key` the next revision (uncommitted); a ready programme stays on air meanwhile."""
    before = snapshot(programme)
    for job in session.scalars(
        select(TranscodeJob).where(
            TranscodeJob.programme_id == programme.id,
            TranscodeJob.state.in_([TranscodeState.QUEUED, TranscodeState.RUNNING]),
        )
    ):
        job.state, job.finished_at, job.error = TranscodeState.CANCELLED, utcnow(), "superseded"
    programme.revision += 1
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
    return programme


def ingest_stored(
    session: Session,
    *,
    celery: Celery,
    settings: Settings,
    programme: Programme,
    key: str,
    filename: str | None,
    actor_id: uuid.UUID | None,
    request_id: str | None,
) -> Programme:
    """Attach `key` and queue its transcode in one commit, within the owner's transcode quota (else 429).

    This is the one place where uploads queue transcodes, so the quota is checked here, before anything
    changes: a refusal attaches nothing.
    """
    check_transcode_quota(session, owner_id=programme.owner_id, programme_id=programme.id, settings=settings)
    attach_source(
        session, programme=programme, key=key, filename=filename, actor_id=actor_id, request_id=request_id
    )
    try:
        enqueue_transcode(session, celery=celery, programme=programme, settings=settings)
    except BaseException:
        session.rollback()
        raise
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
    """Store the file at `path` as the next revision, then `ingest_stored`; blocking (async callers use a thread)."""
    key = source_key(programme.id, programme.revision + 1)
    store.put_file(key, path, content_type=SOURCE_TYPE)
    try:
        return ingest_stored(
            session,
            celery=celery,
            settings=settings,
            programme=programme,
            key=key,
            filename=filename,
            actor_id=actor_id,
            request_id=request_id,
        )
    except BaseException:
        with contextlib.suppress(StorageError):
            store.delete(key)  # not attached: nothing refers to it
        raise
