"""The whole producer flow with a real Celery worker and real ffmpeg on the embedded broker.

Upload a tiny clip with tus, watch the progress, see it ready; a corrupt file fails with the transcoder's
code and a message without any path, and retry queues it again.
"""

from __future__ import annotations

import io
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
from tusclient import client as tus_client

from channel.app import create_app
from channel.auth.service import create_user, login
from channel.celery_config import QUEUES
from channel.migrate import upgrade
from channel.models import Role
from channel.settings import Settings
from tests.channel.api_fixtures import PASSWORD
from tests.channel.library.conftest import serving
from tests.clips import av_clip

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


@contextmanager
def worker(data_dir: Path, log: Path) -> Iterator[None]:
    """`celery -A channel.worker worker --pool=solo` on the embedded broker of `data_dir`."""
    env = {
        **os.environ,
        "LEGALTV_DATA_DIR": str(data_dir),
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


def test_upload_transcode_ready_then_a_corrupt_file_fails_and_retries(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(
        data_dir=data_dir, env="test", ladder=[180, 144], segment_seconds=2.0, gop_seconds=1.0
    )
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with app.state.sessionmaker() as session:
        create_user(
            session, username="nsx", password=PASSWORD, role=Role.PRODUCER, display_name="Nhà sản xuất"
        )
        token = login(
            session, username="nsx", password=PASSWORD, secret_key=settings.secret_key,
            now=datetime.now(UTC), ttl_seconds=3600,
        ).token.plain  # fmt: skip
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    log = tmp_path / "worker.log"
    clip = av_clip(tmp_path / "clip.mp4", seconds=3, size="160x90").read_bytes()

    with worker(data_dir, log), serving(app) as base, TestClient(app) as client:
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
        assert final["preview_url"] == f"/api/programmes/{pid}/master.m3u8"
        assert app.state.store.exists(f"programmes/{pid}/r1/master.m3u8")
        assert final["poster_url"]
        progress = [body["progress"] for body in seen]
        running = [(body["status"], body["stage"]) for body in seen if 0 < body["progress"] < 100]
        assert ("processing", "encode") in running  # progress from the job row, each stage as it starts
        assert progress == sorted(progress)  # never goes back
        public = client.get(f"/api/public/programmes/{pid}").json()
        assert public["playlist_url"] == final["preview_url"]

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
