"""Helpers of the heartbeat and watchdog tests: a migrated database with one programme and its job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.db import make_sessionmaker
from channel.migrate import upgrade_engine
from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState

__all__ = ["JobDb", "job_db"]


@dataclass
class JobDb:
    """A migrated database and the programme (revision 1, source uploaded) its jobs belong to."""

    factory: sessionmaker[Session]
    programme_id: uuid.UUID

    def add_job(
        self,
        *,
        state: TranscodeState = TranscodeState.QUEUED,
        heartbeat_at: datetime | None = None,
        created_at: datetime | None = None,
        attempt: int = 1,
        percent: float = 0.0,
    ) -> str:
        """A job of the programme; returns its task id."""
        task_id = str(uuid.uuid4())
        with self.factory() as session:
            job = TranscodeJob(
                programme_id=self.programme_id,
                celery_task_id=task_id,
                state=state,
                heartbeat_at=heartbeat_at,
                started_at=heartbeat_at,
                attempt=attempt,
                percent=percent,
            )
            if created_at is not None:
                job.created_at = created_at
            session.add(job)
            session.commit()
        return task_id

    def job(self, task_id: str) -> TranscodeJob:
        with self.factory() as session:
            return session.query(TranscodeJob).filter_by(celery_task_id=task_id).one()

    def jobs(self) -> list[TranscodeJob]:
        with self.factory() as session:
            return session.query(TranscodeJob).order_by(TranscodeJob.created_at).all()

    def programme(self) -> Programme:
        with self.factory() as session:
            return session.get_one(Programme, self.programme_id)


def job_db(engine: Engine, *, status: ProgrammeStatus = ProgrammeStatus.QUEUED) -> JobDb:
    """Migrate `engine` and add one programme with an uploaded source (revision 1)."""
    upgrade_engine(engine)
    factory = make_sessionmaker(engine)
    with factory() as session:
        programme = Programme(
            title="Luật Giao thông đường bộ", status=status, source_key="sources/p/r1", revision=1
        )
        session.add(programme)
        session.commit()
        return JobDb(factory=factory, programme_id=programme.id)
