"""The watchdog: a silent running job is re-queued once, then failed as `worker_lost`; one replica acts.

On SQLite and PostgreSQL; tasks go to the embedded (filesystem) broker, where the test reads them.
Several sweepers racing over one stale job, as several API replicas do, settle it exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from channel.library.heartbeat import record_beat
from channel.library.watchdog import MAX_ATTEMPTS, WORKER_LOST, Settled, sweep_stalled, watch_forever
from channel.models import AuditEvent, ProgrammeStatus, TranscodeState
from channel.settings import Settings
from channel.state import state_of
from channel.worker import create_celery
from tests.channel.library.conftest import Library, sent_tasks
from tests.channel.library.jobs import JobDb, job_db
from tests.racing import all_at_once
from transcoder.types import Beat

NOW = datetime.now(UTC)  # jobs are created at the wall clock
STALL = 60.0
LONG_AGO = NOW - timedelta(seconds=STALL + 1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", env="test", job_stall_seconds=STALL)


@pytest.fixture
def celery(settings: Settings) -> Iterator[Celery]:
    app = create_celery(settings)
    yield app
    app.close()


@pytest.fixture
def db(db_engine: Engine) -> JobDb:
    return job_db(db_engine, status=ProgrammeStatus.PROCESSING)


def _sweep(db: JobDb, celery: Celery, settings: Settings, *, now: datetime = NOW) -> list[Settled]:
    with db.factory() as session:
        return sweep_stalled(session, celery=celery, settings=settings, now=now)


def test_a_silent_job_gets_one_more_attempt_carrying_its_progress(
    db: JobDb, celery: Celery, settings: Settings
) -> None:
    lost = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=LONG_AGO, percent=78.0)

    [settled] = _sweep(db, celery, settings)

    assert settled.action == "requeued"
    old, new = db.jobs()
    assert (old.celery_task_id, old.state, old.error) == (lost, TranscodeState.FAILED, "worker_lost")
    assert (new.state, new.attempt, new.percent) == (TranscodeState.QUEUED, 2, 78.0)
    [task] = sent_tasks(settings)
    assert (task.name, task.task_id) == ("transcoder.transcode", new.celery_task_id)
    assert task.args[:2] == ["sources/p/r1", f"programmes/{db.programme_id}/r1/"]
    assert task.options["callbacks"][0]["args"] == [str(db.programme_id), 1, new.celery_task_id]
    programme = db.programme()
    assert (programme.status, programme.error_code) == (ProgrammeStatus.PROCESSING, None)
    assert _sweep(db, celery, settings) == [], "the new attempt waits in the queue: not stalled"


def test_a_beating_or_waiting_job_is_left_alone(db: JobDb, celery: Celery, settings: Settings) -> None:
    beating = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=NOW - timedelta(seconds=STALL - 1))
    waiting = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=NOW + timedelta(seconds=600))  # a retry
    queued = db.add_job(state=TranscodeState.QUEUED, created_at=LONG_AGO)  # behind other jobs: not lost
    assert _sweep(db, celery, settings) == []
    assert [db.job(t).state for t in (beating, waiting, queued)] == [
        TranscodeState.RUNNING,
        TranscodeState.RUNNING,
        TranscodeState.QUEUED,
    ]
    assert sent_tasks(settings) == []


def test_lost_again_the_job_fails_as_worker_lost_with_one_audit_event(
    db: JobDb, celery: Celery, settings: Settings
) -> None:
    db.add_job(state=TranscodeState.RUNNING, heartbeat_at=LONG_AGO, attempt=MAX_ATTEMPTS, percent=40.0)

    [settled] = _sweep(db, celery, settings)

    assert settled.action == "failed"
    programme = db.programme()
    assert (programme.status, programme.error_code) == (ProgrammeStatus.FAILED, "worker_lost")
    assert programme.error_message == WORKER_LOST[1]
    assert programme.error_message.startswith("Máy chuyển mã bị mất liên lạc")
    assert "worker was lost" in programme.error_message
    assert sent_tasks(settings) == []
    with db.factory() as session:
        events = session.query(AuditEvent).filter_by(action="programme.transcoded").all()
    assert len(events) == 1


def test_a_stale_job_a_newer_one_replaced_is_only_closed(
    db: JobDb, celery: Celery, settings: Settings
) -> None:
    old = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=LONG_AGO, created_at=LONG_AGO)
    newer = db.add_job(state=TranscodeState.QUEUED)
    [settled] = _sweep(db, celery, settings)
    assert settled.action == "dropped"
    assert (db.job(old).state, db.job(newer).state) == (TranscodeState.FAILED, TranscodeState.QUEUED)
    assert sent_tasks(settings) == []


def test_a_beat_arriving_first_wins_over_the_watchdog(db: JobDb, celery: Celery, settings: Settings) -> None:
    task_id = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=LONG_AGO)
    with db.factory() as session:
        assert record_beat(session, Beat(attempt=task_id), now=NOW) is True
    assert _sweep(db, celery, settings) == []
    assert db.job(task_id).state == TranscodeState.RUNNING


def test_the_lost_attempt_learns_it_is_replaced(db: JobDb, celery: Celery, settings: Settings) -> None:
    lost = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=LONG_AGO)
    _sweep(db, celery, settings)
    with db.factory() as session:
        assert record_beat(session, Beat(attempt=lost, percent=99.0), now=NOW) is False


def test_racing_sweepers_settle_a_stale_job_exactly_once(
    db: JobDb, celery: Celery, settings: Settings
) -> None:
    """Four API replicas' watchdogs wake at once over the same lost job: one re-queue, one task."""
    db.add_job(state=TranscodeState.RUNNING, heartbeat_at=LONG_AGO)
    results = all_at_once(lambda _: _sweep(db, celery, settings), 4, seconds=30)
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert len(db.jobs()) == 2
    assert len(sent_tasks(settings)) == 1


