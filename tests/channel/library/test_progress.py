"""Believable progress, sampled through the API during a real encode on the embedded default.

It rises with time through every stage, never goes back, never reads "processing 0 %" once it moved, and
ends at 100 with the programme ready. (It used to sit at 12 % for most of an encode, then jump to ~70 %,
and read "processing, 0 %" just before the end.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.models import Role
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser
from tests.clips import av_clip
from tests.processes import embedded_env, running_worker
from transcoder.progress import STAGES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
#: beats often, so the progress is sampled many times during a short encode
JOB_SETTINGS = {"job_heartbeat_seconds": "0.2", "job_stall_seconds": "30"}


@pytest.mark.settings(ladder=[360, 240, 180], segment_seconds=2.0, gop_seconds=1.0)
def test_progress_rises_with_time_through_every_stage_and_ends_ready(
    api_app: FastAPI, make_api_user: Callable[[Role, str], ApiUser], tmp_path: Path
) -> None:
    app, settings = api_app, state_of(api_app).settings
    headers = make_api_user(Role.PRODUCER, "nsx").headers
    clip = av_clip(tmp_path / "clip.mp4", seconds=30, size="640x360", video_filter="noise=alls=12:allf=t")
    log = tmp_path / "worker.log"
    seen: list[dict[str, Any]] = []

    with running_worker(embedded_env(settings.data_dir, **JOB_SETTINGS), log), TestClient(app) as client:
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
