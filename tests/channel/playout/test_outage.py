"""A database outage does not stop a running channel: the last timeline in memory keeps serving."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.playout import TimelineCache
from channel.playout.cache import PLAYOUT
from channel.state import state_of
from tests.channel.playout.helpers import parse_strict, seed_channel


def test_playlists_keep_answering_when_the_database_is_gone(
    api_app: FastAPI, api_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    air = seed_channel(
        state_of(api_app).sessionmaker, state_of(api_app).settings, store=state_of(api_app).store
    )
    urls = [
        f"/live/{air.slug}/master.m3u8",
        f"/live/{air.slug}/720p.m3u8",
        f"/live/{air.slug}/720p.m3u8?start={int(air.published_at.timestamp()) - 60}",
        f"/api/channels/{air.slug}/now",
        "/xmltv.xml",
    ]
    assert all(api_client.get(url).status_code == 200 for url in urls)
    cache: TimelineCache = state_of(api_app).part(PLAYOUT)
    cache.refresh_seconds = 0.0  # check the database on every request from now on
    state_of(api_app).engine.dispose()
    Path(state_of(api_app).settings.resolved_database_url.removeprefix("sqlite:///")).unlink()
    with caplog.at_level(logging.WARNING, logger="channel.playout.cache"):
        for url in urls * 2:
            response = api_client.get(url)
            assert response.status_code == 200, (url, response.text)
    assert "database unavailable" in caplog.text
    parse_strict(api_client.get(f"/live/{air.slug}/360p.m3u8").text)
    assert api_client.get("/live/autre/720p.m3u8").status_code == 404  # never loaded: nothing to serve
