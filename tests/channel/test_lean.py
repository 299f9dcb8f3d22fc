"""Lean answers in front of the middleware stack: the same JSON as the routes, kept until their time,
one computation for concurrent misses, errors left to the routes."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from channel.app import ChannelApp
from channel.models import Programme, ProgrammeStatus
from channel.ops.lean import Answer, Key, LeanMiddleware
from channel.playout.guide import REFRESH_SECONDS
from channel.state import state_of
from tests.channel.playout.helpers import Air, seed_channel

PORTAL = "https://phapluat.gov.vn"


@pytest.fixture
def air(api_app: FastAPI) -> Air:
    return seed_channel(
        state_of(api_app).sessionmaker, state_of(api_app).settings, store=state_of(api_app).store
    )


def _lean(app: FastAPI) -> LeanMiddleware:
    assert isinstance(app, ChannelApp)
    stack: Any = app.front  # the lean handlers in front of the app's stack, each wrapping the next
    while not isinstance(stack, LeanMiddleware):
        stack = stack.app
    return stack


def test_now_and_the_guide_are_the_routes_json_from_memory(
    api_app: FastAPI, api_client: TestClient, air: Air
) -> None:
    today = (air.published_at + timedelta(hours=7)).date().isoformat()
    for path, params in (
        (f"/api/channels/{air.slug}/now", {}),
        (f"/api/channels/{air.slug}/epg", {}),
        (f"/api/channels/{air.slug}/epg", {"date": today}),
    ):
        asked = time.monotonic()
        lean = api_client.get(path, params=params, headers={"Origin": PORTAL})
        routed = api_client.get(path, params={**params, "via": "route"})  # a query the lean handler leaves
        between = timedelta(seconds=time.monotonic() - asked)
        assert lean.status_code == routed.status_code == 200, path
        assert "x-request-id" not in lean.headers  # answered in front of the stack
        assert "x-request-id" in routed.headers
        assert lean.headers["cache-control"] == routed.headers["cache-control"]
        assert lean.headers["content-type"] == routed.headers["content-type"]
        assert lean.headers["x-content-type-options"] == "nosniff"
        assert lean.headers["access-control-allow-origin"] == "*"
        a, b = lean.json(), routed.json()
        if "at" in a:  # the lean answer is at most REFRESH_SECONDS old when asked for
            at_lean, at_route = datetime.fromisoformat(a.pop("at")), datetime.fromisoformat(b.pop("at"))
            assert timedelta(0) <= at_route - at_lean <= timedelta(seconds=REFRESH_SECONDS) + between
        assert a == b, path
    keys = set(_lean(api_app).answers)
    assert {("now", air.slug), ("epg", air.slug), ("epg", air.slug, today)} <= keys


def test_errors_are_the_routes_and_are_not_kept(api_app: FastAPI, api_client: TestClient, air: Air) -> None:
    missing = api_client.get("/api/channels/khong-co/now")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("Không tìm thấy kênh")
    bad_day = api_client.get(f"/api/channels/{air.slug}/epg", params={"date": "2026-13-45"})
    assert bad_day.status_code == 422
    assert bad_day.json()["error"]["code"] == "invalid_date"
    assert all(key[1] != "khong-co" for key in _lean(api_app).answers)
    assert ("epg", air.slug, "2026-13-45") not in _lean(api_app).answers


def test_the_public_programme_is_the_routes_json_kept_as_long_as_its_cache_control(
    api_app: FastAPI, api_client: TestClient, air: Air
) -> None:
    url = f"/api/public/programmes/{air.programmes[0]}"
    lean = api_client.get(url)
    routed = api_client.get(url, params={"via": "route"})
    assert lean.status_code == routed.status_code == 200
    assert lean.json() == routed.json()
    assert lean.json()["title"] == "Luật Giao thông"
    assert lean.headers["cache-control"] == routed.headers["cache-control"] == "public, max-age=10"
    with state_of(api_app).sessionmaker() as session:
        programme = session.get(Programme, air.programmes[0])
        assert programme is not None
        programme.audience = "Người tham gia giao thông"  # a cosmetic field: shown without a new review
        session.commit()
    assert api_client.get(url).json()["audience"] == ""  # within its max-age
    assert api_client.get(url, params={"via": "route"}).json()["audience"] == "Người tham gia giao thông"
    lean_handler = _lean(api_app)
    key = ("programme", str(air.programmes[0]))
    answer, headers = lean_handler.answers[key]
    lean_handler.answers[key] = (
        Answer(answer.body, answer.cache_control, until=0.0),
        headers,
    )  # its time is up
    assert api_client.get(url).json()["audience"] == "Người tham gia giao thông"


def test_unknown_and_unready_programmes_get_the_routes_404(
    api_app: FastAPI, api_client: TestClient, air: Air
) -> None:
    with state_of(api_app).sessionmaker() as session:
        programme = session.get(Programme, air.programmes[1])
        assert programme is not None
        programme.status = ProgrammeStatus.FAILED
        session.commit()
    for url in (f"/api/public/programmes/{uuid.uuid4()}", f"/api/public/programmes/{air.programmes[1]}"):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert " / " in response.json()["error"]["message"]
    assert api_client.get("/api/public/programmes/not-a-uuid").status_code == 422


class _Counting:
    """A route that takes ``/counted`` and needs a while to compute its answer."""

    cookieless = False

    def __init__(self) -> None:
        self.computed = 0

    def key(self, path: str, query: bytes) -> Key | None:
        return ("counted",) if path == "/counted" else None

    async def answer(self, key: Key, now: float) -> Answer | None:
        self.computed += 1
        await asyncio.sleep(0.05)
        return Answer(b'{"n":%d}' % self.computed, "public, max-age=1", until=now + 60)


async def _fallback(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"app"})


def test_concurrent_misses_compute_once_and_other_requests_pass_on() -> None:
    route = _Counting()
    lean = LeanMiddleware(_fallback, routes=[route], cors_origins=[PORTAL])

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=lean)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            many = await asyncio.gather(
                *(client.get("/counted", headers={"Origin": PORTAL}) for _ in range(20))
            )
            other = await client.get("/other")
            posted = await client.post("/counted")
            return [*many, other, posted]

    responses = asyncio.run(run())
    assert route.computed == 1
    assert {r.text for r in responses[:20]} == {'{"n":1}'}
    assert responses[0].headers["access-control-allow-origin"] == PORTAL
    assert responses[0].headers["vary"] == "Origin"
    assert [r.status_code for r in responses[20:]] == [418, 418]
