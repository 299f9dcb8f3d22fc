"""The viewer page from memory (`channel.web.viewer_lean`): the same bytes and headers as the route, for
the requests a shared cache could answer, and the route for everything else."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from channel.app import ChannelApp
from channel.models import Channel
from channel.ops.lean import Answer, LeanMiddleware
from channel.state import state_of
from channel.web.viewer_lean import PAGE_SECONDS, ViewerPageRoute
from tests.web.conftest import Busy

#: any cookie but the language one: the route answers, and renders the page the lean answer holds
OTHER_COOKIE = {"Cookie": "khac=1"}
SHARED = (
    "cache-control",
    "content-security-policy",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
)


def _lean(app: FastAPI) -> LeanMiddleware:
    assert isinstance(app, ChannelApp)
    stack: Any = app.front
    while not isinstance(stack, LeanMiddleware):
        stack = stack.app
    return stack


def test_the_page_from_memory_is_the_routes_page(api_client: TestClient, main_channel: str) -> None:
    for path in ("/", f"/kenh/{main_channel}"):
        lean = api_client.get(path)
        routed = api_client.get(path, headers=OTHER_COOKIE)
        assert lean.status_code == routed.status_code == 200
        assert lean.content == routed.content, path
        assert lean.headers["content-type"] == routed.headers["content-type"] == "text/html; charset=utf-8"
        assert {h: lean.headers[h] for h in SHARED} == {h: routed.headers[h] for h in SHARED}
        assert lean.headers["x-content-type-options"] == "nosniff"
        assert "Cookie" in lean.headers["vary"]  # a shared cache keeps one page per language cookie
        assert "x-request-id" not in lean.headers  # answered in front of the middleware
        assert "x-request-id" in routed.headers


def test_a_kept_page_holds_until_its_time_and_other_requests_go_to_the_route(
    api_app: FastAPI, api_client: TestClient, main_channel: str
) -> None:
    path = f"/kenh/{main_channel}"
    assert "Kênh Pháp luật" in api_client.get(path).text
    with state_of(api_app).sessionmaker() as session:
        session.scalars(select(Channel).where(Channel.slug == main_channel)).one().name = "Kênh Luật mới"
        session.commit()
    assert "Kênh Pháp luật" in api_client.get(path).text  # kept a moment, as a shared cache would
    assert "Kênh Luật mới" in api_client.get(path, headers=OTHER_COOKIE).text
    lean = _lean(api_app)
    answer, headers = lean.answers[("page", main_channel)]
    lean.answers[("page", main_channel)] = (
        Answer(
            answer.body, answer.cache_control, until=0.0, media_type=answer.media_type, extra=answer.extra
        ),
        headers,
    )  # its time is up
    assert "Kênh Luật mới" in api_client.get(path).text

    english = api_client.get(path, params={"lang": "en"})  # a query: the route, which sets the cookie
    assert '<html lang="en">' in english.text
    assert english.cookies.get("legaltv_lang") == "en"
    assert '<html lang="en">' in api_client.get(path).text  # the cookie is sent back: the route again
    api_client.cookies.clear()
    missing = api_client.get("/kenh/khong-co-kenh-nay")
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.text


def test_a_page_past_the_compiled_timeline_still_answers(api_app: FastAPI, busy_channel: Busy) -> None:
    """Off the timeline (it ran out, nobody republished) the page holds for its usual time, not an error;
    on it, until the programme on air ends."""
    route = next(r for r in _lean(api_app).routes if isinstance(r, ViewerPageRoute))
    live = route.playout.get(busy_channel.slug)
    now = time.time()
    on_air = route._render(busy_channel.slug, now)
    assert on_air is not None
    assert now < on_air.until <= now + busy_channel.every.total_seconds()
    far = live.timeline.end_us / 1_000_000 + 86_400
    off_air = route._render(busy_channel.slug, far)
    assert off_air is not None
    assert off_air.until == far + PAGE_SECONDS
