"""`GET /healthz` reports database, broker and storage, and degrades without leaking secrets."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.ops.health import broker_check, redact, run_checks
from channel.settings import Settings


def test_all_checks_ok_on_the_embedded_default(embedded_settings: Settings) -> None:
    with TestClient(create_app(embedded_settings)) as client:
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert check["latency_ms"] >= 0


@pytest.mark.redis
def test_redis_broker_ok(embedded_settings: Settings, redis_url: str) -> None:
    settings = embedded_settings.model_copy(update={"broker_url": redis_url})
    with TestClient(create_app(settings)) as client:
        body = client.get("/healthz").json()
    assert body["checks"]["broker"]["status"] == "ok", body


def test_unreachable_broker_degrades_and_redacts_credentials(embedded_settings: Settings) -> None:
    settings = embedded_settings.model_copy(update={"broker_url": "redis://admin:hunter2@127.0.0.1:1/0"})
    with TestClient(create_app(settings)) as client:
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["status"] == "ok"
    assert "hunter2" not in response.text
    assert elapsed < 10


def test_unwritable_filesystem_broker_is_down(tmp_path: Path) -> None:
    blocker = tmp_path / "broker"
    blocker.write_text("a file where the broker folder should be")
    report = run_checks({"broker": broker_check(broker_url="filesystem://", broker_folder=blocker)})
    assert report["status"] == "degraded"
    assert report["checks"]["broker"]["status"] == "down"


def test_missing_storage_folder_degrades(embedded_settings: Settings) -> None:
    with TestClient(create_app(embedded_settings)) as client:
        shutil.rmtree(embedded_settings.resolved_storage_path)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "down"
    assert str(embedded_settings.resolved_storage_path) not in response.text  # no internal path


def test_unreachable_database_degrades_without_password(embedded_settings: Settings) -> None:
    settings = embedded_settings.model_copy(
        update={"database_url": "postgresql+psycopg://u:pw-secret@127.0.0.1:1/x"}
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down"
    assert "pw-secret" not in response.text
    assert "127.0.0.1" not in response.text  # hosts stay in the server log


def test_slow_check_times_out() -> None:
    report = run_checks({"slow": lambda: time.sleep(2), "fast": lambda: None}, timeout=0.2)
    assert report["checks"]["slow"] == {"status": "down", "error": "timed out after 0.2 s"}
    assert report["checks"]["fast"]["status"] == "ok"
    assert report["status"] == "degraded"


def test_redact() -> None:
    assert (
        redact("cannot connect to redis://:p4ss@h:6379/0 now")
        == "cannot connect to redis://:***@h:6379/0 now"
    )
    assert redact("amqp://guest:guest@rabbit//") == "amqp://guest:***@rabbit//"
    assert redact("no url here") == "no url here"
