"""Delivery (issue 13): media URIs under a public base URL, and live playlists that caches drop in time."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channel.app import create_app
from channel.migrate import upgrade
from channel.models import Programme, Review
from channel.playout.cache import PLAYOUT
from channel.settings import Settings
from channel.state import state_of
from playlist import live_edge
from tests.channel.playout.helpers import parse_strict, seed_channel

BASE = "https://media.phapluat.gov.vn/legaltv"


def _client(tmp_path: Path, **settings: object) -> tuple[TestClient, Settings]:
    config = Settings(data_dir=tmp_path / "var", env="test", **settings)  # type: ignore[arg-type]
    upgrade(config.resolved_database_url)
    return TestClient(create_app(config)), config


def _uris(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _advertise(factory: sessionmaker[Session], programme_id: uuid.UUID) -> None:
    """What a real description holds besides the seeded one: each rendition's size, rate and playlist
    (in the programme's media and in the approval's copy of it, which the programme's master is made from)."""
    with factory() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        assert programme.media is not None
        media = dict(programme.media)
        media["renditions"] = [
            {
                **r,
                "width": 1280,
                "height": 720,
                "bandwidth": 3_000_000,
                "average_bandwidth": 2_500_000,
                "codecs": "avc1.64001f,mp4a.40.2",
                "playlist": f"{r['name']}/index.m3u8",
            }
            for r in media["renditions"]
        ]
        programme.media = media
        for review in session.scalars(select(Review).where(Review.subject_id == programme_id)):
            review.media = media
        session.commit()


def test_every_media_uri_of_every_playlist_is_under_the_public_base(tmp_path: Path) -> None:
    client, settings = _client(tmp_path, media_base_url=BASE + "/")
    app = client.app
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    start = (air.published_at - timedelta(minutes=2)).isoformat()
    with client:
        playlists = {
            "live (lean handler)": client.get(f"/live/{air.slug}/720p.m3u8"),
            "start-over (route)": client.get(f"/live/{air.slug}/720p.m3u8", params={"start": start}),
            "interval (route)": client.get(f"/vod/{air.slug}/720p.m3u8", params={"from": start}),
        }
        for name, response in playlists.items():
            assert response.status_code == 200, name
            uris = _uris(response.text)
            assert uris, name
            assert all(
                uri.startswith(f"{BASE}/programmes/") or uri.startswith(f"{BASE}/slates/") for uri in uris
            ), (
                name,
                uris,
            )
            parse_strict(response.text)
        _advertise(state_of(app).sessionmaker, air.programmes[0])
        master = client.get(f"/api/programmes/{air.programmes[0]}/master.m3u8")
        assert master.status_code == 200
        renditions = _uris(master.text)
        assert renditions
        assert all(uri.startswith(f"{BASE}/programmes/{air.programmes[0]}/r1/") for uri in renditions)
        # the API's own /media route stays as the fallback (posters in JSON, players with old URLs)
        state_of(app).store.put_bytes("programmes/p/r1/720p/seg_00000.ts", b"x" * 10)
        assert client.get("/media/programmes/p/r1/720p/seg_00000.ts").content == b"x" * 10


def test_without_a_base_media_uris_are_paths_of_this_host(tmp_path: Path) -> None:
    client, settings = _client(tmp_path)
    air = seed_channel(state_of(client.app).sessionmaker, settings, store=state_of(client.app).store)
    with client:
        uris = _uris(client.get(f"/live/{air.slug}/720p.m3u8").text)
    assert uris
    assert all(uri.startswith("/media/") for uri in uris)


def test_live_playlists_expire_a_second_before_the_next_segment_completes(tmp_path: Path) -> None:
    """`Expires` is absolute: a copy handed on by a cache without `Age` (nginx) still drops in time."""
    client, settings = _client(tmp_path)
    app = client.app
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    with client:
        for params in ({}, {"start": (air.published_at - timedelta(minutes=1)).isoformat()}):
            before = datetime.now(UTC)
            response = client.get(f"/live/{air.slug}/360p.m3u8", params=params)
            after = datetime.now(UTC)
            assert response.status_code == 200
            live = state_of(app).part(PLAYOUT).peek(air.slug)
            assert live is not None
            timeline = live.timeline
            boundaries = {live_edge(timeline, before)[1], live_edge(timeline, after)[1]}
            expires = parsedate_to_datetime(response.headers["expires"])
            assert expires.timestamp() in {math.floor(b.timestamp()) - 1 for b in boundaries}, params
            max_age = int(response.headers["cache-control"].rpartition("=")[2])
            assert before + timedelta(seconds=max_age) <= max(boundaries), params
        master = client.get(f"/live/{air.slug}/master.m3u8")
        assert "expires" not in master.headers  # constant: its max-age alone says how long


@pytest.mark.parametrize(
    "value", ["ftp://media.example.vn", "media.example.vn/legaltv", "https://x.vn/a?token=1", "https://"]
)
def test_a_media_base_that_is_not_a_url_or_path_stops_start_up(value: str) -> None:
    with pytest.raises(ValidationError, match="media_base_url"):
        Settings(env="test", media_base_url=value)


def test_a_media_base_may_be_a_path_of_this_host() -> None:
    assert Settings(env="test", media_base_url="/edge-media/").media_base_url == "/edge-media"
