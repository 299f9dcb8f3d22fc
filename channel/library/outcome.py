"""Store what a transcode produced (or why it failed) on the programme; safe to run twice.

A result for a superseded revision, a cancelled job or an older attempt is ignored, so a late or
re-delivered callback never overwrites newer media, and each job ends with exactly one audit event.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.library.captions import segment_subtitles
from channel.library.service import record_change, snapshot
from channel.library.transcode import latest_job, output_prefix
from channel.models import Programme, ProgrammeStatus, Rendition, TranscodeJob, TranscodeState, utcnow
from storage import StorageError, Store
from transcoder.payloads import TranscodeResult

__all__ = ["FAILED", "Outcome", "apply_outcome", "fail_job"]

_log = logging.getLogger(__name__)
FAILED = ("transcode_failed", "Chuyển mã thất bại; hãy thử lại / Transcoding failed; please retry")


@dataclass(frozen=True)
class Outcome:
    """What became of one job: the task's result (None when it raised), for a programme revision."""

    programme_id: uuid.UUID
    revision: int
    task_id: str
    result: TranscodeResult | None


def _current(session: Session, outcome: Outcome) -> tuple[Programme, TranscodeJob] | None:
    programme = session.get(Programme, outcome.programme_id)
    job = session.scalars(select(TranscodeJob).where(TranscodeJob.celery_task_id == outcome.task_id)).first()
    if programme is None or job is None or programme.status == ProgrammeStatus.DELETED:
        return None
    if job.state in (TranscodeState.SUCCEEDED, TranscodeState.FAILED, TranscodeState.CANCELLED):
        return None  # already recorded, cancelled or superseded
    newest = latest_job(session, programme.id)
    if programme.revision != outcome.revision or newest is None or newest.id != job.id:
        job.state, job.finished_at = TranscodeState.CANCELLED, utcnow()
        session.commit()
        return None
    return programme, job


def _ready(programme: Programme, job: TranscodeJob, *, description: dict[str, Any], prefix: str) -> None:
    programme.media = description
    programme.media_prefix = prefix
    programme.duration = float(description["duration"])
    programme.renditions = [
        Rendition(
            name=str(r["name"]),
            width=int(r["width"]),
            height=int(r["height"]),
            bandwidth=int(r["bandwidth"]),
            average_bandwidth=int(r["average_bandwidth"]) if r.get("average_bandwidth") else None,
            codecs=str(r["codecs"]),
        )
        for r in description["renditions"]
    ]
    programme.status, programme.progress = ProgrammeStatus.READY, 100.0
    programme.error_code = programme.error_message = None
    job.state, job.percent, job.stage = TranscodeState.SUCCEEDED, 100.0, "done"


def _failed(programme: Programme, job: TranscodeJob, *, code: str, message: str) -> None:
    if programme.media_prefix is None:  # a failed replacement leaves the previous media on air
        programme.status = ProgrammeStatus.FAILED
    programme.error_code, programme.error_message = code[:64], message
    cancelled = code == "cancelled"
    job.state = TranscodeState.CANCELLED if cancelled else TranscodeState.FAILED
    job.error = code


def _source_sha256(store: Store, key: str | None) -> str | None:
    """SHA-256 of the source file, streamed from the store: a fact the editor reviews and the approval
    records (`channel.editorial`). None when it cannot be read (logged); the revision stays reviewable."""
    if key is None:
        return None
    digest = hashlib.sha256()
    try:
        with store.open(key) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except (StorageError, OSError) as exc:
        _log.warning("source %s could not be hashed: %s", key, exc)
        return None


def apply_outcome(session: Session, outcome: Outcome, *, store: Store) -> None:
    """Record the outcome.

    A replaced source's previous revision (its media prefix) is kept, not deleted: the live timeline of a
    channel and its catch-up may still list that revision's segments. Every revision is deleted with the
    programme itself (`service.delete_programme`), which waits until no channel can still show it.

    Subtitle tracks uploaded before the programme was ready are cut into segments under the new
    media prefix in the same transaction, so it goes on air with them. The source's SHA-256 is kept in
    the media (``source_sha256``) for the editor who reviews the revision.
    """
    current = _current(session, outcome)
    if current is None:
        return
    programme, job = current
    before = snapshot(programme)
    result = outcome.result
    if result is not None and result["ok"]:
        _ready(
            programme,
            job,
            description={
                **result["description"],
                "source_sha256": _source_sha256(store, programme.source_key),
            },
            prefix=output_prefix(programme.id, outcome.revision),
        )
        segment_subtitles(store=store, programme=programme)
    elif result is not None:
        _failed(programme, job, code=str(result["code"]), message=str(result["message"]))
    else:
        _failed(programme, job, code=FAILED[0], message=FAILED[1])
    _finish(session, programme=programme, job=job, before=before)


def fail_job(session: Session, *, programme: Programme, job: TranscodeJob, code: str, message: str) -> None:
    """End `job` for good as failed with `code` (the watchdog's `worker_lost`); one audit event. Commits."""
    before = snapshot(programme)
    _failed(programme, job, code=code, message=message)
    _finish(session, programme=programme, job=job, before=before)


def _finish(session: Session, *, programme: Programme, job: TranscodeJob, before: dict[str, Any]) -> None:
    job.finished_at = utcnow()
    record_change(
        session,
        programme=programme,
        before=before,
        action="programme.transcoded",
        actor_id=None,
        request_id=None,
    )
    session.commit()
