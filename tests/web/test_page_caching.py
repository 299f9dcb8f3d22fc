"""Which pages caches may keep (issue 13): the public pages briefly and per language, nothing else."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.web.security import PUBLIC_PAGE_CACHE
from tests.web.conftest import add_programme


def test_public_pages_may_be_kept_briefly_per_language_cookie(
    api_app: FastAPI, api_client: TestClient, main_channel: str
) -> None:
    programme = add_programme(api_app)
    for path in ("/", f"/kenh/{main_channel}", f"/embed/{main_channel}", f"/chuong-trinh/{programme}"):
        response = api_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == PUBLIC_PAGE_CACHE, path
        assert "Cookie" in response.headers["vary"], path


def test_private_pages_errors_and_language_switches_are_not_kept(
    api_client: TestClient, main_channel: str
) -> None:
    console = api_client.get("/console")
    assert console.headers["cache-control"] == "no-cache"
    missing = api_client.get(f"/chuong-trinh/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["cache-control"] == "no-cache"
    switched = api_client.get("/", params={"lang": "en"})  # sets the reader's cookie: theirs alone
    assert "set-cookie" in switched.headers
    assert switched.headers["cache-control"] == "no-cache"
