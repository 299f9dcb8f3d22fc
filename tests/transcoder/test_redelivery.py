"""A worker killed mid-encode: the job is re-delivered and completes once, with one clean output.

A real prefork Celery worker on Redis (broker db 3, results db 4); its pool child is SIGKILLed while
ffmpeg encodes, which must take ffmpeg with it (PR_SET_PDEATHSIG) and put the message back
(acks_late + task_reject_on_worker_lost) for the respawned child to run again.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from channel.migrate import upgrade
from channel.settings import Settings
from channel.worker import create_celery
from storage import LocalStore
from tests.clips import av_clip
from tests.processes import embedded_env, running_worker
from tests.waiting import wait_for
from transcoder.describe import Description
from transcoder.house import HouseFormat
from transcoder.package import upload_order

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "programmes/p1/r1/"
# several rungs at preset "medium" keep ffmpeg busy long enough to be killed mid-encode
PROFILE = HouseFormat.with_heights(
    (180, 144, 108), preset="medium", segment_seconds=2.0, gop_seconds=1.0
).to_payload()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _encoders(worker: int) -> list[int]:
    """ffmpeg processes encoding HLS under the worker's pool child (not probing or measuring)."""
    return [
        pid
        for child in _children(worker)
        for pid in _children(child)
        if _command(pid).startswith("ffmpeg") and " hls " in _command(pid)
    ]


def _wait_for_encode(result: Any, worker: int, log: Path) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        encoders = _encoders(worker)
        if encoders:
            return encoders
        if result.ready():
            pytest.fail(
                f"finished before it could be killed ({result.state}); log:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.05)
    pytest.fail(f"never reached the encode ({result.state}); log:\n{log.read_text()[-3000:]}")


def test_killed_worker_job_is_redelivered_and_completes_once(
    tmp_path: Path, redis_db_pair: tuple[str, str]
) -> None:
    broker, backend = redis_db_pair
    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, env="test", broker_url=broker, result_backend=backend)
    upgrade(settings.resolved_database_url)  # the worker beats on the jobs table (this task has no row)
    store = LocalStore(settings.resolved_storage_path)
    store.put_file("uploads/talk.mp4", av_clip(tmp_path / "talk.mp4", seconds=8))
    env = embedded_env(data_dir, broker_url=broker, result_backend=backend)
    app = create_celery(settings)
    log = tmp_path / "worker.log"
    try:
        with running_worker(env, log, pool="prefork") as worker:
            result = app.send_task("transcoder.transcode", args=("uploads/talk.mp4", PREFIX, PROFILE))
            encoders = _wait_for_encode(result, worker.pid, log)
            (child,) = _children(worker.pid)
            os.kill(child, signal.SIGKILL)
            wait_for(
                lambda: not any(_alive(pid) for pid in encoders),
                seconds=10,
                what="ffmpeg outlived its killed worker",
            )
            try:
                outcome = result.get(timeout=45)
            except Exception as exc:
                pytest.fail(f"no result after the kill ({exc!r}); log:\n{log.read_text()[-4000:]}")
            assert child not in _children(worker.pid), "a fresh pool child ran the re-delivered job"
    finally:
        app.close()

    assert outcome["ok"] is True, outcome
    stored = json.loads(store.read_bytes(PREFIX + "description.json"))
    assert stored == outcome["description"]
    description = Description.from_dict(stored)
    listed = [PREFIX + key for key in upload_order(description)]
    keys = [info.key for info in store.iter_keys(PREFIX)]
    assert sorted(keys) == sorted(listed), "leftovers or missing keys under the programme"
    assert len(set(listed)) == len(listed)
    assert store.exists(PREFIX + "master.m3u8")
    assert description.segment_durations == pytest.approx([2.0] * 4, abs=0.01)
    for rendition in description.renditions:
        assert len(rendition.segments) == 4
        playlist = store.read_bytes(PREFIX + rendition.playlist).decode()
        assert playlist.count("#EXTINF:") == 4
    assert list(store.iter_keys("transcoder-scratch/")) == []
    text = log.read_text()
    assert "WorkerLostError" in text, "the first attempt was lost with its worker"
    assert text.count(f"Task transcoder.transcode[{result.id}] succeeded") == 1, "completed exactly once"
