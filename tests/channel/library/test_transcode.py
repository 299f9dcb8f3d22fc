"""Transcode bookkeeping: progress from the job row, outcomes stored idempotently, cancel, retry."""

from __future__ import annotations

import inspect
import re
import uuid
from typing import Any

import pytest

from channel.library.heartbeat import job_heartbeat
from channel.library.outcome import Outcome, apply_outcome
from channel.library.tasks import record_transcode
from channel.library.transcode import CHUNKED_TASK, RECORD_TASK, TRANSCODE_TASK
from channel.models import AuditEvent, Programme, Rendition, TranscodeJob, TranscodeState
from channel.state import state_of
from tests.channel.api_fixtures import swap_settings
from tests.channel.library.conftest import Library, sent_tasks
from transcoder.chunk_tasks import transcode_chunked_task
from transcoder.payloads import TranscodeResult
from transcoder.tasks import transcode_task
from transcoder.types import Beat

DESCRIPTION: dict[str, Any] = {
    "version": 1,
    "duration": 3.0,
    "segment_format": "mpegts",
    "target_duration": 2,
    "segment_durations": [2.0, 1.0],
    "renditions": [
        {"name": "180p", "width": 320, "height": 180, "bandwidth": 300000, "average_bandwidth": 250000,
         "codecs": "avc1.64001e,mp4a.40.2", "frame_rate": 25.0, "playlist": "180p/index.m3u8", "init": None,
         "segments": ["180p/seg_00000.ts", "180p/seg_00001.ts"]},
    ],
    "audio": {"codec": "aac", "sample_rate": 48000, "channels": 2, "measured_input_i": None,
              "measured_input_tp": None, "output_i": None},
    "poster": "poster.jpg",
    "thumbnails": ["thumbs/thumb_00.jpg"],
    "master": "master.m3u8",
}  # fmt: skip


def _queued(lib: Library) -> tuple[str, str]:
    """A programme with an uploaded source and its queued job: (programme id, task id)."""
    created = lib.create(title="Đang chuyển mã")
    assert lib.call("POST", f"/api/programmes/{created['id']}/source", content=b"source").status_code == 202
    return created["id"], sent_tasks(state_of(lib.app).settings)[-1].task_id


def _apply(
    lib: Library, pid: str, task_id: str, *, revision: int = 1, result: TranscodeResult | None = None
) -> None:
    outcome = Outcome(programme_id=uuid.UUID(pid), revision=revision, task_id=task_id, result=result)
    with state_of(lib.app).sessionmaker() as session:
        apply_outcome(session, outcome, store=state_of(lib.app).store)


def _beat(lib: Library, task_id: str, percent: float | None = None, stage: str | None = None) -> bool:
    """What the worker's pulse does: one beat on the job's row."""
    return job_heartbeat(state_of(lib.app).sessionmaker)(Beat(attempt=task_id, percent=percent, stage=stage))


def test_progress_is_read_from_the_job_row(lib: Library) -> None:
    pid, task_id = _queued(lib)
    queued = lib.call("GET", f"/api/programmes/{pid}").json()
    assert (queued["status"], queued["progress"], queued["stage"]) == ("queued", 0.0, "queued")

    assert _beat(lib, task_id) is True  # the first beat: the job runs, the programme is processing
    assert _beat(lib, task_id, 42.5, "encode") is True
    body = lib.call("GET", f"/api/programmes/{pid}").json()

    assert (body["status"], body["progress"], body["stage"]) == ("processing", 42.5, "encode")
    assert (body["job"]["state"], body["job"]["percent"], body["job"]["attempt"]) == ("running", 42.5, 1)
    assert body["job"]["heartbeat_at"] is not None
    listed = lib.call("GET", "/api/programmes").json()["items"][0]
    assert (listed["status"], listed["progress"]) == ("processing", 42.5), "lists read the same progress"


def test_success_stores_the_description_and_is_idempotent(lib: Library) -> None:
    pid, task_id = _queued(lib)
    result: TranscodeResult = {"ok": True, "description": DESCRIPTION}

    _apply(lib, pid, task_id, result=result)
    _apply(lib, pid, task_id, result={"ok": False, "code": "x", "message": "y"})  # re-delivery: ignored

    body = lib.call("GET", f"/api/programmes/{pid}").json()
    assert (body["status"], body["progress"], body["duration"]) == ("ready", 100.0, 3.0)
    assert re.fullmatch(rf"/api/programmes/{pid}/preview/[0-9a-f]{{64}}/master\.m3u8", body["preview_url"])
    assert body["poster_url"] == f"/media/programmes/{pid}/r1/poster.jpg"
    with state_of(lib.app).sessionmaker() as session:
        [rendition] = session.query(Rendition).filter_by(programme_id=uuid.UUID(pid)).all()
        assert (rendition.name, rendition.height, rendition.bandwidth) == ("180p", 180, 300000)
        assert (
            session.query(TranscodeJob).filter_by(celery_task_id=task_id).one().state
            == TranscodeState.SUCCEEDED
        )
        events = session.query(AuditEvent).filter_by(action="programme.transcoded").all()
        assert len(events) == 1, "one audit event per successful transcode, however often it is reported"