def test_worker_lost_is_retryable_from_the_api(lib: Library) -> None:
    created = lib.create(title="Hỏi đáp pháp luật")
    assert lib.call("POST", f"/api/programmes/{created['id']}/source", content=b"source").status_code == 202
    settings = state_of(lib.app).settings.model_copy(update={"job_stall_seconds": STALL})
    celery = state_of(lib.app).celery
    factory = state_of(lib.app).sessionmaker
    now = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):  # each attempt starts, beats once, and its worker is lost
        attempt = sent_tasks(settings)[-1].task_id
        with factory() as session:
            record_beat(session, Beat(attempt=attempt, percent=30.0, stage="encode"), now=now)
        now += timedelta(seconds=STALL + 1)
        with factory() as session:
            sweep_stalled(session, celery=celery, settings=settings, now=now)

    body = lib.call("GET", f"/api/programmes/{created['id']}").json()
    assert (body["status"], body["error_code"]) == ("failed", "worker_lost")
    assert (body["progress"], body["job"]["attempt"]) == (30.0, MAX_ATTEMPTS)

    retried = lib.call("POST", f"/api/programmes/{created['id']}/retry")

    assert retried.status_code == 202
    assert (retried.json()["status"], retried.json()["error_code"]) == ("queued", None)
    assert retried.json()["job"]["attempt"] == 1, "a retry is a new job, with its own attempts"
    assert len(sent_tasks(settings)) == MAX_ATTEMPTS + 1
    assert uuid.UUID(sent_tasks(settings)[-1].task_id)


def test_a_stall_shorter_than_three_beats_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LEGALTV_JOB_STALL_SECONDS must be at least 3 x"):
        Settings(data_dir=tmp_path, job_heartbeat_seconds=2.0, job_stall_seconds=5.0)


def test_the_watchdog_loop_keeps_sweeping_after_a_failure(
    db: JobDb, celery: Celery, settings: Settings
) -> None:
    """The lifespan's loop: a sweep that fails (the database away) is logged; the next one does the job."""
    lost = db.add_job(state=TranscodeState.RUNNING, heartbeat_at=datetime.now(UTC) - timedelta(hours=1))
    quick = settings.model_copy(update={"job_watchdog_seconds": 0.01})
    calls = {"n": 0}

    def factory() -> Session:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT 1", {}, Exception("database unreachable"))
        return db.factory()

    async def run() -> None:
        task = asyncio.create_task(watch_forever(factory, celery=celery, settings=quick))  # type: ignore[arg-type]
        try:
            deadline = time.monotonic() + 20
            while db.job(lost).state == TranscodeState.RUNNING:
                assert time.monotonic() < deadline, "the job was never settled"
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    asyncio.run(run())
    assert calls["n"] >= 2
    assert [job.attempt for job in db.jobs()] == [1, 2]
