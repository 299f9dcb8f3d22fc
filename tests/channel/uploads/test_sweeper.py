"""Abandoned uploads disappear on their own: the API sweeps at start-up and then periodically."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.settings import Settings
from channel.uploads import UploadExpired, UploadStore, sweep_forever


def _abandoned(root: Path) -> str:
    """An upload begun two days ago and never finished (expired a day ago)."""
    past = UploadStore(root, clock=lambda: datetime.now(UTC) - timedelta(days=2))
    return past.create(owner_id="u", length=10, metadata={}).id


def _wait_gone(store: UploadStore, upload_id: str, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while store.data_path(upload_id).exists():
        assert time.monotonic() < deadline, f"upload {upload_id} was not swept"
        time.sleep(0.05)
    with pytest.raises(UploadExpired):
        store.get(upload_id)


def test_the_api_sweeps_expired_uploads_at_start_up_and_periodically(embedded_settings: Settings) -> None:
    app = create_app(embedded_settings, upload_sweep_seconds=0.1)
    store: UploadStore = app.state.uploads
    at_start = _abandoned(store.root)
    alive = store.create(owner_id="u", length=10, metadata={}).id

    with TestClient(app):
        _wait_gone(store, at_start)
        later = _abandoned(store.root)  # abandoned while the API runs
        _wait_gone(store, later)
        assert store.get(alive).offset == 0


def test_a_failing_sweep_is_logged_and_the_next_one_still_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[datetime] = []

    class Broken(UploadStore):
        def sweep_expired(self, now: datetime) -> list[str]:
            calls.append(now)
            raise OSError("disk on fire")

    async def run() -> None:
        task = asyncio.create_task(sweep_forever(Broken(tmp_path), interval_s=0.01))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(asyncio.wait_for(run(), timeout=10))
    assert len(calls) >= 3
    assert "upload sweep failed" in caplog.text
