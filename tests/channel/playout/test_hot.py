"""The lean live-playlist handler: rendered once per segment, CORS for a configured origin list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.migrate import upgrade
from channel.playout.cache import PLAYOUT
from channel.playout.hot import LivePlaylistMiddleware
from channel.settings import Settings
from channel.state import state_of
from playlist import live_edge, to_us
from tests.channel.playout.helpers import seed_channel

PORTAL = "https://phapluat.gov.vn"


def _lean(app: object) -> LivePlaylistMiddleware:
    front = app.front  # type: ignore[attr-defined]  # the lean handlers in front of the app's stack
    assert isinstance(front, LivePlaylistMiddleware)
    return front


def test_reloads_within_a_segment_reuse_the_rendered_bytes_and_cors_follows_the_origin_list(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test", cors_origins=[PORTAL])
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    with TestClient(app) as client:
        url = f"/live/{air.slug}/720p.m3u8"
        lean = _lean(app)
        # the three answers from one rendering: the channel has just gone to its slate, whose segments
        # are 1 s long, so a segment may complete between two requests; then they are asked for again
        for _ in range(5):
            allowed = client.get(url, headers={"Origin": PORTAL})
            first = lean.rendered[(air.slug, "720p.m3u8")]
            other = client.get(url, headers={"Origin": "https://elsewhere.example"})
            head = client.head(url)
            if lean.rendered[(air.slug, "720p.m3u8")] is first:  # no segment completed in between
                break
        else:
            pytest.fail("a segment completed between the requests of each of 5 tries")
        assert allowed.status_code == other.status_code == head.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == PORTAL
        assert allowed.headers["vary"] == "Origin"
        assert "access-control-allow-origin" not in other.headers
        assert other.headers["vary"] == head.headers["vary"] == "Origin"  # caches key on Origin every time
        assert head.content == b""
        assert int(head.headers["content-length"]) == len(allowed.content)
        assert other.content == allowed.content  # the same bytes, whatever the origin
        preflight = client.options(url, headers={"Origin": PORTAL, "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == PORTAL
    state_of(app).engine.dispose()


def test_any_origin_needs_no_vary(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test", cors_origins=["*"])
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    with TestClient(app) as client:
        for headers in ({"Origin": PORTAL}, {}):
            response = client.get(f"/live/{air.slug}/720p.m3u8", headers=headers)
            assert response.status_code == 200
            assert response.headers["access-control-allow-origin"] == "*"
            assert "vary" not in response.headers
        assert (air.slug, "720p.m3u8") in _lean(app).rendered  # answered by the lean handler
    state_of(app).engine.dispose()


def test_the_rendered_bytes_change_exactly_when_a_segment_completes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test")
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    with TestClient(app) as client:
        before = datetime.now(UTC)
        body = client.get(f"/live/{air.slug}/720p.m3u8").text
        done = _lean(app).rendered[(air.slug, "720p.m3u8")]
        live = state_of(app).part(PLAYOUT).peek(air.slug)
        assert live is not None
        timeline = live.timeline
        newest, next_change = live_edge(timeline, before)
        if done.valid_until_us == to_us(next_change):  # no segment completed during the request
            assert f"#EXT-X-MEDIA-SEQUENCE:{newest - body.count('#EXTINF') + 1}\n" in body
        assert done.valid_until_us in {to_us(next_change), to_us(live_edge(timeline, next_change)[1])}
        assert done.cache_header(done.valid_until_us - 1) == (b"cache-control", b"public, max-age=0")
        assert done.cache_header(done.valid_until_us - 2_500_000) == (b"cache-control", b"public, max-age=2")
    state_of(app).engine.dispose()


def test_the_headers_built_for_a_playlist_stay_a_handful(tmp_path: Path) -> None:
    # the constant master (no audience counting: with it, each master is a session's own, no-store)
    settings = Settings(data_dir=tmp_path / "var", env="test", cors_origins=[PORTAL], audience_counting=False)
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    with TestClient(app) as client:
        for _ in range(3):
            for origin in (PORTAL, "https://elsewhere.example"):
                client.get(f"/live/{air.slug}/master.m3u8", headers={"Origin": origin})
        master = _lean(app).rendered[(air.slug, "master.m3u8")]
        assert master.cache_header(0) == (b"cache-control", b"public, max-age=60")
        assert set(master.answers) == {(-1, PORTAL.encode()), (-1, None)}  # not one per second
    state_of(app).engine.dispose()
