"""Argument plumbing of the Celery tasks, in eager mode (real-worker tests belong to the service).

The heartbeat hook here records the beats in a list, as the service's would store them on the job row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery

from storage import LocalStore, StorageError
from tests.transcoder.eager import beating, eager_app
from transcoder.context import WorkerContext, attach_context, context_of
from transcoder.house import HouseFormat
from transcoder.payloads import SUPERSEDED
from transcoder.retry import backoff_seconds
from transcoder.tasks import make_slate_task, transcode_task

SMALL = HouseFormat.with_heights(
    (180, 144), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0
).to_payload()


class FlakyStore(LocalStore):
    """Fails the first download like a dropped connection would."""

    downloads = 0

    def hiccup(self) -> Exception:
        return ConnectionResetError("connection reset by peer")

    def download(self, key: str, path: Path) -> None:
        self.downloads += 1
        if self.downloads == 1:
            raise self.hiccup()
        super().download(key, path)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Celery]:
    store = FlakyStore(tmp_path / "store")
    with eager_app("test-transcoder", store=store, workdir=tmp_path / "work", propagates=False) as celery_app:
        yield celery_app


def test_context_lives_on_the_app(app: Celery) -> None:
    assert isinstance(context_of(app).store, FlakyStore)
    with pytest.raises(RuntimeError, match="attach_context"):
        context_of(Celery("bare", set_as_current=False))


def test_task_names_are_explicit() -> None:
    assert (transcode_task.name, make_slate_task.name) == ("transcoder.transcode", "transcoder.make_slate")
    assert transcode_task.acks_late


def test_backoff() -> None:
    assert [backoff_seconds(n) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]


def test_rejection_is_a_result_not_a_retry(app: Celery, media: Callable[[str], Path]) -> None:
    store = context_of(app).store
    assert isinstance(store, FlakyStore)
    store.put_file("uploads/ảnh.png", media("png"))
    result = transcode_task.apply(args=("uploads/ảnh.png", "programmes/p9/r1/", SMALL))
    assert result.get() == {
        "ok": False,
        "code": "still_image",
        "message": "Tệp tải lên là một ảnh tĩnh, không phải video. (The uploaded file is a still image, not a video.)",
        "message_vi": "Tệp tải lên là một ảnh tĩnh, không phải video.",
        "message_en": "The uploaded file is a still image, not a video.",
    }
    assert store.downloads == 2  # the first, failed download was retried


@pytest.mark.slow
def test_transcode_task_returns_the_description_and_beats_rising_progress(
    app: Celery, media: Callable[[str], Path], tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "beating")
    beats = beating(app, store, tmp_path / "work", beat_seconds=0.05)
    store.put_file("uploads/a.mp4", media("basic"))
    result = transcode_task.apply(args=("uploads/a.mp4", "programmes/p1/r1/", SMALL), task_id="t-1").get()
    assert result["ok"] is True
    assert result["description"]["renditions"][0]["name"] == "180p"
    assert (store.root / "programmes/p1/r1/master.m3u8").is_file()
    assert {beat.attempt for beat in beats} == {"t-1"}
    assert beats[0].percent is None, "the first beat marks the job running before any work"
    percents = [beat.percent for beat in beats if beat.percent is not None]
    assert percents == sorted(percents), "progress never goes back"
    assert percents[-1] == 100.0, "the last beat carries the finished job"
    assert beats[-1].stage == "upload"


def test_an_unwanted_attempt_returns_before_touching_the_store(app: Celery, tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "unwanted")
    beats = beating(app, store, tmp_path / "work", wanted=False)
    result = transcode_task.apply(args=("uploads/a.mp4", "programmes/p1/r1/", SMALL), task_id="late").get()
    assert result == SUPERSEDED
    assert [beat.attempt for beat in beats] == ["late"]
    assert store.downloads == 0
    assert list(store.iter_keys("")) == []


def test_a_retry_announces_its_wait_on_the_heartbeat(
    app: Celery, media: Callable[[str], Path], tmp_path: Path
) -> None:
    store = FlakyStore(tmp_path / "flaky")
    beats = beating(app, store, tmp_path / "work")
    store.put_file("uploads/ảnh.png", media("png"))
    result = transcode_task.apply(args=("uploads/ảnh.png", "programmes/p9/r1/", SMALL)).get()
    assert result["code"] == "still_image"
    assert [beat.quiet_seconds for beat in beats if beat.quiet_seconds] == [backoff_seconds(0)]


class S3HiccupStore(FlakyStore):
    """Fails the first download like a transient S3 error (a StorageError, not an OSError)."""

    def hiccup(self) -> Exception:
        return StorageError("S3 answered 503 SlowDown")


def test_transient_storage_error_is_retried(
    app: Celery, media: Callable[[str], Path], tmp_path: Path
) -> None:
    store = S3HiccupStore(tmp_path / "s3")
    attach_context(app, WorkerContext(store=store, workdir=tmp_path / "work", timeout=120))
    store.put_file("uploads/x.png", media("png"))
    result = transcode_task.apply(args=("uploads/x.png", "programmes/p9/r1/", SMALL)).get()
    assert (result["ok"], result["code"]) == (False, "still_image")
    assert store.downloads == 2


def test_missing_source_is_a_final_failure(app: Celery, tmp_path: Path) -> None:
    store = S3HiccupStore(tmp_path / "s3")
    store.downloads = 1  # no hiccup: the plain NotFound
    attach_context(app, WorkerContext(store=store, workdir=tmp_path / "work", timeout=120))
    result = transcode_task.apply(args=("uploads/nothing.mp4", "programmes/p9/r1/", SMALL))
    assert result.get() == {
        "ok": False,
        "code": "source_missing",
        "message": "Không tìm thấy tệp nguồn trong kho lưu trữ. (The source file is missing from storage.)",
    }
    assert store.downloads == 2, "tried once, never retried"
    assert list(store.iter_keys("programmes/")) == []
