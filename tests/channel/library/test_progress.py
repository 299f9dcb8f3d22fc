"""Believable progress, sampled through the API during a real encode on the embedded default.

It rises with time through every stage, never goes back, never reads "processing 0 %" once it moved, and
ends at 100 with the programme ready. (It used to sit at 12 % for most of an encode, then jump to ~70 %,
and read "processing, 0 %" just before the end.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.auth.service import create_user, login
from channel.celery_config import QUEUES
from channel.migrate import upgrade
from channel.models import Role
from channel.settings import Settings
from tests.channel.api_fixtures import PASSWORD
from tests.clips import av_clip
from transcoder.progress import STAGES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
JOB_ENV = {"LEGALTV_JOB_HEARTBEAT_SECONDS": "0.2", "LEGALTV_JOB_STALL_SECONDS": "30"}


@contextmanager
def embedded_worker(settings: Settings, log: Path) -> Iterator[None]:
    env = {
        **os.environ,
        **JOB_ENV,
        "LEGALTV_DATA_DIR": str(settings.data_dir),
        "LEGALTV_ENV": "test",
        "LEGALTV_BROKER_URL": "",
        "LEGALTV_RESULT_BACKEND": "",
        "LEGALTV_DATABASE_URL": "",
        "LEGALTV_STORAGE_BACKEND": "local",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "channel.worker", "worker", "-Q", ",".join(QUEUES),
        "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_progress_rises_with_time_through_every_stage_and_ends_ready(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", env="test", ladder=[360, 240, 180], segment_seconds=2.0, gop_seconds=1.0
    )
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with app.state.sessionmaker() as session:
        create_user(session, username="nsx", password=PASSWORD, role=Role.PRODUCER)
        token = login(
            session, username="nsx", password=PASSWORD, secret_key=settings.secret_key,
            now=datetime.now(UTC), ttl_seconds=3600,
        ).token.plain  # fmt: skip
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    clip = av_clip(tmp_path / "clip.mp4", seconds=30, size="640x360", video_filter="noise=alls=12:allf=t")
    log = tmp_path / "worker.log"
    seen: list[dict[str, Any]] = []

    with embedded_worker(settings, log), TestClient(app) as client:
        pid = client.post("/api/programmes", json={"title": "Luật Hôn nhân"}, headers=headers).json()["id"]
        response = client.post(
            f"/api/programmes/{pid}/source",
            content=clip.read_bytes(),
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 202, response.text
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            body = client.get(f"/api/programmes/{pid}", headers=headers).json()
            seen.append(body)
            if body["status"] in ("ready", "failed"):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"not settled in 240 s; last {seen[-1]}\n{log.read_text()[-3000:]}")

    final = seen[-1]
    assert (final["status"], final["progress"], final["stage"]) == ("ready", 100.0, "ready"), final
    percents = [body["progress"] for body in seen]
    assert percents == sorted(percents), f"progress went back: {percents}"
    moved = next(i for i, p in enumerate(percents) if p > 0)
    assert not [b for b in seen[moved:] if b["status"] == "processing" and b["progress"] == 0]
    order = list(STAGES)
    stages = [order.index(b["stage"]) for b in seen if b["status"] == "processing" and b["stage"] in order]
    assert stages == sorted(stages), "stages follow one another"
    start, end = STAGES["encode"]
    during = sorted({p for p in percents if start < p < end})
    assert len(during) >= 5, f"the encode moves the percent with time: {during}"
    steps = [b - a for a, b in zip([start, *during], [*during, end], strict=True)]
    assert max(steps) < 35, f"no long plateau then a jump: {[start, *during, end]}"
