"""Counting on the live hot path: the master hands out a token per request, reloads carrying it get
the very bytes of a plain reload, and the flushed batch lands in the counters (database or Redis)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.audience import AUDIENCE
from channel.migrate import upgrade
from channel.reports.periods import span_of
from channel.settings import Settings
from channel.state import AppState, state_of
from tests.channel.playout.helpers import Air, seed_channel
from tests.pgschema import pg_schema_url
from tests.redisdb import empty_redis_dbs

UA_PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"


def _variants(master: str) -> list[str]:
    return [line for line in master.splitlines() if line and not line.startswith("#")]


def _on_air(settings: Settings) -> tuple[FastAPI, AppState, Air]:
    """The app on `settings` (migrated) with a seeded channel on air."""
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    state = state_of(app)
    return app, state, seed_channel(state.sessionmaker, settings, store=state.store)


def _count(settings: Settings) -> None:
    app, state, air = _on_air(settings)
    recorder = state.part(AUDIENCE)
    with TestClient(app) as client:
        one = client.get(f"/live/{air.slug}/master.m3u8")
        two = client.get(f"/live/{air.slug}/master.m3u8")
        assert one.headers["cache-control"] == "private, no-store"
        first, second = _variants(one.text)[0], _variants(two.text)[0]
        assert first.startswith("720p.m3u8?s=") or "?s=" in first
        assert first != second  # a session per master request
        assert len(one.content) == int(one.headers["content-length"])
        plain = client.get(f"/live/{air.slug}/{first.split('?')[0]}")
        counted = client.get(f"/live/{air.slug}/{first}", headers={"User-Agent": UA_PHONE})
        client.get(f"/live/{air.slug}/{first}", headers={"User-Agent": UA_PHONE})  # same slot
        client.get(f"/live/{air.slug}/{second}", headers={"Referer": f"{settings.base_url}/embed/{air.slug}"})
        assert counted.content == plain.content  # the token never changes the playlist
        assert len(recorder.pending) == 3
        assert asyncio.run(recorder.flush()) == 2
    span = span_of("day", air.published_at.astimezone(recorder.zone).date(), recorder.zone)
    counters = recorder.counters
    assert counters.uniques(air.slug, span.days) == 2
    rows = counters.watch(air.slug, span.days)
    assert {(r.device, r.referrer) for r in rows} == {("mobile", "other"), ("other", "portal")}
    assert sum(r.watch_ms for r in rows) == 2 * 6000  # one slot of a 6 s target duration each
    minutes = counters.minutes(air.slug, start_us=span.start_us, end_us=span.end_us, days=span.days)
    assert sum(m.viewers for m in minutes) >= 2
    assert counters.airing_viewers(air.slug, [rows[0].airing.key]) == {rows[0].airing.key: 2}
    state.engine.dispose()


def test_counting_into_the_database(tmp_path: Path) -> None:
    _count(Settings(data_dir=tmp_path / "var", env="test"))


def test_counting_into_postgresql(tmp_path: Path, postgres_url: str) -> None:
    with pg_schema_url(postgres_url) as url:
        _count(Settings(data_dir=tmp_path / "var", env="test", database_url=url))


def test_counting_into_redis(tmp_path: Path, redis_url: str) -> None:
    with empty_redis_dbs(redis_url) as (url,):
        _count(Settings(data_dir=tmp_path / "var", env="test", audience_redis_url=url))


def test_without_counting_the_master_stays_constant_and_cacheable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test", audience_counting=False)
    app, state, air = _on_air(settings)
    with TestClient(app) as client:
        one = client.get(f"/live/{air.slug}/master.m3u8")
        assert one.headers["cache-control"] == "public, max-age=60"
        assert "?s=" not in one.text
        assert client.get(f"/live/{air.slug}/master.m3u8").content == one.content
    state.engine.dispose()


@pytest.mark.parametrize("query", ["s=short", "s=" + "a" * 22 + "&x=1", "x=" + "a" * 22])
def test_other_queries_go_to_the_routes(tmp_path: Path, query: str) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test")
    app, state, air = _on_air(settings)
    with TestClient(app) as client:
        answer = client.get(f"/live/{air.slug}/720p.m3u8?{query}")
        assert answer.status_code == 200  # the route ignores what it does not know
        assert state.part(AUDIENCE).pending == []
    state.engine.dispose()
