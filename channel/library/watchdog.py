"""The watchdog of transcode jobs: a running job whose heartbeat stopped is re-queued once, then failed.

A worker SIGKILLed mid-encode, or one whose machine vanished, cannot say so: its job's row stays
"running" and its message sits unacknowledged in the broker for hours. Here a job silent for
`LEGALTV_JOB_STALL_SECONDS` is taken for lost. The first time, the job gets a new attempt (a new row and
task id, carrying on the progress); the output is deterministic, so a late original finishing as well
writes the same files, and its result is ignored (its row is no longer the job's newest). The second
time, the job fails with `worker_lost`, retryable from the API and the console.

It runs in every API process, the embedded default included (`watch_forever`, started by the app's
lifespan): the API outlives the workers it watches, and with one worker (the embedded default, a small
deployment) no other worker would be left to notice. Any number of replicas may run it at once: each
claims a stale job with ONE conditional UPDATE (still running, still silent), and the database lets
exactly one of them match it; a replica that loses the race, or a beat arriving first, leaves it be.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from celery import Celery
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ColumnElement

from channel.library.outcome import fail_job
from channel.library.transcode import latest_job, send_transcode
from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState, utcnow
from channel.settings import Settings

__all__ = ["MAX_ATTEMPTS", "WORKER_LOST", "Settled", "sweep_stalled", "watch_forever"]

_log = logging.getLogger(__name__)

#: a job's attempts, the first included, before a lost one fails it
MAX_ATTEMPTS = 2
WORKER_LOST = (
    "worker_lost",
    "Máy chuyển mã bị mất liên lạc giữa chừng, hai lần liền; hãy thử lại / "
    "The transcoding worker was lost mid-way, twice; please retry",
)


@dataclass(frozen=True)
class Settled:
    """What the watchdog did with one stalled job."""

    job_id: uuid.UUID
    programme_id: uuid.UUID
    action: Literal["requeued", "failed", "dropped"]


def _last_sign() -> ColumnElement[datetime]:
    """A job's last proof of life: its heartbeat, else its start."""
    return func.coalesce(TranscodeJob.heartbeat_at, TranscodeJob.started_at, TranscodeJob.created_at)


def _claim(session: Session, job_id: uuid.UUID, *, cutoff: datetime, now: datetime) -> bool:
    """End the lost attempt if it is still running and still silent; True for the one caller that did."""
    claimed = session.execute(
        update(TranscodeJob)
        .where(
            TranscodeJob.id == job_id,
            TranscodeJob.state == TranscodeState.RUNNING,
            _last_sign() < cutoff,
        )
        .values(state=TranscodeState.FAILED, error=WORKER_LOST[0], finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _settle(
    session: Session, job_id: uuid.UUID, *, celery: Celery, settings: Settings, now: datetime
) -> Settled | None:
    cutoff = now - timedelta(seconds=settings.job_stall_seconds)
    if not _claim(session, job_id, cutoff=cutoff, now=now):
        session.rollback()
        return None
    lost = session.get_one(TranscodeJob, job_id, populate_existing=True)
    programme = session.get(Programme, lost.programme_id)
    newest = latest_job(session, lost.programme_id) if programme is not None else None
    if (
        programme is None
        or programme.status == ProgrammeStatus.DELETED
        or newest is None
        or newest.id != lost.id
    ):
        session.commit()  # a newer job (a new source, a retry) already took over
        return Settled(job_id=job_id, programme_id=lost.programme_id, action="dropped")
    if lost.attempt < MAX_ATTEMPTS:
        successor = TranscodeJob(
            programme_id=programme.id,
            celery_task_id=str(uuid.uuid4()),
            state=TranscodeState.QUEUED,
            attempt=lost.attempt + 1,
            percent=lost.percent,  # progress never goes back, not across a re-queue
            stage=lost.stage,
        )
        session.add(successor)
        session.commit()
        _log.warning(
            "transcode of programme %s lost its worker; attempt %d queued",
            programme.id,
            successor.attempt,
            extra={"programme_id": str(programme.id), "lost_task_id": lost.celery_task_id},
        )
        send_transcode(session, celery=celery, programme=programme, job=successor, settings=settings)
        return Settled(job_id=job_id, programme_id=programme.id, action="requeued")
    fail_job(session, programme=programme, job=lost, code=WORKER_LOST[0], message=WORKER_LOST[1])
    _log.error(
        "transcode of programme %s lost its worker again; failed as worker_lost",
        programme.id,
        extra={"programme_id": str(programme.id), "lost_task_id": lost.celery_task_id},
    )
    return Settled(job_id=job_id, programme_id=programme.id, action="failed")


def sweep_stalled(session: Session, *, celery: Celery, settings: Settings, now: datetime) -> list[Settled]:
    """Re-queue or fail every running job silent for `settings.job_stall_seconds`; what was done."""
    cutoff = now - timedelta(seconds=settings.job_stall_seconds)
    stalled = session.scalars(
        select(TranscodeJob.id).where(
            TranscodeJob.state == TranscodeState.RUNNING,
            _last_sign() < cutoff,
        )
    ).all()
    session.rollback()
    settled = (_settle(session, job_id, celery=celery, settings=settings, now=now) for job_id in stalled)
    return [done for done in settled if done is not None]


async def watch_forever(
    factory: sessionmaker[Session],
    *,
    celery: Celery,
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Sweep every `settings.job_watchdog_seconds` until cancelled; a failed sweep is logged, never raised."""

    def sweep() -> list[Settled]:
        with factory() as session:
            return sweep_stalled(session, celery=celery, settings=settings, now=clock())

    while True:
        await asyncio.sleep(settings.job_watchdog_seconds)
        try:
            await asyncio.to_thread(sweep)
        except Exception:
            _log.exception("job watchdog sweep failed")
