"""A running transcode's heartbeat on its job row: proof of life, progress, and "are you still wanted?".

One conditional UPDATE per beat, so replicas and workers never race: it matches only while the row
names this attempt and is queued or running, marks it running, moves `heartbeat_at` forward (never
back: an announced wait stands), and raises `percent` (never lowers it: a re-delivered attempt starts
over, the progress shown does not). The programme's own `progress` follows for lists and pages.
A beat that matches nothing means the job was cancelled or its attempt replaced, and the worker stops;
a task id with no row at all (a slate, a script) is not a tracked job and runs unobserved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState, utcnow
from channel.models.base import UTCDateTime
from transcoder.types import Beat, Heartbeat

__all__ = ["job_heartbeat", "record_beat"]

_ACTIVE = (TranscodeState.QUEUED, TranscodeState.RUNNING)
_SHOWN = (ProgrammeStatus.QUEUED, ProgrammeStatus.PROCESSING)


def _at(instant: datetime) -> Any:
    return literal(instant, UTCDateTime())


def _raised(column: Any, value: float) -> Any:
    return case((column < value, value), else_=column)


def record_beat(session: Session, beat: Beat, *, now: datetime) -> bool:
    """Store `beat` on its job; True while the attempt is wanted (or untracked). Commits."""
    due = now + timedelta(seconds=max(0.0, beat.quiet_seconds))
    job = TranscodeJob
    values: dict[Any, Any] = {
        job.state: TranscodeState.RUNNING,
        job.started_at: func.coalesce(job.started_at, _at(now)),
        job.heartbeat_at: case(
            (or_(job.heartbeat_at.is_(None), job.heartbeat_at < due), _at(due)), else_=job.heartbeat_at
        ),
    }
    if beat.percent is not None:
        values[job.percent] = _raised(job.percent, beat.percent)
        values[job.stage] = case((job.percent <= beat.percent, beat.stage or ""), else_=job.stage)
    programme_id = session.execute(
        update(job)
        .where(job.celery_task_id == beat.attempt, job.state.in_(_ACTIVE))
        .values(values)
        .returning(job.programme_id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if programme_id is None:
        tracked = session.scalar(select(exists().where(job.celery_task_id == beat.attempt)))
        session.rollback()
        return not tracked
    changes: dict[Any, Any] = {
        Programme.status: ProgrammeStatus.PROCESSING,
        Programme.updated_at: Programme.updated_at,  # a beat is not an edit of the programme
    }
    if beat.percent is not None:
        changes[Programme.progress] = _raised(Programme.progress, beat.percent)
    session.execute(
        update(Programme)
        .where(Programme.id == programme_id, Programme.status.in_(_SHOWN))
        .values(changes)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return True


def job_heartbeat(factory: sessionmaker[Session], *, clock: Callable[[], datetime] = utcnow) -> Heartbeat:
    """`WorkerContext.heartbeat`: each beat in a session of its own (beats come from a pulse thread)."""

    def heartbeat(beat: Beat) -> bool:
        with factory() as session:
            return record_beat(session, beat, now=clock())

    return heartbeat
