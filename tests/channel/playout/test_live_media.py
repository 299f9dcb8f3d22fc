"""A live event's segments, listed by the channel's live playlists, are served under /media like a
programme's (hls.js in Chromium got 404s for every `live/<event>/…` segment before)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.state import state_of
from playlist.live import live_segment_key


def test_live_segments_are_served_immutable(api_app: FastAPI, api_client: TestClient) -> None:
    key = live_segment_key("0b0e3c1e-5d6f-4a1b-9c2d-3e4f5a6b7c8d", "180p", 3)
    state_of(api_app).store.put_bytes(key, b"G" + bytes(187))
    response = api_client.get(f"/media/{key}")
    assert response.status_code == 200, response.text
    assert response.content[:1] == b"G"
    assert response.headers["content-type"] == "video/mp2t"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_live_markers_are_not_media(api_app: FastAPI, api_client: TestClient) -> None:
    """The ingest's markers (when each segment was stored) are for the playlists, not for viewers."""
    key = "live/0b0e3c1e-5d6f-4a1b-9c2d-3e4f5a6b7c8d/marks/00003"
    state_of(api_app).store.put_bytes(key, b"1764547200.0")
    assert api_client.get(f"/media/{key}").status_code == 404
