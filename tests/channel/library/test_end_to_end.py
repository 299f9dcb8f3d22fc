"""The whole producer flow with a real Celery worker and real ffmpeg on the embedded broker.

Upload a tiny clip with tus, watch the progress, see it ready; a corrupt file fails with the transcoder's
code and a message without any path, and retry queues it again.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tusclient import client as tus_client

from channel.models import Role
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser
from tests.channel.library.conftest import serving
from tests.clips import av_clip
from tests.processes import embedded_env, running_worker

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def _wait(
    client: TestClient, url: str, headers: dict[str, str], *, until: set[str], log: Path
) -> list[dict[str, Any]]:
    """Poll the programme until its status is one of `until`; every answer seen, in order."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body = client.get(url, headers=headers).json()
        seen.append(body)
        if body["status"] in until:
            return seen
        time.sleep(0.2)
    pytest.fail(f"still {seen[-1]['status']} after 180 s; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.settings(ladder=[180, 144], segment_seconds=2.0, gop_seconds=1.0)
def test_upload_transcode_ready_then_a_corrupt_file_fails_and_retries(
    api_app: FastAPI, make_api_user: Callable[[Role, str], ApiUser], tmp_path: Path
) -> None:
    app, data_dir = api_app, state_of(api_app).settings.data_dir
    headers = make_api_user(Role.PRODUCER, "nsx").headers
    log = tmp_path / "worker.log"
    clip = av_clip(tmp_path / "clip.mp4", seconds=3, size="160x90").read_bytes()

    with running_worker(embedded_env(data_dir), log), serving(app) as base, TestClient(app) as client:
        uploader = tus_client.TusClient(f"{base}/api/uploads/", headers=headers).uploader(
            file_stream=io.BytesIO(clip),
            chunk_size=16 * 1024,
            metadata={"title": "Luật Đất đai", "filename": "clip.mp4"},
        )
        uploader.upload()
        assert uploader.request is not None
        pid = uploader.request.response_headers["x-programme-id"]

        seen = _wait(client, f"/api/programmes/{pid}", headers, until={"ready", "failed"}, log=log)
        final = seen[-1]
        assert final["status"] == "ready", final
        assert final["progress"] == 100.0
        assert 2.5 < final["duration"] < 3.5
        # staff watch it by the SHA-256 of its source; viewers see nothing until an editor approves it
        assert re.fullmatch(
            rf"/api/programmes/{pid}/preview/[0-9a-f]{{64}}/master\.m3u8", final["preview_url"]
        )
        assert client.get(final["preview_url"]).status_code == 200
        assert state_of(app).store.exists(f"programmes/{pid}/r1/master.m3u8")
        assert final["poster_url"]
        progress = [body["progress"] for body in seen]
        running = [(body["status"], body["stage"]) for body in seen if 0 < body["progress"] < 100]
        assert ("processing", "encode") in running  # progress from the job row, each stage as it starts
        assert progress == sorted(progress)  # never goes back
        public = client.get(f"/api/public/programmes/{pid}")
        assert public.status_code == 404
        assert public.json()["error"]["code"] == "programme_not_found"

        bad = client.post("/api/programmes", headers=headers, json={"title": "Tệp hỏng"}).json()
        sent = client.post(
            f"/api/programmes/{bad['id']}/source", headers=headers, content=os.urandom(64 * 1024)
        )
        assert sent.status_code == 202
        failed = _wait(client, f"/api/programmes/{bad['id']}", headers, until={"ready", "failed"}, log=log)[
            -1
        ]
        assert failed["status"] == "failed"
        assert failed["error_code"] not in (None, "transcode_failed")  # the transcoder's own code
        assert "/" not in failed["error_message"].replace(" / ", "")  # bilingual, and no path
        assert str(tmp_path) not in failed["error_message"]

        retried = client.post(f"/api/programmes/{bad['id']}/retry", headers=headers)
        assert retried.status_code == 202
        assert retried.json()["status"] == "queued"
        again = _wait(client, f"/api/programmes/{bad['id']}", headers, until={"ready", "failed"}, log=log)[-1]
        assert again["error_code"] == failed["error_code"]
        assert again["job"]["created_at"] != failed["job"]["created_at"]
