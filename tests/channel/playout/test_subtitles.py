"""Subtitles on the live channel: a constant rendition whose segments follow the video's, cue files or empty."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta

import m3u8
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from channel.models import Channel, CompiledPlayout
from channel.playout import latest_playout, publish_channel
from channel.playout.house import SUBTITLES_VI
from channel.state import state_of
from playlist import parse_webvtt, timeline_from_dict
from tests.channel.api_fixtures import ApiUser
from tests.channel.editorial.approvals import approve_programmes
from tests.channel.playout.helpers import parse_strict, seed_channel

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:07.000\nĐiều 1. Phạm vi điều chỉnh\n\n00:00:20.000 --> 00:00:22.000\nHết\n"
EMPTY = "/media/slates/empty.vtt"


def _subtitle_languages(factory: sessionmaker[Session], channel_id: object) -> tuple[object, ...]:
    with factory() as session:
        compiled = latest_playout(session, channel_id)  # type: ignore[arg-type]
        assert compiled is not None
        return timeline_from_dict(compiled.timeline).channel.subtitles


def test_the_rendition_comes_from_the_channel_profile_not_from_the_grid(api_app: FastAPI) -> None:
    factory: sessionmaker[Session] = state_of(api_app).sessionmaker
    settings = state_of(api_app).settings
    air = seed_channel(factory, settings, subtitles=False)  # no programme has subtitles: still there
    assert _subtitle_languages(factory, air.channel_id) == (SUBTITLES_VI,)

    plain = seed_channel(factory, settings, slug="khong-phu-de", subtitles=True)
    with factory() as session:  # compiled afresh for a channel configured without subtitles
        session.execute(delete(CompiledPlayout).where(CompiledPlayout.channel_id == plain.channel_id))
        channel = session.get(Channel, plain.channel_id)
        assert channel is not None
        channel.profile = {**channel.profile, "subtitles": []}
        publish_channel(session, channel_id=plain.channel_id, now=datetime.now(UTC))
        session.commit()
    assert _subtitle_languages(factory, plain.channel_id) == ()  # although half its programmes have some


def _pair(client: TestClient, slug: str) -> tuple[m3u8.M3U8, m3u8.M3U8]:
    """The 360p and subtitle live playlists fetched within one segment (retried across a boundary)."""
    for _ in range(5):
        video = parse_strict(client.get(f"/live/{slug}/360p.m3u8").text)
        subs = parse_strict(client.get(f"/live/{slug}/subs_vi.m3u8").text)
        if (video.media_sequence, len(video.segments)) == (subs.media_sequence, len(subs.segments)):
            return video, subs
        time.sleep(0.2)
    raise AssertionError("the video and subtitle playlists never agreed")


def test_the_live_subtitle_playlist_follows_the_video(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    factory: sessionmaker[Session] = state_of(api_app).sessionmaker
    real_now = datetime.now(UTC)
    # programmes at now-150 s, now-30 s (on air), now+90 s, now+210 s, each a minute long; slate between
    air = seed_channel(
        factory,
        state_of(api_app).settings,
        now=real_now + timedelta(seconds=30),
        store=state_of(api_app).store,
    )
    on_air = air.programmes[1]
    uploaded = api_client.post(
        f"/api/programmes/{on_air}/subtitles",
        params={"language": "vi", "label": "Tiếng Việt"},
        content=VTT.encode(),
        headers=api_users["admin"].headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    with factory() as session:  # new subtitles are a new revision: an editor approves it
        approve_programmes(session, [on_air])
    with factory() as session:  # the publish of a minute ago, before that programme aired
        publish_channel(session, channel_id=air.channel_id, now=real_now - timedelta(seconds=60))
        session.commit()

    master = parse_strict(api_client.get(f"/live/{air.slug}/master.m3u8").text)
    assert [(m.type, m.language, m.default, m.uri) for m in master.media] == [
        ("SUBTITLES", "vi", "YES", "subs_vi.m3u8")
    ]
    assert all(p.stream_info.subtitles == "subs" for p in master.playlists)

    video, subs = _pair(api_client, air.slug)
    assert [s.duration for s in subs.segments] == [s.duration for s in video.segments]
    assert [s.discontinuity for s in subs.segments] == [s.discontinuity for s in video.segments]
    assert subs.discontinuity_sequence == video.discontinuity_sequence
    own = re.compile(rf"^/media/programmes/{on_air}/r1/360p/seg_(\d{{5}})\.ts$")
    folder = f"subs_vi_{hashlib.sha256(VTT.encode()).hexdigest()[:12]}"  # named after the track's text
    seen_own = seen_empty = 0
    for v, s in zip(video.segments, subs.segments, strict=True):
        match = own.match(v.uri)
        if match:
            assert s.uri == f"/media/programmes/{on_air}/r1/{folder}/seg_{match[1]}.vtt"
            seen_own += 1
        else:
            assert s.uri == EMPTY
            seen_empty += 1
    assert seen_own >= 1  # the programme on air
    assert seen_empty >= 1  # the slate before it

    for uri in sorted({s.uri for s in subs.segments}):
        response = api_client.get(uri)
        assert response.status_code == 200, uri
        assert response.text.startswith("WEBVTT")
        assert response.headers["content-type"].startswith("text/vtt")
    first = api_client.get(f"/media/programmes/{on_air}/r1/{folder}/seg_00001.vtt").text
    assert [c.text for c in parse_webvtt(first)] == ["Điều 1. Phạm vi điều chỉnh"]  # 1 s → 7 s spans 6 s
