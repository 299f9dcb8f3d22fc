"""A worker SIGKILLed mid-encode never leaves a programme "processing": real processes end to end.

Two API replicas (`legaltv serve`, each running the watchdog), Celery workers killed with their pool and
ffmpeg, a throwaway Redis, PostgreSQL, real ffmpeg. Stall and heartbeat are seconds here, minutes in
production. A supervisor restarts the worker, as docker's `restart: unless-stopped` does; nobody else acts.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from channel.db import make_engine, make_sessionmaker
from channel.models import AuditEvent, TranscodeJob
from storage import LocalStore
from tests.channel.library.stack import Stack, stack
from tests.clips import av_clip
from tests.waiting import wait_for
from transcoder.describe import Description
from transcoder.package import upload_order

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BOUND_SECONDS = 240  # every wait below is bounded; the stall is 5 s, an attempt's encode about 10 s


def _programme(running: Stack, base: str, tmp_path: Path) -> str:
    created = running.call(base, "POST", "/api/programmes", json={"title": "Luật Đất đai 2024"})
    assert created.status_code == 201, created.text
    pid: str = created.json()["id"]
    clip = av_clip(tmp_path / "clip.mp4", seconds=30, size="640x360", video_filter="noise=alls=12:allf=t")
    uploaded = running.call(
        base, "POST", f"/api/programmes/{pid}/source", content=clip.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    assert uploaded.status_code == 202, uploaded.text
    return pid


class Watcher:
    """Samples a programme through the API, from every replica in turn, keeping every answer."""

    def __init__(self, running: Stack, bases: list[str], pid: str) -> None:
        self.running, self.bases, self.pid = running, bases, pid
        self.seen: list[dict[str, Any]] = []

    def sample(self) -> dict[str, Any]:
        base = self.bases[len(self.seen) % len(self.bases)]
        body: dict[str, Any] = self.running.call(base, "GET", f"/api/programmes/{self.pid}").json()
        self.seen.append(body)
        return body

    def until(self, condition: Any, what: str) -> dict[str, Any]:
        found: dict[str, Any] = wait_for(
            lambda: (body := self.sample()) and condition(body) and body,
            seconds=BOUND_SECONDS,
            what=what,
            log=lambda: f"last: {self.seen[-1] if self.seen else None}\n{self.running.tail()}",
        )
        return found

    def assert_believable(self) -> None:
        """Progress never went back, and never read "processing 0 %" once it had moved."""
        percents = [body["progress"] for body in self.seen]
        assert percents == sorted(percents), f"progress went back: {percents}"
        moved = next(i for i, p in enumerate(percents) if p > 0)
        assert all(
            not (body["status"] == "processing" and body["progress"] == 0) for body in self.seen[moved:]
        )


def _encoding(body: dict[str, Any]) -> bool:
    return bool(body["stage"] == "encode" and body["progress"] > 15)


def _one_output_and_one_event(running: Stack, pid: str, *, failures: int = 0) -> list[TranscodeJob]:
    """One complete output, no leftovers; one audit event per ending (the success, each failure)."""
    prefix = f"programmes/{pid}/r1/"
    store = LocalStore(running.tmp / "store")
    description = Description.from_dict(json.loads(store.read_bytes(prefix + "description.json")))
    keys = sorted(info.key for info in store.iter_keys(prefix))
    assert keys == sorted(prefix + key for key in upload_order(description)), "leftovers or missing keys"
    assert list(store.iter_keys("transcoder-scratch/")) == []
    engine = make_engine(running.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "programme.transcoded")
            ).all()
            assert len(events) == 1 + failures, "one audit event for the one successful transcode"
            return list(
                session.scalars(
                    select(TranscodeJob)
                    .where(TranscodeJob.programme_id == uuid.UUID(pid))
                    .order_by(TranscodeJob.created_at)
                )
            )
    finally:
        engine.dispose()


def test_a_worker_killed_mid_encode_is_replaced_and_the_programme_gets_ready(
    tmp_path: Path, postgres_url: str
) -> None:
    with stack(tmp_path, postgres_url) as running:
        bases = [running.api(), running.api()]
        first = running.worker()
        pid = _programme(running, bases[0], tmp_path)
        watch = Watcher(running, bases, pid)
        watch.until(_encoding, "the encode under way")

        running.kill(first)  # the whole worker: main process, pool child, ffmpeg
        running.worker()  # its supervisor starts it again

        final = watch.until(lambda body: body["status"] in ("ready", "failed"), "the programme settled")
        assert (final["status"], final["progress"], final["stage"]) == ("ready", 100.0, "ready"), final
        assert final["job"]["attempt"] == 2, "the lost attempt was re-queued once"
        watch.assert_believable()
        lost, done = _one_output_and_one_event(running, pid)
        assert (lost.state.value, lost.error) == ("failed", "worker_lost")
        assert done.state.value == "succeeded"


def test_a_job_lost_twice_fails_as_worker_lost_and_a_retry_makes_it_ready(
    tmp_path: Path, postgres_url: str
) -> None:
    with stack(tmp_path, postgres_url) as running:
        base = running.api()
        worker = running.worker()
        pid = _programme(running, base, tmp_path)
        watch = Watcher(running, [base], pid)
        watch.until(_encoding, "the first attempt encoding")
        running.kill(worker)
        worker = running.worker()
        watch.until(
            lambda body: body["job"]["attempt"] == 2 and body["job"]["state"] == "running",
            "the second attempt running",
        )
        running.kill(worker)

        failed = watch.until(lambda body: body["status"] == "failed", "the job failed")
        assert failed["error_code"] == "worker_lost"
        assert failed["error_message"].startswith("Máy chuyển mã bị mất liên lạc")
        assert failed["progress"] > 15, "a failure keeps the progress reached"

        running.worker()
        retried = running.call(base, "POST", f"/api/programmes/{pid}/retry")
        assert retried.status_code == 202, retried.text
        final = watch.until(lambda body: body["status"] in ("ready", "failed"), "the retried job settled")
        assert final["status"] == "ready", final
        jobs = _one_output_and_one_event(running, pid, failures=1)
        assert [(job.attempt, job.state.value, job.error) for job in jobs] == [
            (1, "failed", "worker_lost"),
            (2, "failed", "worker_lost"),
            (1, "succeeded", None),
        ]
