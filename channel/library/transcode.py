"""Transcode orchestration: queue a job after the commit it needs, cancel, retry.

The job payload is primitives only. `channel.record_transcode` (tasks.py) stores the outcome: linked to
the transcode so it receives the transcode's result as its first argument, followed by the programme id,
its source revision and the task id; the error callback passes `None` instead of a result. The running
job's progress is on its row (heartbeat.py), where every replica reads it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.library.errors import Conflict
from channel.library.quotas import check_transcode_quota
from channel.library.service import programme_prefix, record_change, snapshot
from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState, utcnow
from channel.settings import Settings

__all__ = [
    "CANCELLED",
    "CHUNKED_TASK",
    "RECORD_TASK",
    "TRANSCODE_TASK",
    "cancel_transcode",
    "enqueue_transcode",
    "latest_job",
    "output_prefix",
    "retry_transcode",
    "send_transcode",
]

_log = logging.getLogger(__name__)

TRANSCODE_TASK = "transcoder.transcode"
#: the same job split into chunks encoded in parallel (`LEGALTV_CHUNK_SECONDS` > 0); it ends with the
#: same result, `{"ok": ..., "description": ...}`, stored under the same task id, and keeps the callbacks
CHUNKED_TASK = "transcoder.transcode_chunked"
RECORD_TASK = "channel.record_transcode"
_UNQUEUED = (
    "queue_unavailable",
    "Không gửi được yêu cầu chuyển mã; hãy thử lại / Could not queue the transcode; retry",
)
CANCELLED = ("cancelled", "Đã huỷ chuyển mã / Transcoding was cancelled")


def output_prefix(programme_id: uuid.UUID, revision: int) -> str:
    """Each source revision gets its own media prefix, so the previous one plays until this one is ready."""
    return f"{programme_prefix(programme_id)}r{revision}/"


def latest_job(session: Session, programme_id: uuid.UUID) -> TranscodeJob | None:
    """The most recent transcode attempt of a programme."""
    return session.scalars(
        select(TranscodeJob)
        .where(TranscodeJob.programme_id == programme_id)
        .order_by(TranscodeJob.created_at.desc())
        .limit(1)
    ).first()


def enqueue_transcode(
    session: Session, *, celery: Celery, programme: Programme, settings: Settings
) -> TranscodeJob:
    """Record a job for the programme's current source, commit, THEN send the task (never the other way)."""
    if programme.source_key is None:
        raise Conflict("no_source", "Chương trình chưa có tệp nguồn / The programme has no source file")
    job = TranscodeJob(
        programme_id=programme.id, celery_task_id=str(uuid.uuid4()), state=TranscodeState.QUEUED
    )
    session.add(job)
    session.commit()
    return send_transcode(session, celery=celery, programme=programme, job=job, settings=settings)


def send_transcode(
    session: Session, *, celery: Celery, programme: Programme, job: TranscodeJob, settings: Settings
) -> TranscodeJob:
    """Send the task of the committed `job` for the programme's current source and revision.

    With `settings.chunk_seconds` > 0 the chunked transcode is sent instead of the single-worker one.
    If the broker refuses it, the job fails with `queue_unavailable` (retryable), and so does a programme
    that has no media yet.
    """
    task_id = str(job.celery_task_id)
    callback = [str(programme.id), programme.revision, task_id]
    args: list[Any] = [
        programme.source_key,
        output_prefix(programme.id, programme.revision),
        settings.house_format.to_payload(),
    ]
    chunked = settings.chunk_seconds > 0
    try:
        celery.send_task(
            CHUNKED_TASK if chunked else TRANSCODE_TASK,
            args=[*args, settings.chunk_seconds] if chunked else args,
            task_id=task_id,
            link=celery.signature(RECORD_TASK, args=callback),  # the transcode's result comes first
            link_error=celery.signature(RECORD_TASK, args=[None, *callback], immutable=True),
        )
    except Exception:
        _log.exception("could not queue the transcode of programme %s", programme.id)
        job.state, job.finished_at, job.error = TranscodeState.FAILED, utcnow(), _UNQUEUED[0]
        if programme.media_prefix is None:
            programme.status = ProgrammeStatus.FAILED
        programme.error_code, programme.error_message = _UNQUEUED
        session.commit()
    return job


def cancel_transcode(
    session: Session, *, celery: Celery, programme: Programme, actor_id: uuid.UUID, request_id: str | None
) -> Programme:
    """Stop the running job: it is marked cancelled (its next heartbeat learns it), revoked, the programme fails."""
    job = latest_job(session, programme.id)
    if job is None or job.state not in (TranscodeState.QUEUED, TranscodeState.RUNNING):
        raise Conflict("not_running", "Không có lượt chuyển mã nào đang chạy / No transcode is running")
    before = snapshot(programme)
    job.state, job.finished_at, job.error = TranscodeState.CANCELLED, utcnow(), CANCELLED[0]
    if programme.media_prefix is None:
        programme.status = ProgrammeStatus.FAILED
    programme.error_code, programme.error_message = CANCELLED
    record_change(
        session,
        programme=programme,
        before=before,
        action="programme.cancel",
        actor_id=actor_id,
        request_id=request_id,
    )
    session.commit()
    if job.celery_task_id:
        try:
            celery.control.revoke(
                job.celery_task_id
            )  # a queued job is dropped; a running one beats on the row
        except Exception:
            _log.warning("revoke of %s could not be broadcast", job.celery_task_id, exc_info=True)
    return programme


def retry_transcode(
    session: Session,
    *,
    celery: Celery,
    programme: Programme,
    settings: Settings,
    actor_id: uuid.UUID,
    request_id: str | None,
) -> TranscodeJob:
    """Queue the current source again; only after a failed (or cancelled) attempt, within the owner's quota."""
    job = latest_job(session, programme.id)
    last_failed = job is not None and job.state in (TranscodeState.FAILED, TranscodeState.CANCELLED)
    if programme.status != ProgrammeStatus.FAILED and not last_failed:
        raise Conflict(
            "not_failed", "Chỉ thử lại được khi chuyển mã thất bại / Only a failed transcode can be retried"
        )
    check_transcode_quota(session, owner_id=programme.owner_id, programme_id=programme.id, settings=settings)
    before = snapshot(programme)
    if programme.media_prefix is None:
        programme.status = ProgrammeStatus.QUEUED
    programme.progress, programme.error_code, programme.error_message = 0.0, None, None
    record_change(
        session,
        programme=programme,
        before=before,
        action="programme.retry",
        actor_id=actor_id,
        request_id=request_id,
    )
    session.commit()
    return enqueue_transcode(session, celery=celery, programme=programme, settings=settings)
