"""On-air control through the API: an emergency takeover and its release, pulling the programme on air,
withdrawing an approval; each audited, in the as-run log and in the guide, never rewriting what aired."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from channel.deps import get_now
from channel.models import AsRunEntry, Review
from channel.playout.asrun import record_aired
from channel.state import state_of
from playlist import Timeline, from_us, now_next, render_xmltv, to_us
from tests.channel.api_fixtures import ApiUser
from tests.channel.playout.helpers import Air, seed_channel

S = timedelta(seconds=1)


class Clock:
    """The requests' clock (`NowDep`), moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(api_app: FastAPI) -> Iterator[Clock]:
    real = datetime.now(UTC).replace(microsecond=0)
    ticking = Clock(real)
    api_app.dependency_overrides[get_now] = ticking
    yield ticking
    api_app.dependency_overrides.pop(get_now, None)


@pytest.fixture
def air(api_app: FastAPI, clock: Clock) -> Air:
    """Four approved one-minute programmes (6 s segments) at now-150 s, now-30 s (on air), now+90 s,
    now+210 s, slate between; published three hours ago, the slate stored: on air."""
    return seed_channel(
        state_of(api_app).sessionmaker,
        state_of(api_app).settings,
        now=clock.now + 30 * S,
        store=state_of(api_app).store,
    )


def _timeline(app: FastAPI, air: Air) -> Timeline:
    from channel.playout import latest_playout
    from playlist import timeline_from_dict

    with state_of(app).sessionmaker() as session:
        compiled = latest_playout(session, air.channel_id)
        assert compiled is not None
        return timeline_from_dict(compiled.timeline)


def _segments(tl: Timeline) -> dict[int, tuple[int, str, int]]:
    return {
        item.first_msn + j: (
            item.start_us + item.offset_us(j),
            item.source.segment_key("360p", item.source_index(j)),
            item.duration_us(j),
        )
        for item in tl.items
        for j in range(item.segment_count)
    }


def _kept_until(before: Timeline, after: Timeline, edge: datetime) -> None:
    """Every segment that started before the edge is exactly as it was (these media have no GOP table,
    so nothing is cut inside a segment)."""
    old, new = _segments(before), _segments(after)
    for msn, seg in old.items():
        if seg[0] < to_us(edge):
            assert new[msn] == seg, f"segment {msn} was rewritten"


def _post(client: TestClient, user: ApiUser, url: str, body: dict[str, object]) -> dict[str, object]:
    answer = client.post(url, json=body, headers=user.headers)
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def _as_run(app: FastAPI, air: Air, until: datetime) -> list[AsRunEntry]:
    with state_of(app).sessionmaker() as session:
        record_aired(session, channel_id=air.channel_id, timeline=_timeline(app, air), until=until)
        session.commit()
        return list(
            session.scalars(
                select(AsRunEntry)
                .where(AsRunEntry.channel_id == air.channel_id)
                .order_by(AsRunEntry.started_at)
            )
        )


