"""The served live playlists during a live event: the feed where its marker came in time, the gap
slate where not, through the lean handler and the routes alike (the store is read for markers)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from channel.models import Channel
from channel.playout.publish import publish_channel
from channel.playout.slate import live_slate_prefix, slate_prefix
from channel.state import state_of
from playlist import live_mark_key, to_us
from tests.channel.editorial.approvals import approve_live_event
from tests.channel.grid.conftest import Grid
from tests.playlist.hls_check import read_media
from tests.waiting import wait_for


@pytest.mark.slow
def test_the_served_playlist_lists_the_feed_or_the_slate_per_segment(grid: Grid, slug: str) -> None:
    grid.channel(slug)
    state = state_of(grid.app)
    now = datetime.now(UTC)
    start = (now + timedelta(seconds=8)).replace(microsecond=0)
    body = grid.post(
        f"/api/channels/{slug}/live",
        {
            "title": "Họp báo luật mới",
            "start": start.isoformat(),
            "end": (start + timedelta(seconds=18)).isoformat(),
        },
    ).json()
    event_id = body["event"]["id"]
    with state.sessionmaker() as session:
        approve_live_event(session, event_id)
        channel = session.scalar(select(Channel).where(Channel.slug == slug))
        assert channel is not None
        house, name = channel.house_format, channel.name
        for prefix in (slate_prefix(house, channel_name=name), live_slate_prefix(house, channel_name=name)):
            state.store.put_bytes(f"{prefix}master.m3u8", b"#EXTM3U\n")  # counted as stored
        publish_channel(session, channel_id=channel.id, now=datetime.now(UTC))
        session.commit()
    d_us = round(house.segment_seconds * 1_000_000)
    # segment 0 arrives in time, segment 1 never, segment 2 in time
    for n in (0, 2):
        wait_for(
            lambda n=n: time.time() * 1_000_000 >= to_us(start) + (n + 1) * d_us,  # type: ignore[misc]
            seconds=40,
            what=f"segment {n} to end",
            every=0.1,
        )
        state.store.put_bytes(live_mark_key(event_id, n), str(int(time.time() * 1_000_000)).encode())

    def listed() -> list[str] | None:
        text = grid.client.get(f"/live/{slug}/720p.m3u8").text
        uris = [line for line in text.splitlines() if "/live/" in line or "slates/" in line]
        live = [u for u in uris if f"live/{event_id}/" in u]
        return uris if len(live) == 2 else None

    uris = wait_for(listed, seconds=20, what="both live segments listed")
    read_media(grid.client.get(f"/live/{slug}/720p.m3u8").text)
    mine = [u for u in uris if f"live/{event_id}/" in u or live_slate_prefix(house, channel_name=name) in u]
    assert [u.rsplit("/", 3)[-3:] for u in mine][:3] == [
        [event_id, "720p", "seg_00000.ts"],
        [live_slate_prefix(house, channel_name=name).split("/")[1], "720p", "seg_00001.ts"],
        [event_id, "720p", "seg_00002.ts"],
    ]
    # the route (with a query) renders the same segments
    routed = grid.client.get(f"/live/{slug}/720p.m3u8", params={"start": start.isoformat()}).text
    assert f"live/{event_id}/720p/seg_00000.ts" in routed
