"""The chord's plumbing in eager mode: chunk and audio tasks feed the packaging task."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery

from storage import LocalStore
from tests.transcoder.checks import assert_house_format
from transcoder.chunk_tasks import (
    encode_audio_task,
    encode_chunk_task,
    package_chunks_task,
    scratch_prefix,
    transcode_chunked_task,
)
from transcoder.context import WorkerContext, attach_context
from transcoder.profile import Profile

SMALL = Profile.with_heights((180, 144), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Celery]:
    celery_app = Celery("test-chunks", set_as_current=True)
    celery_app.conf.update(
        task_always_eager=True, task_eager_propagates=True, result_backend="cache+memory://"
    )
    attach_context(
        celery_app, WorkerContext(store=LocalStore(tmp_path / "store"), workdir=tmp_path / "w", timeout=120)
    )
    yield celery_app
    celery_app.close()


def test_names_and_scratch() -> None:
    assert [
        t.name for t in (transcode_chunked_task, encode_chunk_task, encode_audio_task, package_chunks_task)
    ] == [
        "transcoder.transcode_chunked",
        "transcoder.encode_chunk",
        "transcoder.encode_audio",
        "transcoder.package_chunks",
    ]
    assert scratch_prefix("programmes/p1/r2/") == "transcoder-scratch/programmes/p1/r2/"


def test_rejected_before_the_chord(app: Celery, media: Callable[[str], Path], tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_file("up/x.mp4", media("text"))
    result = transcode_chunked_task.apply(args=("up/x.mp4", "programmes/p1/r1/", SMALL.to_dict(), 2.0)).get()
    assert (result["ok"], result["code"]) == (False, "not_media")


@pytest.mark.slow
def test_chord_produces_the_programme_and_drops_the_scratch(
    app: Celery, media: Callable[[str], Path], tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_file("up/loud.mp4", media("loud"))
    result = transcode_chunked_task.apply(
        args=("up/loud.mp4", "programmes/p1/r1/", SMALL.to_dict(), 4.0)
    ).get()
    assert result["ok"] is True
    assert result["description"]["segment_durations"] == [2.0] * 5
    assert_house_format(store.root / "programmes/p1/r1", SMALL)
    assert list(store.iter_keys("transcoder-scratch/")) == []