def test_a_takeover_airs_the_slate_from_the_next_boundary_until_released_then_the_grid_resumes(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser], clock: Clock, air: Air
) -> None:
    editor, admin = api_users["editor"], api_users["admin"]
    url = f"/api/channels/{air.slug}/takeover"
    assert api_client.post(url, json={"reason": " "}, headers=editor.headers).status_code == 422
    assert (
        api_client.post(url, json={"reason": "x"}, headers=api_users["scheduler"].headers).status_code == 403
    )
    before = _timeline(api_app, air)
    t0 = clock.now
    taken = _post(
        api_client, editor, url, {"source": "slate", "reason": "Tín hiệu sai nội dung, chờ xác minh"}
    )
    airs_from = datetime.fromisoformat(str(taken["effective_at"]))
    assert t0 + 6 * S <= airs_from <= t0 + 12 * S  # one target duration, then the next segment boundary
    after = _timeline(api_app, air)
    _kept_until(before, after, t0 + 6 * S)
    cause = f"takeover:{taken['takeover_id']}"
    (emergency,) = [i for i in after.items if i.cause == cause]
    assert (emergency.kind, emergency.programme_id, emergency.start_us) == (
        "emergency",
        None,
        to_us(airs_from),
    )
    assert emergency.end_us == after.end_us  # until released: the grid does not come back by itself
    assert not [i for i in after.items if i.start_us > to_us(airs_from) and i.kind == "programme"]
    on, _ = now_next(after, airs_from + S)
    assert (on.kind, on.title) == ("emergency", "Thông báo khẩn")
    assert '<title lang="vi">Thông báo khẩn</title>' in render_xmltv(
        [after], start=t0, end=t0 + timedelta(hours=1)
    )
    local_day = airs_from.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    day = api_client.get(f"/api/channels/{air.slug}/epg", params={"date": local_day})
    assert day.status_code == 200, day.text
    guide = [(e["kind"], e["title"]) for e in day.json()["entries"]]
    assert guide[-1] == ("emergency", "Thông báo khẩn")  # instead of the programmes it replaced

    state = api_client.get(f"/api/channels/{air.slug}/on-air", headers=api_users["producer"].headers).json()
    assert state["takeover"]["reason"] == "Tín hiệu sai nội dung, chờ xác minh"
    assert state["takeover"]["started_by"] == "editor"
    again = api_client.post(url, json={"reason": "lần hai"}, headers=admin.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "takeover_active"

    # released 100 s later: the grid has its programme of now+90 s on air then, 10 s in
    clock.now = t0 + 100 * S
    held = _timeline(api_app, air)
    released = _post(api_client, admin, f"{url}/release", {"reason": "Đã xác minh, phát lại theo lịch"})
    back_at = datetime.fromisoformat(str(released["effective_at"]))
    assert clock.now + 6 * S <= back_at <= clock.now + 8 * S  # the slate's 1 s segments
    back = _timeline(api_app, air)
    _kept_until(held, back, clock.now + 6 * S)
    emergency = [i for i in back.items if i.cause == cause][-1]
    joined = back.items[back.items.index(emergency) + 1]
    assert emergency.end_us == to_us(back_at) == joined.start_us
    assert joined.programme_id == str(air.programmes[2])
    offset = back_at - (t0 + 90 * S)  # where the grid is in that programme
    assert abs(joined.first_segment * 6 - offset.total_seconds()) <= 3  # the nearest segment
    assert api_client.post(f"{url}/release", json={"reason": "x"}, headers=admin.headers).status_code == 409

    rows = _as_run(api_app, air, until=back_at + 2 * S)
    logged = [(r.kind, r.title, r.cause) for r in rows if r.cause == cause]
    assert logged == [("emergency", "Thông báo khẩn", cause)]
    (started,) = [
        e
        for e in _audit(api_client, admin, "channel.takeover")
        if e["changes"]["takeover_id"] == taken["takeover_id"]
    ]
    assert started["changes"]["reason"] == "Tín hiệu sai nội dung, chờ xác minh"
    assert started["changes"]["airs_from"].startswith(airs_from.isoformat()[:19])
    (ended,) = _audit(api_client, admin, "channel.release")
    assert ended["changes"]["reason"] == "Đã xác minh, phát lại theo lịch"


def _audit(client: TestClient, admin: ApiUser, action: str) -> list[dict[str, Any]]:
    events = client.get("/api/audit", params={"limit": 500}, headers=admin.headers).json()
    return [e for e in events if e["action"] == action]


def test_an_approved_emergency_programme_loops_and_an_unapproved_one_is_refused(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser], clock: Clock, air: Air
) -> None:
    editor = api_users["editor"]
    url = f"/api/channels/{air.slug}/takeover"
    unknown = api_client.post(
        url,
        json={"source": "programme", "programme_id": str(uuid.uuid4()), "reason": "Thông báo khẩn"},
        headers=editor.headers,
    )
    assert unknown.status_code == 409
    assert unknown.json()["error"]["code"] == "not_approved"
    notice = air.programmes[3]  # approved (a one-minute "urgent legal notice")
    taken = _post(
        api_client,
        editor,
        url,
        {"source": "programme", "programme_id": str(notice), "reason": "Công điện khẩn"},
    )
    tl = _timeline(api_app, air)
    (emergency,) = [i for i in tl.items if i.cause == f"takeover:{taken['takeover_id']}"]
    assert emergency.programme_id == str(notice)
    assert emergency.segment_count > 10  # 10 segments, looping
    assert emergency.starts_run(10)
    state = api_client.get(f"/api/channels/{air.slug}/on-air", headers=editor.headers).json()
    assert state["takeover"]["programme_title"] == "Luật Hôn nhân"


