"""Abandoned uploads disappear on their own: every API replica sweeps at start-up and then periodically."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import anyio
import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.models import Role, User
from channel.settings import Settings
from channel.state import state_of
from channel.uploads import (
    UPLOADS,
    Quotas,
    Requester,
    SweepReport,
    UploadLimits,
    UploadService,
    sweep_forever,
    sweeper,
)
from channel.uploads.parts import TAIL_PREFIX
from channel.uploads.protocol import Creation
from tests.channel.uploads.conftest import ROOMY, Recorder


def _abandoned(app_service: UploadService, owner: str, spool: Path) -> str:
    """An upload begun two days ago with a few bytes, never finished (expired a day ago)."""
    past = UploadService(
        records=app_service.records,
        store=app_service.store,
        completion=Recorder(app_service.store),
        limits=UploadLimits(max_size=1000),
        spool_dir=spool,
        clock=lambda: datetime.now(UTC) - timedelta(days=2),
    )
    requester = Requester(id=owner, quotas=ROOMY)

    async def begin() -> str:
        info = await past.create(requester, Creation(length=10, metadata={}))
        chunk = b"12345"

        async def body() -> AsyncIterator[bytes]:
            yield chunk

        await past.append(info.id, requester, offset=0, length=None, body=body(), declared=5)
        return info.id

    return anyio.run(begin)


def _wait_swept(service: UploadService, upload_id: str, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not service.records.get(upload_id).gone:
        assert time.monotonic() < deadline, f"upload {upload_id} was not swept"
        time.sleep(0.05)
    assert not [info.key for info in service.store.iter_keys(f"{TAIL_PREFIX}{upload_id}/")]


def test_the_api_sweeps_expired_uploads_at_start_up_and_periodically(
    embedded_settings: Settings, tmp_path: Path
) -> None:
    app = create_app(embedded_settings, upload_sweep_seconds=0.1)
    service: UploadService = state_of(app).part(UPLOADS)
    with state_of(app).sessionmaker() as session:
        user = User(username="producer", password_hash="-", roles=[Role.PRODUCER])
        session.add(user)
        session.commit()
        owner = str(user.id)
    at_start = _abandoned(service, owner, tmp_path / "spool")
    requester = Requester(id=owner, quotas=Quotas(10, 1 << 30, 10))
    alive = anyio.run(lambda: service.create(requester, Creation(length=10, metadata={}))).id

    with TestClient(app):
        _wait_swept(service, at_start)
        later = _abandoned(service, owner, tmp_path / "spool")  # abandoned while the API runs
        _wait_swept(service, later)
        assert not service.records.get(alive).gone


def test_a_failing_sweep_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken(_service: UploadService) -> SweepReport:
        calls.append(1)
        raise OSError("disk on fire")

    monkeypatch.setattr(sweeper, "sweep", broken)

    async def run() -> None:
        task = asyncio.create_task(sweep_forever(cast(UploadService, None), interval_s=0.01))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(asyncio.wait_for(run(), timeout=10))
    assert len(calls) >= 3
    assert "upload sweep failed" in caplog.text
