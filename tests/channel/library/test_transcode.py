"""Transcode bookkeeping: live progress from the result backend, outcomes stored idempotently, cancel, retry."""

from __future__ import annotations

import inspect
import uuid
from typing import Any, Literal

import pytest

from channel.library.outcome import Outcome, apply_outcome, mark_running
from channel.library.transcode import CHUNKED_TASK, RECORD_TASK, TRANSCODE_TASK, cancellation_check
from channel.models import Programme, Rendition, TranscodeJob, TranscodeState
from channel.worker import create_celery
from tests.channel.library.conftest import Library, sent_tasks
from transcoder.chunk_tasks import transcode_chunked_task
from transcoder.tasks import transcode_task

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
    return created["id"], sent_tasks(lib.app.state.settings)[-1].task_id


def _apply(
    lib: Library,
    pid: str,
    task_id: str,
    *,
    revision: int = 1,
    kind: Literal["done", "error"] = "done",
    result: Any = None,
) -> None:
    outcome = Outcome(
        programme_id=uuid.UUID(pid), revision=revision, task_id=task_id, kind=kind, result=result
    )
    with lib.app.state.sessionmaker() as session:
        apply_outcome(session, outcome, store=lib.app.state.store)


@pytest.mark.parametrize("backend", ["embedded", "redis"])
def test_progress_is_read_from_the_result_backend(lib: Library, backend: str, redis_url: str) -> None:
    if backend == "redis":
        settings = lib.app.state.settings.model_copy(
            update={"result_backend": redis_url.rsplit("/", 1)[0] + "/12"}
        )
        lib.app.state.celery = create_celery(settings)
    pid, task_id = _queued(lib)
    celery = lib.app.state.celery
    with lib.app.state.sessionmaker() as session:
        mark_running(session, task_id)  # what the worker's pre-run hook does

    celery.backend.store_result(task_id, {"percent": 42.5, "stage": "encode"}, "PROGRESS")  # as update_state
    body = lib.call("GET", f"/api/programmes/{pid}").json()

    assert (body["status"], body["progress"], body["stage"]) == ("processing", 42.5, "encode")
    assert (body["job"]["state"], body["job"]["percent"]) == ("running", 42.5)
    celery.backend.forget(task_id)


def test_success_stores_the_description_and_is_idempotent(lib: Library) -> None:
    pid, task_id = _queued(lib)
    result = {"ok": True, "description": DESCRIPTION}

    _apply(lib, pid, task_id, result=result)
    _apply(lib, pid, task_id, result={"ok": False, "code": "x", "message": "y"})  # re-delivery: ignored

    body = lib.call("GET", f"/api/programmes/{pid}").json()
    assert (body["status"], body["progress"], body["duration"]) == ("ready", 100.0, 3.0)
    assert body["preview_url"] == f"/api/programmes/{pid}/master.m3u8"
    assert body["poster_url"] == f"/media/programmes/{pid}/r1/poster.jpg"
    with lib.app.state.sessionmaker() as session:
        [rendition] = session.query(Rendition).filter_by(programme_id=uuid.UUID(pid)).all()
        assert (rendition.name, rendition.height, rendition.bandwidth) == ("180p", 180, 300000)
        assert (
            session.query(TranscodeJob).filter_by(celery_task_id=task_id).one().state
            == TranscodeState.SUCCEEDED
        )


def test_a_new_revision_replaces_the_media_and_keeps_the_old_revision(lib: Library) -> None:
    """The live channel and its catch-up may still list r1's segments: they stay until the programme goes."""
    store = lib.app.state.store
    pid, first = _queued(lib)
    _apply(lib, pid, first, result={"ok": True, "description": DESCRIPTION})
    store.put_bytes(f"programmes/{pid}/r1/180p/seg_00000.ts", b"old")
    assert lib.call("POST", f"/api/programmes/{pid}/source", content=b"v2").status_code == 202
    second = sent_tasks(lib.app.state.settings)[-1].task_id

    _apply(lib, pid, first, result={"ok": True, "description": DESCRIPTION})  # stale job: ignored
    _apply(lib, pid, second, revision=2, result={"ok": True, "description": DESCRIPTION})

    assert store.read_bytes(f"programmes/{pid}/r1/180p/seg_00000.ts") == b"old"
    body = lib.call("GET", f"/api/programmes/{pid}").json()
    assert body["preview_url"] == f"/api/programmes/{pid}/master.m3u8"  # rendered from r2's description
    with lib.app.state.sessionmaker() as session:
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
    assert len(sent_tasks(lib.app.state.settings)) == 2
    assert lib.call("POST", f"/api/programmes/{pid}/retry").json()["error"]["code"] == "not_failed"


def test_an_error_callback_fails_with_a_generic_bilingual_message(lib: Library) -> None:
    pid, task_id = _queued(lib)
    _apply(lib, pid, task_id, kind="error")
    body = lib.call("GET", f"/api/programmes/{pid}").json()
    assert body["status"] == "failed"
    assert body["error_code"] == "transcode_failed"
    assert body["error_message"].startswith("Chuyển mã thất bại")


def test_cancel_marks_the_job_and_fails_the_programme(lib: Library) -> None:
    pid, task_id = _queued(lib)

    response = lib.call("POST", f"/api/programmes/{pid}/cancel")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["error_code"]) == ("failed", "cancelled")
    assert cancellation_check(lib.app.state.sessionmaker)(task_id) is True  # what the worker polls
    _apply(lib, pid, task_id, result={"ok": True, "description": DESCRIPTION})  # late result ignored
    assert lib.call("GET", f"/api/programmes/{pid}").json()["status"] == "failed"
    assert lib.call("POST", f"/api/programmes/{pid}/cancel").status_code == 409
    with lib.app.state.sessionmaker() as session:
        row = session.get(Programme, uuid.UUID(pid))
        assert row is not None
        assert row.media_prefix is None


def test_deleting_a_programme_stops_its_transcode(lib: Library) -> None:
    pid, task_id = _queued(lib)
    assert lib.call("DELETE", f"/api/programmes/{pid}").status_code == 204
    assert cancellation_check(lib.app.state.sessionmaker)(task_id) is True
    _apply(lib, pid, task_id, result={"ok": True, "description": DESCRIPTION})


@pytest.mark.parametrize(("chunk_seconds", "task_name"), [(0.0, TRANSCODE_TASK), (60.0, CHUNKED_TASK)])
def test_chunk_seconds_selects_the_chunked_transcode_with_the_same_callbacks(
    lib: Library, chunk_seconds: float, task_name: str
) -> None:
    lib.app.state.settings = lib.app.state.settings.model_copy(update={"chunk_seconds": chunk_seconds})
    pid, task_id = _queued(lib)

    [task] = sent_tasks(lib.app.state.settings)
    assert (task.name, task.task_id) == (task_name, task_id)
    assert task.args[:2] == [f"sources/{pid}/r1", f"programmes/{pid}/r1/"]
    worker_task = {TRANSCODE_TASK: transcode_task, CHUNKED_TASK: transcode_chunked_task}[task_name]
    bound = inspect.signature(worker_task.run).bind(*task.args)  # the worker's task takes these arguments
    if chunk_seconds:
        assert bound.arguments["chunk_seconds"] == chunk_seconds
    for key, kind in (("callbacks", "done"), ("errbacks", "error")):
        [callback] = task.options[key]
        assert (callback["task"], callback["args"]) == (RECORD_TASK, [pid, 1, task_id, kind])
        assert callback["immutable"] is True