def test_pulling_the_programme_on_air_cuts_it_at_the_next_unpublished_boundary(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser], clock: Clock, air: Air
) -> None:
    editor = api_users["editor"]
    on_air = air.programmes[1]  # since now-30 s, until now+30 s
    url = f"/api/channels/{air.slug}/pull"
    wrong = api_client.post(
        url, json={"programme_id": str(air.programmes[3]), "reason": "lỗi"}, headers=editor.headers
    )
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "not_on_air"
    before = _timeline(api_app, air)
    t0 = clock.now
    pulled = _post(
        api_client, editor, url, {"programme_id": str(on_air), "reason": "Phút 0:35 sai số hiệu văn bản"}
    )
    off = datetime.fromisoformat(str(pulled["effective_at"]))
    assert t0 + 6 * S <= off <= t0 + 12 * S
    after = _timeline(api_app, air)
    _kept_until(before, after, t0 + 6 * S)
    cause = f"pulled:{pulled['review_id']}"
    cut = next(i for i in after.items if i.programme_id == str(on_air))
    assert (cut.end_us, cut.cause) == (to_us(off), cause)
    filler = after.items[after.items.index(cut) + 1]
    assert (filler.kind, filler.start_us, filler.replaced_programme_id, filler.cause) == (
        "slate",
        to_us(off),
        str(on_air),
        cause,
    )
    review = api_client.get(f"/api/programmes/{on_air}/review", headers=api_users["producer"].headers).json()
    assert review["state"] == "withdrawn"
    assert review["airing"] is None
    assert review["decision"]["withdrawal_kind"] == "pulled"
    assert review["decision"]["withdrawal_reason"] == "Phút 0:35 sai số hiệu văn bản"
    admin = api_users["admin"]
    (event,) = _audit(api_client, admin, "channel.pull")
    assert event["changes"]["programme_id"] == str(on_air)
    assert event["changes"]["reason"] == "Phút 0:35 sai số hiệu văn bản"
    assert _audit(api_client, admin, "programme.pull")
    rows = _as_run(api_app, air, until=from_us(filler.end_us))
    assert [(r.kind, r.cause) for r in rows if r.cause == cause] == [("programme", cause), ("slate", cause)]


def test_withdrawing_an_approval_replaces_every_coming_airing_and_blocks_publishing_it(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser], clock: Clock, air: Air
) -> None:
    editor, scheduler = api_users["editor"], api_users["scheduler"]
    later = air.programmes[2]  # at now+90 s
    before = _timeline(api_app, air)
    done = _post(
        api_client, editor, f"/api/programmes/{later}/approval/withdraw", {"reason": "Luật đã sửa đổi"}
    )
    with state_of(api_app).sessionmaker() as session:
        review = session.get(Review, uuid.UUID(str(done["review_id"])))
        assert review is not None
        assert review.withdrawal_reason == "Luật đã sửa đổi"
    after = _timeline(api_app, air)
    _kept_until(before, after, clock.now + 6 * S)
    assert not [i for i in after.items if i.programme_id == str(later) and i.kind == "programme"]
    replaced = [i for i in after.items if i.replaced_programme_id == str(later)]
    assert replaced
    assert {i.cause for i in replaced} == {f"withdrawn:{done['review_id']}"}
    assert replaced[0].start_us == to_us(clock.now + 90 * S)
    assert done["effective_at"] is not None
    rows = _as_run(api_app, air, until=from_us(replaced[-1].end_us))  # once it has aired: in the as-run log
    assert {(r.kind, r.cause) for r in rows if r.cause} == {("slate", f"withdrawn:{done['review_id']}")}

    refused = api_client.post(f"/api/channels/{air.slug}/publish", headers=scheduler.headers)
    assert refused.status_code == 409
    assert [d["why"] for d in refused.json()["error"]["details"]] == ["withdrawn"]
    again = api_client.post(
        f"/api/programmes/{later}/approval/withdraw", json={"reason": "x"}, headers=editor.headers
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_approved"
