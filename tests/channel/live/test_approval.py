"""Only approved live events air: an editor other than its author approves the event's exact facts;
the publish gate refuses a grid with an unapproved event, and the compile airs the slate or filler in
its slot, never the feed, until an approval stands (and again once its facts change or it is withdrawn)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from channel.models import AuditEvent, LiveEvent, Role
from channel.playout.publish import compile_channel
from channel.state import state_of
from playlist import Item, Timeline, to_us
from tests.channel.api_fixtures import ApiUser, sign_in
from tests.channel.grid.conftest import Grid
from tests.channel.live.test_routes import create


@pytest.fixture(scope="module")
def editor(grid_app: tuple[Any, Any, dict[str, ApiUser]]) -> ApiUser:
    app = grid_app[0]
    state = state_of(app)
    return sign_in(
        state.sessionmaker, Role.EDITOR, "bien-tap-truc-tiep", secret_key=state.settings.secret_key
    )


def _review(grid: Grid, event_id: str, user: ApiUser, decision: str = "approved", **body: Any) -> Any:
    fingerprint = grid.get(f"/api/live/{event_id}/reviews").json()["fingerprint"]
    return grid.client.post(
        f"/api/live/{event_id}/reviews",
        json={"decision": decision, "fingerprint": fingerprint, **body},
        headers=user.headers,
    )


def _compiled(grid: Grid, event_id: str) -> Timeline:
    with state_of(grid.app).sessionmaker() as session:
        event = session.get(LiveEvent, uuid.UUID(event_id))
        assert event is not None
        return compile_channel(session, channel_id=event.channel_id, now=datetime.now(UTC))


def _in_slot(timeline: Timeline, start: str, end: str) -> list[Item]:
    s, e = to_us(datetime.fromisoformat(start)), to_us(datetime.fromisoformat(end))
    return [i for i in timeline.items if i.start_us < e and i.end_us > s]


def _blocked(grid: Grid, slug: str) -> list[dict[str, Any]]:
    refused = grid.post(f"/api/channels/{slug}/publish", None)
    if refused.status_code == 200:
        return []
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "unapproved_items"
    details: list[dict[str, Any]] = refused.json()["error"]["details"]
    return details


def test_an_unapproved_event_blocks_the_publish_and_airs_the_slate(
    grid: Grid, slug: str, at: Callable[..., str], editor: ApiUser
) -> None:
    grid.channel(slug)
    law = grid.programme("Luật Đất đai 2024")
    grid.place(slug, law, at("19:30"))
    body = create(grid, slug, at("20:00"), at("20:30")).json()
    event_id, start, end = body["event"]["id"], body["event"]["start"], body["event"]["end"]
    assert body["event"]["approval"] == "pending"
    assert body["event"]["phase"] == "scheduled"
    assert body["event"]["revision"] == 1
    # the gate lists the event with why
    [blocked] = _blocked(grid, slug)
    assert (blocked["live_event_id"], blocked["why"], blocked["entry_id"]) == (
        event_id,
        "awaiting_review",
        None,
    )
    assert "Hỏi đáp pháp luật" in blocked["message"]
    assert "trực tiếp" in blocked["message"]
    # the compile (whoever asks) airs the slate or filler in the slot, never the feed
    slot = _in_slot(_compiled(grid, event_id), start, end)
    assert slot
    assert not any(i.source.is_live for i in slot)
    assert slot[0].kind in ("slate", "filler")
    assert slot[0].cause == f"unapproved:{event_id}"
    assert to_us(datetime.fromisoformat(start)) == slot[0].start_us  # the hard slot still cuts the programme
    # the conflicts of the grid list it with why
    listed = grid.get(f"/api/channels/{slug}/conflicts", **{"from": at("00:00"), "to": at("23:59")}).json()
    [unapproved] = [c for c in listed if c["entry_ids"] == [event_id]]
    assert (unapproved["kind"], unapproved["severity"]) == ("unapproved", "error")
    assert "đang chờ biên tập viên duyệt" in unapproved["message"]
    assert "the slate airs instead of the feed" in unapproved["message"]
    # the review desk lists it
    queue = grid.client.get("/api/reviews/live", headers=editor.headers).json()
    assert [
        (r["subject_type"], r["subject_id"], r["state"]) for r in queue if r["subject_id"] == event_id
    ] == [("live_event", event_id, "pending")]
    # an editor approves: it airs and the grid publishes
    approved = _review(grid, event_id, editor, note="Đã kiểm tra khách mời")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["history"][0]["decided_by"] is not None
    assert _blocked(grid, slug) == []
    live = [i for i in _in_slot(_compiled(grid, event_id), start, end) if i.source.is_live]
    assert [i.programme_id for i in live] == [f"live:{event_id}"]
    assert grid.get(f"/api/live/{event_id}").json()["approval"] == "approved"
    listed = grid.get(f"/api/channels/{slug}/conflicts", **{"from": at("00:00"), "to": at("23:59")}).json()
    assert not [c for c in listed if event_id in c["entry_ids"]]
    with state_of(grid.app).sessionmaker() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "live_event", AuditEvent.entity_id == event_id
            )
        ).all()
    assert "live.approve" in actions
    assert event_id not in {
        r["subject_id"] for r in grid.client.get("/api/reviews/live", headers=editor.headers).json()
    }


def test_the_author_may_not_approve_and_a_rejection_needs_a_reason(
    grid: Grid, slug: str, at: Callable[..., str], editor: ApiUser
) -> None:
    grid.channel(slug)
    created = grid.post(
        f"/api/channels/{slug}/live",
        {"title": "Tọa đàm Luật Cư trú", "start": at("20:00"), "end": at("21:00")},
        role="admin",
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["event"]["id"]
    own = _review(grid, event_id, grid.users["admin"])
    assert own.status_code == 403
    assert own.json()["error"]["code"] == "four_eyes"
    assert grid.get(f"/api/live/{event_id}/reviews", role="admin").json()["you_may_review"] is False
    assert _review(grid, event_id, grid.users["scheduler"]).status_code == 403  # not an editor
    blank = _review(grid, event_id, editor, decision="rejected")
    assert blank.status_code == 422
    assert blank.json()["error"]["code"] == "reason_required"
    rejected = _review(grid, event_id, editor, decision="rejected", note="Thiếu văn bản pháp luật liên quan")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    [blocked] = _blocked(grid, slug)
    assert blocked["why"] == "rejected"
    stale = grid.client.post(
        f"/api/live/{event_id}/reviews",
        json={"decision": "approved", "fingerprint": "0" * 64},
        headers=editor.headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "revision_changed"


def test_a_change_after_approval_needs_a_new_one_and_the_approved_revision_airs_meanwhile(
    grid: Grid, slug: str, at: Callable[..., str], editor: ApiUser
) -> None:
    grid.channel(slug)
    body = create(grid, slug, at("20:00"), at("20:30")).json()
    event_id, start, end = body["event"]["id"], body["event"]["start"], body["event"]["end"]
    assert _review(grid, event_id, editor).status_code == 200
    assert _blocked(grid, slug) == []
    longer = grid.client.patch(
        f"/api/live/{event_id}",
        json={"title": "Hỏi đáp pháp luật (kéo dài)", "end": at("20:45")},
        headers=grid.users["scheduler"].headers,
    )
    assert longer.status_code == 200, longer.text
    assert (longer.json()["approval"], longer.json()["revision"]) == ("pending", 2)
    [blocked] = _blocked(grid, slug)
    assert (blocked["live_event_id"], blocked["why"]) == (event_id, "changed")
    # until approved, the approved revision airs: its title, its window (the added 15 minutes do not)
    timeline = _compiled(grid, event_id)
    [live] = [i for i in timeline.items if i.source.is_live]
    assert live.title == "Hỏi đáp pháp luật"
    assert (live.start_us, live.end_us) == (
        to_us(datetime.fromisoformat(start)),
        to_us(datetime.fromisoformat(end)),
    )
    # an editor approves the new revision: it airs as changed
    assert _review(grid, event_id, editor).status_code == 200
    assert _blocked(grid, slug) == []
    [live] = [i for i in _compiled(grid, event_id).items if i.source.is_live]
    assert live.title == "Hỏi đáp pháp luật (kéo dài)"
    assert live.end_us - live.start_us == to_us(
        datetime.fromisoformat(start) + timedelta(minutes=45)
    ) - to_us(datetime.fromisoformat(start))
    # a key remade is no change of the facts: no new review
    assert grid.post(f"/api/live/{event_id}/key", None).json()["event"]["approval"] == "approved"


def test_an_editor_who_changed_the_event_may_not_approve_it(
    grid: Grid, slug: str, at: Callable[..., str], editor: ApiUser
) -> None:
    grid.channel(slug)
    event_id = create(grid, slug, at("18:00"), at("18:30")).json()["event"]["id"]
    changed = grid.client.patch(
        f"/api/live/{event_id}",
        json={"legal_documents": ["Luật Cư trú 2020"]},
        headers=grid.users["admin"].headers,
    )
    assert changed.status_code == 200, changed.text
    refused = _review(grid, event_id, grid.users["admin"])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four_eyes"
    assert _review(grid, event_id, editor).status_code == 200


def test_a_withdrawn_approval_airs_the_slate_again(
    grid: Grid, slug: str, at: Callable[..., str], editor: ApiUser
) -> None:
    grid.channel(slug)
    body = create(grid, slug, at("22:00"), at("22:30")).json()
    event_id, start, end = body["event"]["id"], body["event"]["start"], body["event"]["end"]
    assert _review(grid, event_id, editor).status_code == 200
    assert any(i.source.is_live for i in _compiled(grid, event_id).items)
    withdrawn = grid.client.post(
        f"/api/live/{event_id}/approval/withdraw", json={"reason": "Khách mời hủy"}, headers=editor.headers
    )
    assert withdrawn.status_code == 200, withdrawn.text
    slot = _in_slot(_compiled(grid, event_id), start, end)
    assert not any(i.source.is_live for i in slot)
    assert slot[0].cause is not None
    assert slot[0].cause.startswith("withdrawn:")
    [blocked] = _blocked(grid, slug)
    assert blocked["why"] == "withdrawn"
    assert grid.get(f"/api/live/{event_id}").json()["approval"] == "withdrawn"
