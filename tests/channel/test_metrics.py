"""`GET /metrics`: per-app registry, requests by route template, jobs by state, queue depth."""

from __future__ import annotations

import uuid

import pytest
import redis
from fastapi import APIRouter
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from channel.app import create_app
from channel.db import make_engine, make_sessionmaker, session_scope
from channel.models import Programme, TranscodeJob, TranscodeState
from channel.ops.metrics import filesystem_queue_depths, redis_queue_depths
from channel.settings import Settings

LOOPBACK = ("127.0.0.1", 50000)  # /metrics answers the allow-listed loopback only


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_template(embedded_settings: Settings) -> None:
    app = create_app(embedded_settings)
    router = APIRouter()

    @router.get("/programmes/{programme_id}")
    def show(programme_id: str) -> dict[str, str]:
        return {"id": programme_id}

    app.include_router(router)
    with TestClient(app, client=LOOPBACK) as client:
        for n in range(3):
            client.get(f"/programmes/p{n}")
        client.get("/healthz")
        client.get("/does/not/exist")
        response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    key = (
        "legaltv_http_requests_total",
        (("method", "GET"), ("route", "/programmes/{programme_id}"), ("status", "200")),
    )
    assert samples[key] == 3
    assert (
        samples[
            ("legaltv_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))
        ]
        == 1
    )
    unmatched = (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))
    assert samples[("legaltv_http_requests_total", unmatched)] == 1
    assert not any("p1" in str(labels) for _, labels in samples)
    histogram = (
        "legaltv_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/programmes/{programme_id}")),
    )
    assert samples[histogram] == 3


def test_each_app_has_its_own_registry(embedded_settings: Settings) -> None:
    first, second = create_app(embedded_settings), create_app(embedded_settings)
    with TestClient(first, client=LOOPBACK) as client:
        client.get("/healthz")
    with TestClient(second, client=LOOPBACK) as client:
        text = client.get("/metrics").text
    assert 'route="/healthz"' not in text


def test_transcode_jobs_by_state_are_read_at_scrape_time(embedded_settings: Settings) -> None:
    engine = make_engine(embedded_settings.resolved_database_url)
    app = create_app(embedded_settings, engine=engine)
    with TestClient(app, client=LOOPBACK) as client:
        before = _samples(client.get("/metrics").text)
        with session_scope(make_sessionmaker(engine)) as session:
            programme = Programme(title="Luật Đất đai 2024")
            session.add(programme)
            session.flush()
            states = [TranscodeState.RUNNING, TranscodeState.RUNNING, TranscodeState.FAILED]
            session.add_all(TranscodeJob(programme_id=programme.id, state=state) for state in states)
        after = _samples(client.get("/metrics").text)

    assert before[("legaltv_transcode_jobs", (("state", "running"),))] == 0
    assert after[("legaltv_transcode_jobs", (("state", "running"),))] == 2
    assert after[("legaltv_transcode_jobs", (("state", "failed"),))] == 1
    assert after[("legaltv_transcode_jobs", (("state", "queued"),))] == 0


def test_filesystem_queue_depth(embedded_settings: Settings) -> None:
    folder = embedded_settings.broker_folder / "queue"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        (folder / f"{1000 + n}_{uuid.uuid4()}.transcode.msg").write_bytes(b"{}")
    (folder / f"2000_{uuid.uuid4()}.quick.msg").write_bytes(b"{}")
    (folder / ".health-x.tmp").write_bytes(b"")

    assert filesystem_queue_depths(embedded_settings.broker_folder) == {"transcode": 3, "quick": 1}
    with TestClient(create_app(embedded_settings), client=LOOPBACK) as client:
        samples = _samples(client.get("/metrics").text)
    assert samples[("legaltv_queue_depth", (("queue", "transcode"),))] == 3
    assert samples[("legaltv_queue_depth", (("queue", "quick"),))] == 1


@pytest.mark.redis
def test_redis_queue_depth(redis_db: str) -> None:
    client = redis.Redis.from_url(redis_db)
    try:
        client.rpush("transcode", b"a", b"b")
        client.rpush("transcode\x06\x169", b"c")
        client.rpush("quick", b"d")
        assert redis_queue_depths(redis_db) == {"transcode": 3, "quick": 1}
    finally:
        client.close()


def test_unknown_broker_has_no_queue_depth(embedded_settings: Settings) -> None:
    settings = embedded_settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:1//"})
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        text = client.get("/metrics").text
    assert "legaltv_queue_depth" not in text
