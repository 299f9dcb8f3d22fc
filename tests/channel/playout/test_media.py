"""Objects of the store under /media: files with Range, immutable caching, and safe 404s."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.playout.media import cache_control_for
from channel.state import state_of


def test_segments_are_served_immutable_with_ranges(api_app: FastAPI, api_client: TestClient) -> None:
    store = state_of(api_app).store
    store.put_bytes("programmes/p1/r1/720p/seg_00000.ts", bytes(range(256)) * 10)
    response = api_client.get("/media/programmes/p1/r1/720p/seg_00000.ts", headers={"Origin": "https://x.vn"})
    assert response.status_code == 200
    assert len(response.content) == 2560
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "video/mp2t"
    assert response.headers["access-control-allow-origin"] == "*"
    part = api_client.get("/media/programmes/p1/r1/720p/seg_00000.ts", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == bytes(range(10, 20))


def test_the_empty_subtitle_segment_is_always_there(api_client: TestClient) -> None:
    response = api_client.get("/media/slates/empty.vtt")
    assert response.status_code == 200
    assert response.text.startswith("WEBVTT")


def test_bad_and_missing_keys_are_404_without_paths(api_app: FastAPI, api_client: TestClient) -> None:
    root = str(state_of(api_app).settings.resolved_storage_path)
    for key in ("programmes/none.ts", "..%2F..%2Fetc%2Fpasswd", "a/../../b.ts", "%00x.ts", ".tmp-x/y.ts"):
        response = api_client.get(f"/media/{key}")
        assert response.status_code == 404, key
        assert root not in response.text
        assert "Traceback" not in response.text
        assert " / " in response.json()["error"]["message"]


def test_playlists_are_cached_briefly_and_segments_forever() -> None:
    assert cache_control_for("programmes/p/r1/720p/index.m3u8") == "public, max-age=60"
    assert cache_control_for("programmes/p/r1/poster.jpg").endswith("immutable")
    assert (
        cache_control_for("programmes/p/r1/subs_vi/seg_00000.vtt") == "public, max-age=60"
    )  # corrected tracks


def test_uploaded_sources_and_scratch_files_are_not_public(api_app: FastAPI, api_client: TestClient) -> None:
    store = state_of(api_app).store
    for key in ("sources/p1/r1", "transcoder-scratch/programmes/p1/r1/chunk.ts", "other/x.ts"):
        store.put_bytes(key, b"secret source bytes")
        response = api_client.get(f"/media/{key}")
        assert response.status_code == 404, key
        assert b"secret" not in response.content