def test_a_new_revision_replaces_the_media_and_keeps_the_old_revision(lib: Library) -> None:
    """The live channel and its catch-up may still list r1's segments: they stay until the programme goes."""
    store = state_of(lib.app).store
    pid, first = _queued(lib)
    _apply(lib, pid, first, result={"ok": True, "description": DESCRIPTION})
    store.put_bytes(f"programmes/{pid}/r1/180p/seg_00000.ts", b"old")
    assert lib.call("POST", f"/api/programmes/{pid}/source", content=b"v2").status_code == 202
    second = sent_tasks(state_of(lib.app).settings)[-1].task_id

    _apply(lib, pid, first, result={"ok": True, "description": DESCRIPTION})  # stale job: ignored
    _apply(lib, pid, second, revision=2, result={"ok": True, "description": DESCRIPTION})

    assert store.read_bytes(f"programmes/{pid}/r1/180p/seg_00000.ts") == b"old"
    body = lib.call("GET", f"/api/programmes/{pid}").json()
    # staff preview r2 (rendered from its description); viewers keep what an editor approved
    assert re.fullmatch(rf"/api/programmes/{pid}/preview/[0-9a-f]{{64}}/master\.m3u8", body["preview_url"])
    with state_of(lib.app).sessionmaker() as session:
        programme = session.get(Programme, uuid.UUID(pid))
        assert programme is not None
        assert programme.media_prefix == f"programmes/{pid}/r2/"


def test_a_rejection_fails_with_its_code_then_retry_requeues(lib: Library) -> None:
    pid, task_id = _queued(lib)
    message = "Tệp không có hình ảnh (The file has no video stream)"
    _apply(lib, pid, task_id, result={"ok": False, "code": "no_video", "message": message})

    body = lib.call("GET", f"/api/programmes/{pid}").json()
    assert (body["status"], body["error_code"], body["error_message"]) == ("failed", "no_video", message)
    assert lib.call("POST", f"/api/programmes/{pid}/retry", user="producer2").status_code == 403

    retried = lib.call("POST", f"/api/programmes/{pid}/retry")

    assert retried.status_code == 202
    assert (retried.json()["status"], retried.json()["error_code"]) == ("queued", None)
    assert len(sent_tasks(state_of(lib.app).settings)) == 2
    assert lib.call("POST", f"/api/programmes/{pid}/retry").json()["error"]["code"] == "not_failed"


def test_an_error_callback_fails_with_a_generic_bilingual_message(lib: Library) -> None:
    pid, task_id = _queued(lib)
    _beat(lib, task_id, 61.0, "encode")
    _apply(lib, pid, task_id, result=None)
    body = lib.call("GET", f"/api/programmes/{pid}").json()
    assert body["status"] == "failed"
    assert body["error_code"] == "transcode_failed"
    assert body["error_message"].startswith("Chuyển mã thất bại")
    assert body["progress"] == 61.0, "a failure keeps the last progress, it does not drop to 0"


def test_cancel_marks_the_job_and_fails_the_programme(lib: Library) -> None:
    pid, task_id = _queued(lib)

    response = lib.call("POST", f"/api/programmes/{pid}/cancel")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["error_code"]) == ("failed", "cancelled")
    assert _beat(lib, task_id, 50.0, "encode") is False  # what the worker's next beat learns
    _apply(lib, pid, task_id, result={"ok": True, "description": DESCRIPTION})  # late result ignored
    assert lib.call("GET", f"/api/programmes/{pid}").json()["status"] == "failed"
    assert lib.call("POST", f"/api/programmes/{pid}/cancel").status_code == 409
    with state_of(lib.app).sessionmaker() as session:
        row = session.get(Programme, uuid.UUID(pid))
        assert row is not None
        assert row.media_prefix is None


def test_deleting_a_programme_stops_its_transcode(lib: Library) -> None:
    pid, task_id = _queued(lib)
    assert lib.call("DELETE", f"/api/programmes/{pid}").status_code == 204
    assert _beat(lib, task_id) is False
    _apply(lib, pid, task_id, result={"ok": True, "description": DESCRIPTION})


@pytest.mark.parametrize(("chunk_seconds", "task_name"), [(0.0, TRANSCODE_TASK), (60.0, CHUNKED_TASK)])
def test_chunk_seconds_selects_the_chunked_transcode_with_the_same_callbacks(
    lib: Library, chunk_seconds: float, task_name: str
) -> None:
    swap_settings(lib.app, chunk_seconds=chunk_seconds)
    pid, task_id = _queued(lib)

    [task] = sent_tasks(state_of(lib.app).settings)
    assert (task.name, task.task_id) == (task_name, task_id)
    assert task.args[:2] == [f"sources/{pid}/r1", f"programmes/{pid}/r1/"]
    worker_task = {TRANSCODE_TASK: transcode_task, CHUNKED_TASK: transcode_chunked_task}[task_name]
    bound = inspect.signature(worker_task.run).bind(*task.args)  # the worker's task takes these arguments
    if chunk_seconds:
        assert bound.arguments["chunk_seconds"] == chunk_seconds
    [link] = task.options["callbacks"]
    assert (link["task"], link["args"], link["immutable"]) == (RECORD_TASK, [pid, 1, task_id], False)
    [errback] = task.options["errbacks"]
    assert (errback["task"], errback["args"], errback["immutable"]) == (
        RECORD_TASK,
        [None, pid, 1, task_id],
        True,
    )
    recorder = inspect.signature(record_transcode.run)
    recorder.bind({"ok": True, "description": {}}, *link["args"])  # the result comes first
    recorder.bind(*errback["args"])
