"""The chain head goes to the log periodically from every API replica, as `SEQ:HASH`."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from channel import audit
from channel.app import create_app
from channel.migrate import upgrade
from channel.settings import Settings
from channel.state import state_of


def _heads(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "legaltv.audit" and r.getMessage().startswith("audit chain head")
    ]


def test_each_replica_logs_the_head_periodically(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test", audit_anchor_seconds=0.2)
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with state_of(app).sessionmaker() as session:
        audit.record(session, actor_id=None, action="channel.create", entity_type="channel", entity_id="kenh")
        session.commit()
        expected = session.scalar(text("SELECT hash FROM audit_events"))
    caplog.set_level(logging.INFO, logger="legaltv.audit")
    with TestClient(app):
        deadline = time.monotonic() + 20
        while len(_heads(caplog)) < 2:  # one interval after start, and again
            assert time.monotonic() < deadline, "the API did not log the audit chain head"
            time.sleep(0.05)
    first = _heads(caplog)[0]
    assert first.getMessage() == f"audit chain head 1:{expected}"
    fields = (
        getattr(first, "audit_seq", None),
        getattr(first, "audit_hash", None),
        getattr(first, "source", None),
    )
    assert fields == (1, expected, "periodic")
