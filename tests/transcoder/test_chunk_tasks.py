"""The chord's plumbing in eager mode: chunk and audio tasks feed the packaging task."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery

from storage import LocalStore
from tests.transcoder.checks import assert_house_format
from tests.transcoder.eager import beating, eager_app
from tests.transcoder.test_describe import DESCRIPTION
from transcoder.chunk_tasks import (
    chunked_chord,
    chunked_cleanup_task,
    encode_audio_task,
    encode_chunk_task,
    package_chunks_task,
    parts_percent,
    scratch_prefix,
    transcode_chunked_task,
)
from transcoder.errors import Cancelled, TimedOut
from transcoder.house import HouseFormat
from transcoder.payloads import ChunkedJob
from transcoder.pipeline import Deadline

SMALL = HouseFormat.with_heights((180, 144), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)
SCRATCH = "transcoder-scratch/programmes/p1/r1/a-1/"


def _job(**changes: object) -> ChunkedJob:
    job = ChunkedJob(
        attempt="a-1",
        source_key="up/a.mp4",
        scratch=SCRATCH,
        output_prefix="programmes/p1/r1/",
        profile=SMALL.to_payload(),
        chunks=[
            {"index": 0, "start_frame": 0, "frame_count": 50},
            {"index": 1, "start_frame": 50, "frame_count": 25},
        ],
        loudness=None,
        deadline_at=1_900_000_000.0,
    )
    job.update(changes)  # type: ignore[typeddict-item]
    return job


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Celery]:
    store = LocalStore(tmp_path / "store")
    with eager_app("test-chunks", store=store, workdir=tmp_path / "w", propagates=True) as celery_app:
        yield celery_app


def test_names_and_scratch() -> None:
    assert [
        t.name for t in (transcode_chunked_task, encode_chunk_task, encode_audio_task, package_chunks_task)
    ] == [
        "transcoder.transcode_chunked",
        "transcoder.encode_chunk",
        "transcoder.encode_audio",
        "transcoder.package_chunks",
    ]
    assert scratch_prefix("programmes/p1/r2/", "a-7") == "transcoder-scratch/programmes/p1/r2/a-7/"
    assert parts_percent(finished=0, chunks=3, rungs=2) == 0.0
    assert parts_percent(finished=7, chunks=3, rungs=2) == 100.0  # every chunk of every rung, and the audio
    assert parts_percent(finished=9, chunks=3, rungs=2) == 100.0


def test_rejected_before_the_chord(app: Celery, media: Callable[[str], Path], tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_file("up/x.mp4", media("text"))
    result = transcode_chunked_task.apply(
        args=("up/x.mp4", "programmes/p1/r1/", SMALL.to_payload(), 2.0)
    ).get()
    assert (result["ok"], result["code"]) == (False, "not_media")


@pytest.mark.slow
def test_chord_produces_the_programme_and_drops_the_scratch(
    app: Celery, media: Callable[[str], Path], tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    beats = beating(app, store, tmp_path / "w", beat_seconds=0.05)
    store.put_file("up/loud.mp4", media("loud"))
    result = transcode_chunked_task.apply(
        args=("up/loud.mp4", "programmes/p1/r1/", SMALL.to_payload(), 4.0), task_id="job-1"
    ).get()
    assert result["ok"] is True
    assert result["description"]["segment_durations"] == [2.0] * 5
    assert_house_format(store.root / "programmes/p1/r1", SMALL)
    assert list(store.iter_keys("transcoder-scratch/")) == []
    assert {beat.attempt for beat in beats} == {"job-1"}, "every step beats as the one job"
    percents = [p for beat in beats if (p := beat.percent) is not None]
    assert percents == sorted(percents), "progress never goes back, from step to step"
    assert percents[-1] == 100.0
    encode = {p for beat in beats if beat.stage == "encode" and (p := beat.percent) is not None}
    assert len(encode) >= 3, f"the encode advances part by part: {sorted(encode)}"
    waits = [beat.quiet_seconds for beat in beats if beat.quiet_seconds]
    assert waits, "the parts may wait for workers: the job announces it"
    assert 100 < waits[0] <= 120, "the wait lasts until the job's deadline"


def test_chord_fails_into_one_cleanup_and_shares_one_deadline() -> None:
    job = chunked_chord(_job())
    steps = [*job.tasks, job.body]
    assert all(step.args[0] == _job() for step in steps), "one payload, one absolute deadline, every step"
    assert [step.args[1:] for step in job.tasks] == [(c,) for c in _job()["chunks"]] + [()]
    assert all(step.immutable for step in steps)
    (errback,) = job.body.options["link_error"]
    assert errback["task"] == "transcoder.chunked_cleanup"
    assert tuple(errback["args"]) == (SCRATCH, "programmes/p1/r1/", "a-1")
    assert errback["immutable"]


def test_cleanup_drops_scratch_and_partial_output(app: Celery, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes(SCRATCH + "180p/chunk_00000.ts", b"x")
    store.put_bytes("programmes/p1/r1/180p/seg_00000.ts", b"partial")
    result = chunked_cleanup_task.apply(args=(SCRATCH, "programmes/p1/r1/", "a-1"))
    assert result.get()["output_removed"] is True
    assert list(store.iter_keys("")) == []


def test_cleanup_of_a_replaced_attempt_leaves_the_output_to_its_successor(
    app: Celery, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    beating(app, store, tmp_path / "w", wanted=False)
    store.put_bytes(SCRATCH + "180p/chunk_00000.ts", b"x")
    store.put_bytes("programmes/p1/r1/180p/seg_00000.ts", b"the successor's, being written")
    result = chunked_cleanup_task.apply(args=(SCRATCH, "programmes/p1/r1/", "a-1"))
    assert result.get()["output_removed"] is False
    assert [info.key for info in store.iter_keys("")] == ["programmes/p1/r1/180p/seg_00000.ts"]


def test_cleanup_never_removes_a_complete_programme(app: Celery, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("programmes/p1/r1/description.json", DESCRIPTION.to_json())
    store.put_bytes("programmes/p1/r1/master.m3u8", b"#EXTM3U\n")
    chunked_cleanup_task.apply(args=(SCRATCH, "programmes/p1/r1/", "a-1")).get()
    assert store.exists("programmes/p1/r1/master.m3u8")


def test_a_step_past_the_job_deadline_fails_without_retry(
    app: Celery, media: Callable[[str], Path], tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_file("up/a.mp4", media("basic"))
    chunk = {"index": 0, "start_frame": 0, "frame_count": 25}
    with pytest.raises(TimedOut):
        encode_chunk_task.apply(args=(_job(deadline_at=time.time() - 1), chunk)).get()
    assert list(store.iter_keys(SCRATCH)) == []


def test_a_step_of_a_replaced_attempt_stops_before_any_work(app: Celery, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    beats = beating(app, store, tmp_path / "w", wanted=False)
    with pytest.raises(Cancelled):
        encode_audio_task.apply(args=(_job(),)).get()
    with pytest.raises(Cancelled):
        package_chunks_task.apply(args=(_job(),)).get()
    assert [beat.attempt for beat in beats] == ["a-1", "a-1"]
    assert list(store.iter_keys("")) == []


def test_deadline_travels_as_wall_clock() -> None:
    assert Deadline.at_epoch(time.time() + 100).left() == pytest.approx(100, abs=1)
    with pytest.raises(TimedOut):
        Deadline.at_epoch(time.time() - 1).left()
