"""Media from S3 (a real S3-protocol server): presigned redirects for segments, proxied playlists."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import httpx
import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.migrate import upgrade
from channel.settings import Settings
from storage import S3Store
from tests.s3server import S3Server, s3_server
from tests.storage.conftest import make_s3_store

__all__ = ["s3_server"]

SEGMENT = bytes(range(256)) * 40
PLAYLIST = b"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg_00000.ts\n#EXT-X-ENDLIST\n"


def _client(tmp_path: Path, store: S3Store, delivery: Literal["redirect", "proxy"]) -> TestClient:
    settings = Settings(data_dir=tmp_path / "var", env="test", segment_delivery=delivery)
    upgrade(settings.resolved_database_url)
    return TestClient(create_app(settings, store=store))


@pytest.fixture
def filled(s3_server: S3Server) -> S3Store:
    store = make_s3_store(s3_server)
    store.put_bytes("programmes/p/r1/720p/seg_00000.ts", SEGMENT)
    store.put_bytes("programmes/p/r1/720p/index.m3u8", PLAYLIST)
    return store


def test_redirect_mode_presigns_segments_and_proxies_playlists(tmp_path: Path, filled: S3Store) -> None:
    with _client(tmp_path, filled, "redirect") as client:
        moved = client.get("/media/programmes/p/r1/720p/seg_00000.ts", follow_redirects=False)
        assert moved.status_code == 302
        assert "max-age" in moved.headers["cache-control"]
        assert httpx.get(moved.headers["location"]).content == SEGMENT
        playlist = client.get("/media/programmes/p/r1/720p/index.m3u8")
        assert playlist.status_code == 200
        assert playlist.content == PLAYLIST
        assert playlist.headers["cache-control"] == "public, max-age=60"
        missing = client.get("/media/programmes/p/r1/720p/none.m3u8")
        assert missing.status_code == 404
        assert "programmes" not in missing.text


def test_proxy_mode_streams_everything(tmp_path: Path, filled: S3Store) -> None:
    with _client(tmp_path, filled, "proxy") as client:
        segment = client.get("/media/programmes/p/r1/720p/seg_00000.ts")
        assert segment.status_code == 200
        assert segment.content == SEGMENT
        assert segment.headers["cache-control"].endswith("immutable")
        assert client.get("/media/programmes/p/r1/720p/seg_00009.ts").status_code == 404


def test_with_a_public_media_base_s3_objects_are_redirected_there(tmp_path: Path, filled: S3Store) -> None:
    """A poster in JSON or an old URL still asks the API: its bytes come from the CDN all the same."""
    settings = Settings(data_dir=tmp_path / "var", env="test", media_base_url="https://cdn.example.vn/tv")
    upgrade(settings.resolved_database_url)
    with TestClient(create_app(settings, store=filled)) as client:
        for key in ("programmes/p/r1/720p/seg_00000.ts", "programmes/p/r1/720p/index.m3u8"):
            moved = client.get(f"/media/{key}", follow_redirects=False)
            assert moved.status_code == 302, key
            assert moved.headers["location"] == f"https://cdn.example.vn/tv/{key}"
            assert moved.headers["cache-control"] == "public, max-age=3600"
        private = client.get("/media/sources/p/r1", follow_redirects=False)
        assert private.status_code == 404  # never redirected: not a public prefix
        assert client.get("/media/slates/empty.vtt").text.startswith("WEBVTT")  # from memory, as before
