"""Live events through the API: placed on the grid with a key shown once, conflicts, keys, the guide."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from channel.ingest.feeds import Feeds
from channel.live.keys import key_digest
from channel.models import LiveEvent
from channel.playout.publish import compile_channel
from channel.state import state_of
from tests.channel.editorial.approvals import approve_live_event
from tests.channel.grid.conftest import Grid


def create(grid: Grid, slug: str, start: str, end: str, *, title: str = "Hỏi đáp pháp luật") -> Any:
    return grid.post(
        f"/api/channels/{slug}/live",
        {
            "title": title,
            "description": "Luật sư trả lời trực tiếp câu hỏi của người xem",
            "topics": ["Đất đai"],
            "legal_documents": ["Luật Đất đai 2024"],
            "start": start,
            "end": end,
        },
    )


def test_a_live_event_gets_a_key_shown_once_and_stored_hashed(
    grid: Grid, slug: str, at: Callable[..., str]
) -> None:
    grid.channel(slug)
    response = create(grid, slug, at("20:00"), at("21:00"))
    assert response.status_code == 201, response.text
    body = response.json()
    key = body["endpoints"]["rtmp_stream_key"]
    assert key.startswith("live_")
    assert body["event"]["label"] == "Trực tiếp"
    assert body["event"]["start"].endswith("13:00:00Z") or "13:00:00" in body["event"]["start"]
    assert any(key in step for step in body["endpoints"]["obs_steps_vi"])
    assert body["endpoints"]["srt_url"].startswith("srt://")
    settings = state_of(grid.app).settings
    with state_of(grid.app).sessionmaker() as session:
        event = session.scalar(select(LiveEvent).where(LiveEvent.id == uuid.UUID(body["event"]["id"])))
        assert event is not None
        assert event.key_hash == key_digest(key, secret_key=settings.secret_key)
        assert key not in (event.key_hash, event.title, event.description)
    listed = grid.get(f"/api/channels/{slug}/live", role="producer")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [body["event"]["id"]]
    assert "rtmp_stream_key" not in listed.text
    assert key not in listed.text
    assert create(grid, slug, at("22:00"), at("23:00")).status_code == 201
    refused = grid.post(
        f"/api/channels/{slug}/live",
        {"title": "x", "start": at("20:00"), "end": at("21:00")},
        role="producer",
    )
    assert refused.status_code == 403


def test_overlaps_with_programmes_and_other_events_are_refused(
    grid: Grid, slug: str, at: Callable[..., str]
) -> None:
    grid.channel(slug)
    law = grid.programme("Luật Hôn nhân và Gia đình")  # 30 minutes
    grid.place(slug, law, at("19:00"))
    clash = create(grid, slug, at("19:20"), at("20:00"))
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "live_conflict"
    assert " / " in clash.json()["error"]["message"]
    assert create(grid, slug, at("19:30"), at("20:00")).status_code == 201  # right after it
    again = create(grid, slug, at("19:45"), at("20:15"))
    assert again.status_code == 409
    backwards = create(grid, slug, at("21:00"), at("20:30"))
    assert backwards.status_code == 422
    assert backwards.json()["error"]["code"] == "live_end_before_start"


def test_a_key_opens_only_shortly_before_the_start(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    key = create(grid, slug, at("20:00"), at("21:00")).json()["endpoints"]["rtmp_stream_key"]
    state = state_of(grid.app)
    assert Feeds(state.sessionmaker, state.settings).by_key(key) == (None, "early")


def test_patch_and_delete(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    event_id = create(grid, slug, at("20:00"), at("21:00")).json()["event"]["id"]
    moved = grid.client.patch(
        f"/api/live/{event_id}",
        json={"end": at("21:30"), "title": "Lễ kỷ niệm Ngày Pháp luật"},
        headers=grid.users["scheduler"].headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["title"] == "Lễ kỷ niệm Ngày Pháp luật"
    assert datetime.fromisoformat(moved.json()["end"]) - datetime.fromisoformat(
        moved.json()["start"]
    ) == timedelta(minutes=90)
    gone = grid.client.delete(f"/api/live/{event_id}", headers=grid.users["scheduler"].headers)
    assert gone.status_code == 204
    assert grid.get(f"/api/live/{event_id}").status_code == 404


def test_the_compiled_channel_airs_the_event_between_programmes_and_the_guide_says_live(
    grid: Grid, slug: str, at: Callable[..., str]
) -> None:
    grid.channel(slug)
    law = grid.programme("Luật Đất đai 2024")
    grid.place(slug, law, at("19:30"))
    event_id = create(grid, slug, at("20:00"), at("20:30")).json()["event"]["id"]
    grid.place(slug, law, at("20:30"))
    state = state_of(grid.app)
    with state.sessionmaker() as session:
        approve_live_event(session, event_id)
        channel_id = session.scalar(select(LiveEvent.channel_id).where(LiveEvent.id == uuid.UUID(event_id)))
        assert channel_id is not None
        timeline = compile_channel(session, channel_id=channel_id, now=datetime.now(UTC))
    live = [i for i in timeline.items if i.source.is_live]
    assert len(live) == 1
    item = live[0]
    assert item.programme_id == f"live:{event_id}"
    assert item.segment_count == 30 * 60 // 6
    assert item.source.segment_key("720p", 0) == f"live/{event_id}/720p/seg_00000.ts"
    after = timeline.items[timeline.items.index(item) + 1]
    assert after.kind == "programme"
    assert after.start_us == item.end_us
    # the gap slate is not stored: a publish that checks the store gives the slot filler instead
    with state.sessionmaker() as session:
        checked = compile_channel(
            session, channel_id=channel_id, now=datetime.now(UTC), slate_stored=lambda _p: False
        )
    assert not any(i.source.is_live for i in checked.items)


def test_the_ingest_learns_when_a_key_stops_holding(grid: Grid, slug: str) -> None:
    grid.channel(slug)
    now = datetime.now(UTC)
    body = create(
        grid, slug, (now + timedelta(minutes=5)).isoformat(), (now + timedelta(minutes=35)).isoformat()
    ).json()
    key, event_id = body["endpoints"]["rtmp_stream_key"], body["event"]["id"]
    state = state_of(grid.app)
    feeds = Feeds(state.sessionmaker, state.settings)
    admitted, verdict = feeds.by_key(key)
    assert verdict == "ok"
    assert admitted is not None
    assert admitted.feed.event_id == event_id
    assert admitted.feed.segment_count == 30 * 60 // 6
    assert f"passphrase={admitted.passphrase}" in body["endpoints"]["srt_url"]
    assert feeds.srt_event() is not None
    assert feeds.still_admitted(admitted)
    grid.post(f"/api/live/{event_id}/key", None)  # remade: the old key's feed must stop
    assert not feeds.still_admitted(admitted)
    again, _ = feeds.by_key(
        grid.post(f"/api/live/{event_id}/key", None).json()["endpoints"]["rtmp_stream_key"]
    )
    assert again is not None
    assert feeds.still_admitted(again)
    grid.post(f"/api/live/{event_id}/key/revoke", None)
    assert not feeds.still_admitted(again)
    assert feeds.by_key(key) == (None, "unknown")


def test_a_programme_placed_over_a_live_event_is_refused(
    grid: Grid, slug: str, at: Callable[..., str]
) -> None:
    grid.channel(slug)
    assert create(grid, slug, at("20:00"), at("21:00")).status_code == 201
    law = grid.programme("Luật Cư trú")  # 30 minutes
    refused = grid.post(f"/api/channels/{slug}/entries", {"programme_id": str(law), "start": at("19:45")})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "live_conflict"
    placed = grid.place(slug, law, at("21:00"))
    moved = grid.client.patch(
        f"/api/entries/{placed['id']}", json={"start": at("20:30")}, headers=grid.users["scheduler"].headers
    )
    assert moved.status_code == 409
    assert grid.place(slug, law, at("19:30"))["programme_title"] == "Luật Cư trú"  # ends as the event starts
