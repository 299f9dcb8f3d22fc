"""Viewer endpoints over HTTP: playlists (live, start-over, VOD), guide, XMLTV, M3U, CORS, caching."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.models import Channel
from channel.playout import slate_prefix
from channel.playout.cache import PLAYOUT
from channel.state import state_of
from playlist import live_edge
from tests.channel.playout.helpers import Air, parse_strict, seed_channel

ORIGIN = {"Origin": "https://phapluat.gov.vn"}


@pytest.fixture
def air(api_app: FastAPI) -> Air:
    return seed_channel(
        state_of(api_app).sessionmaker,
        state_of(api_app).settings,
        subtitles=True,
        store=state_of(api_app).store,
    )


def _get(client: TestClient, url: str, **params: str) -> tuple[int, dict[str, str], str]:
    response = client.get(url, params=params or None, headers=ORIGIN)
    return response.status_code, dict(response.headers), response.text


def test_master_lists_every_rung_and_the_subtitles_with_a_session_of_its_own(
    api_client: TestClient, air: Air
) -> None:
    """Audience counting (docs/audience.md): each master request hands its variants a fresh session
    token, so the master is private; apart from the token it is constant."""
    status, headers, text = _get(api_client, f"/live/{air.slug}/master.m3u8")
    assert status == 200, text
    assert headers["cache-control"] == "private, no-store"
    assert headers["access-control-allow-origin"] == "*"
    assert headers["content-type"] == "application/vnd.apple.mpegurl"
    master = parse_strict(text)
    uris = [p.uri for p in master.playlists]
    assert [u.split("?")[0] for u in uris] == ["1080p.m3u8", "720p.m3u8", "480p.m3u8", "360p.m3u8"]
    assert len({u.split("?s=")[1] for u in uris}) == 1  # one session for every variant
    assert [m.uri for m in master.media] == ["subs_vi.m3u8"]
    again = _get(api_client, f"/live/{air.slug}/master.m3u8")[2]
    assert again != text
    assert re.sub(r"\?s=[\w-]{22}", "", again) == re.sub(r"\?s=[\w-]{22}", "", text)


def _max_age(headers: dict[str, str]) -> int:
    prefix = "public, max-age="
    assert headers["cache-control"].startswith(prefix)
    return int(headers["cache-control"][len(prefix) :])


def test_live_media_playlist_from_the_lean_handler(
    api_app: FastAPI, api_client: TestClient, air: Air
) -> None:
    before = datetime.now(UTC)
    status, headers, text = _get(api_client, f"/live/{air.slug}/720p.m3u8")
    after = datetime.now(UTC)
    assert status == 200, text
    # cacheable until the next segment completes, never past it (whole seconds, rounded down)
    live = state_of(api_app).part(PLAYOUT).peek(air.slug)
    assert live is not None
    timeline = live.timeline
    _, next_change = live_edge(timeline, before)
    assert (
        (next_change - after).total_seconds() - 1
        < _max_age(headers)
        <= (next_change - before).total_seconds()
    )
    assert "x-request-id" not in headers  # answered in front of the middleware stack
    assert headers["access-control-allow-origin"] == "*"
    playlist = parse_strict(text)
    assert playlist.target_duration == 6
    assert not playlist.is_endlist
    assert sum(s.duration for s in playlist.segments) >= 60
    assert all(s.uri.startswith("/media/") and "/720p/seg_" in s.uri for s in playlist.segments)
    last = playlist.segments[-1]
    assert last.current_program_date_time is not None
    ends = last.current_program_date_time + timedelta(seconds=last.duration)
    assert ends <= after  # listed once fully aired, and it ended within the last target duration
    assert before < ends + timedelta(seconds=6.5)
    subs = parse_strict(_get(api_client, f"/live/{air.slug}/subs_vi.m3u8")[2])
    assert len(subs.segments) == len(playlist.segments)
    assert {s.uri for s in subs.segments} & {"/media/slates/empty.vtt"}


def test_the_lean_handler_and_the_route_give_the_same_bytes(api_client: TestClient, air: Air) -> None:
    for _ in range(5):
        lean = api_client.get(f"/live/{air.slug}/480p.m3u8")
        routed = api_client.get(f"/live/{air.slug}/480p.m3u8", params={"via": "router"})
        if lean.text == routed.text:
            break
        time.sleep(0.2)  # a segment boundary fell between the two requests
    assert lean.text == routed.text
    assert "x-request-id" in routed.headers  # the routed path goes through every middleware


def test_unknown_channel_and_track_are_bilingual_404s(api_client: TestClient, air: Air) -> None:
    for url in ("/live/khong-co/720p.m3u8", f"/live/{air.slug}/999p.m3u8", "/live/khong-co/master.m3u8"):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert " / " in response.json()["error"]["message"]


def test_start_over_is_an_event_playlist_within_the_retention(api_client: TestClient, air: Air) -> None:
    start = (air.published_at - timedelta(minutes=4)).isoformat()
    status, headers, text = _get(api_client, f"/live/{air.slug}/720p.m3u8", start=start)
    assert status == 200, text
    assert headers["access-control-allow-origin"] == "*"
    playlist = parse_strict(text)
    assert playlist.playlist_type == "event"
    assert not playlist.is_endlist
    first = playlist.segments[0].current_program_date_time
    assert first is not None
    assert abs((first - (air.published_at - timedelta(minutes=4))).total_seconds()) < 6
    just_now = parse_strict(
        _get(api_client, f"/live/{air.slug}/720p.m3u8", start=datetime.now(UTC).isoformat())[2]
    )
    assert len(just_now.segments) >= 1  # from inside the segment still airing: the newest aired one
    epoch = str(int((air.published_at - timedelta(minutes=1)).timestamp()))
    assert _get(api_client, f"/live/{air.slug}/720p.m3u8", start=epoch)[0] == 200
    master = parse_strict(_get(api_client, f"/live/{air.slug}/master.m3u8", start=epoch)[2])
    assert all(p.uri.endswith(f"?start={epoch}") for p in master.playlists)


@pytest.mark.parametrize(
    ("start", "status", "code", "words"),
    [
        ("2199-01-01T00:00:00Z", 400, "invalid_start", "tương lai"),
        ("2001-01-01T00:00:00+07:00", 400, "invalid_start", "24 hours"),
        ("hôm qua", 422, "invalid_instant", "ISO 8601"),
        ("2026-11-29T10:00:00", 422, "invalid_instant", "offset"),
        ("2999-01-01T00:00:00Z", 422, "invalid_instant", "ISO 8601"),  # out of range: unparsable
    ],
)
def test_start_outside_the_retention_is_refused(
    api_client: TestClient, air: Air, start: str, status: int, code: str, words: str
) -> None:
    response = api_client.get(f"/live/{air.slug}/720p.m3u8", params={"start": start}, headers=ORIGIN)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert words in error["message"]
    assert " / " in error["message"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_vod_of_an_interval(api_client: TestClient, air: Air) -> None:
    lo = air.published_at - timedelta(minutes=3)
    hi = lo + timedelta(minutes=1)
    status, _, text = _get(
        api_client, f"/vod/{air.slug}/360p.m3u8", **{"from": lo.isoformat(), "to": hi.isoformat()}
    )
    assert status == 200, text
    playlist = parse_strict(text)
    assert playlist.is_endlist
    assert playlist.playlist_type == "vod"
    assert 54 <= sum(s.duration for s in playlist.segments) <= 66
    assert all("/360p/seg_" in s.uri for s in playlist.segments)
    backwards = {"from": hi.isoformat(), "to": lo.isoformat()}
    assert api_client.get(f"/vod/{air.slug}/360p.m3u8", params=backwards).status_code == 400


def test_playlists_up_to_now_list_what_has_fully_aired_and_expire_when_the_next_segment_does(
    api_client: TestClient, air: Air
) -> None:
    aired = _get(
        api_client,
        f"/vod/{air.slug}/360p.m3u8",
        **{
            "from": (air.published_at - timedelta(minutes=5)).isoformat(),
            "to": (air.published_at - timedelta(minutes=2)).isoformat(),
        },
    )
    assert aired[1]["cache-control"] == "public, max-age=3600"  # aired in full: it cannot change
    start = (air.published_at - timedelta(minutes=2)).isoformat()
    for url, params in (
        (f"/vod/{air.slug}/360p.m3u8", {"from": start}),
        (f"/live/{air.slug}/360p.m3u8", {"start": start}),
    ):
        before = datetime.now(UTC)
        status, headers, text = _get(api_client, url, **params)
        assert status == 200, text
        assert _max_age(headers) <= 6
        last = parse_strict(text).segments[-1]
        assert last.current_program_date_time is not None
        assert last.current_program_date_time + timedelta(seconds=last.duration) <= datetime.now(UTC)
        assert before < last.current_program_date_time + timedelta(seconds=last.duration + 6.5)


def test_a_channel_whose_slate_is_not_stored_yet_answers_about_to_start(
    api_app: FastAPI, api_client: TestClient
) -> None:
    air = seed_channel(
        state_of(api_app).sessionmaker, state_of(api_app).settings, slug="kenh-moi"
    )  # no slate yet
    now = datetime.now(UTC).isoformat()
    for url, params in (
        (f"/live/{air.slug}/master.m3u8", {}),
        (f"/live/{air.slug}/720p.m3u8", {}),
        (f"/live/{air.slug}/720p.m3u8", {"start": now}),
        (f"/vod/{air.slug}/720p.m3u8", {"from": now}),
    ):
        response = api_client.get(url, params=params)
        assert response.status_code == 503, url
        assert response.headers["retry-after"] == "3"
        error = response.json()["error"]
        assert error["code"] == "channel_starting"
        assert error["message"].startswith("Kênh sắp bắt đầu phát sóng")
        assert "about to start" in error["message"]
    assert api_client.get(f"/api/channels/{air.slug}/now").status_code == 200  # the guide is there
    with state_of(api_app).sessionmaker() as session:
        channel = session.get(Channel, air.channel_id)
        assert channel is not None
        prefix = slate_prefix(channel.house_format, channel_name=channel.name)
    state_of(api_app).store.put_bytes(f"{prefix}master.m3u8", b"#EXTM3U\n")  # the worker is done
    state_of(api_app).part(PLAYOUT).refresh(air.slug)  # what the next refresh (≤ 3 s) does
    assert api_client.get(f"/live/{air.slug}/720p.m3u8").status_code == 200


def test_now_next_and_the_day_guide(api_client: TestClient, air: Air) -> None:
    response = api_client.get(f"/api/channels/{air.slug}/now", headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["now"]["start"] <= body["at"] < body["now"]["stop"]
    assert body["next"]["start"] == body["now"]["stop"]
    assert body["at"].endswith("+07:00")
    day = air.published_at.astimezone(UTC) + timedelta(hours=7)
    epg = api_client.get(f"/api/channels/{air.slug}/epg", params={"date": day.date().isoformat()})
    assert epg.status_code == 200
    assert "max-age" in epg.headers["cache-control"]
    titles = [e["title"] for e in epg.json()["entries"] if e["kind"] == "programme"]
    assert titles == ["Luật Giao thông", "Luật Đất đai", "Bộ luật Dân sự", "Luật Hôn nhân"]
    assert api_client.get(f"/api/channels/{air.slug}/epg").json()["date"] == day.date().isoformat()
    assert api_client.get(f"/api/channels/{air.slug}/epg", params={"date": "29/11"}).status_code == 422


def test_xmltv_and_m3u(api_client: TestClient, air: Air) -> None:
    response = api_client.get("/xmltv.xml", headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    root = ET.fromstring(response.content)
    assert [c.get("id") for c in root.findall("channel")] == [air.slug]
    programmes = root.findall("programme")
    titles = [p.findtext("title") for p in programmes]
    assert "Luật Đất đai" in titles
    assert "Chương trình sẽ tiếp tục" in titles
    assert all(p.get("start", "").endswith(" +0700") for p in programmes)
    assert titles[-1] == "Luật Hôn nhân"  # the guide ends with the grid, not with two days of filler
    m3u = api_client.get("/channels.m3u")
    assert m3u.status_code == 200
    lines = m3u.text.splitlines()
    assert lines[0] == '#EXTM3U url-tvg="http://127.0.0.1:8000/xmltv.xml"'
    assert lines[2] == f"http://127.0.0.1:8000/live/{air.slug}/master.m3u8"


def test_two_replicas_serve_the_same_bytes(api_app: FastAPI, api_client: TestClient, air: Air) -> None:
    other = create_app(state_of(api_app).settings)
    with TestClient(other) as replica:
        for _ in range(5):
            mine = api_client.get(f"/live/{air.slug}/720p.m3u8").content
            theirs = replica.get(f"/live/{air.slug}/720p.m3u8").content
            if mine == theirs:
                break
            time.sleep(0.2)  # a segment boundary fell between the two requests
        assert mine == theirs
        assert replica.get("/xmltv.xml").content == api_client.get("/xmltv.xml").content
