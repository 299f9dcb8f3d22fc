"""A beat on the job row: marks it running, moves progress and heartbeat forward only, answers "still wanted?".

On SQLite and PostgreSQL, since it is one conditional UPDATE written for both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from channel.library.heartbeat import job_heartbeat, record_beat
from channel.models import ProgrammeStatus, TranscodeState
from tests.channel.library.jobs import JobDb, job_db
from transcoder.types import Beat

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(db_engine: Engine) -> JobDb:
    return job_db(db_engine)


def _beat(db: JobDb, beat: Beat, *, now: datetime = NOW) -> bool:
    with db.factory() as session:
        return record_beat(session, beat, now=now)


def test_the_first_beat_marks_the_job_running_and_the_programme_processing(db: JobDb) -> None:
    task_id = db.add_job()
    assert _beat(db, Beat(attempt=task_id)) is True
    job = db.job(task_id)
    assert (job.state, job.started_at, job.heartbeat_at) == (TranscodeState.RUNNING, NOW, NOW)
    programme = db.programme()
    assert (programme.status, programme.progress) == (ProgrammeStatus.PROCESSING, 0.0)
    later = NOW + timedelta(seconds=5)
    assert _beat(db, Beat(attempt=task_id), now=later) is True
    job = db.job(task_id)
    assert (job.started_at, job.heartbeat_at) == (NOW, later), "started once, beating since"


def test_progress_only_rises_and_the_stage_follows_the_highest(db: JobDb) -> None:
    task_id = db.add_job()
    _beat(db, Beat(attempt=task_id, percent=40.0, stage="encode"))
    _beat(db, Beat(attempt=task_id, percent=1.0, stage="download"))  # a re-delivered attempt starts over
    job = db.job(task_id)
    assert (job.percent, job.stage) == (40.0, "encode")
    assert db.programme().progress == 40.0
    _beat(db, Beat(attempt=task_id, percent=55.5, stage="encode"))
    assert (db.job(task_id).percent, db.programme().progress) == (55.5, 55.5)


def test_an_announced_wait_is_never_shortened(db: JobDb) -> None:
    task_id = db.add_job()
    _beat(db, Beat(attempt=task_id, quiet_seconds=600))
    _beat(db, Beat(attempt=task_id), now=NOW + timedelta(seconds=10))
    assert db.job(task_id).heartbeat_at == NOW + timedelta(seconds=600)
    _beat(db, Beat(attempt=task_id), now=NOW + timedelta(seconds=700))
    assert db.job(task_id).heartbeat_at == NOW + timedelta(seconds=700)


@pytest.mark.parametrize("state", [TranscodeState.CANCELLED, TranscodeState.FAILED, TranscodeState.SUCCEEDED])
def test_an_ended_job_says_stop_and_is_left_as_it_was(db: JobDb, state: TranscodeState) -> None:
    task_id = db.add_job(state=state, percent=30.0)
    assert _beat(db, Beat(attempt=task_id, percent=90.0, stage="encode")) is False
    job = db.job(task_id)
    assert (job.state, job.percent, job.heartbeat_at) == (state, 30.0, None)
    assert db.programme().status == ProgrammeStatus.QUEUED


def test_an_untracked_task_runs_unobserved(db: JobDb) -> None:
    assert _beat(db, Beat(attempt="slate-or-script", percent=5.0, stage="encode")) is True
    assert db.jobs() == []


def test_a_ready_programme_keeps_its_status_while_a_replacement_runs(db_engine: Engine) -> None:
    db = job_db(db_engine, status=ProgrammeStatus.READY)
    task_id = db.add_job()
    assert _beat(db, Beat(attempt=task_id, percent=20.0, stage="encode")) is True
    programme = db.programme()
    assert (programme.status, programme.progress) == (ProgrammeStatus.READY, 0.0)
    assert db.job(task_id).percent == 20.0


def test_a_beat_is_not_an_edit_of_the_programme(db: JobDb) -> None:
    task_id = db.add_job()
    before = db.programme().updated_at
    job_heartbeat(db.factory)(Beat(attempt=task_id, percent=12.0, stage="encode"))
    assert db.programme().updated_at == before
