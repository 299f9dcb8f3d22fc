"""Channels through the API: several channels, validated fields, read-only profile and epoch, audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from channel.models import CompiledPlayout
from channel.playout.tasks import ENSURE_SLATE_TASK
from channel.state import state_of
from playlist import timeline_from_dict
from tests.channel.grid.conftest import Grid
from tests.channel.library.conftest import sent_tasks


def test_two_channels_with_defaults_from_the_house_format(grid: Grid) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    main = grid.channel("kenh-chinh", "Kênh Pháp luật Chính")
    topic = grid.channel("giao-thong", "Chuyên đề Luật Giao thông đường bộ")
    settings = state_of(grid.app).settings
    assert main["timezone"] == "Asia/Ho_Chi_Minh"
    assert main["profile"] == {
        "ladder": settings.ladder,
        "fps": 25,
        "gop_seconds": 2.0,
        "segment_seconds": 6.0,
        "segment_format": "mpegts",
        "subtitles": ["vi"],
    }
    assert main["filler_policy"] == {"slate": True, "filler_programme_ids": []}
    assert main["window_seconds"] == settings.playlist_window_seconds
    epoch = datetime.fromisoformat(main["epoch"])
    assert before <= epoch <= datetime.now(UTC)
    assert epoch.microsecond == 0

    listed = grid.client.get("/api/channels")  # public, no token
    assert listed.status_code == 200
    slugs = [c["slug"] for c in listed.json()]
    assert slugs.index("kenh-chinh") < slugs.index("giao-thong")
    one = grid.client.get("/api/channels/giao-thong").json()
    assert one == {
        "slug": "giao-thong",
        "name": "Chuyên đề Luật Giao thông đường bộ",
        "description": "",
        "timezone": "Asia/Ho_Chi_Minh",
        "master_playlist_url": "/live/giao-thong/master.m3u8",
        "epg_url": "/api/channels/giao-thong/epg",
    }
    assert topic["slug"] == "giao-thong"
    assert grid.client.get("/api/channels/Kênh%00").status_code == 422
    missing = grid.client.get("/api/channels/khong-co")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("Không tìm thấy kênh")


def test_create_validates_slug_timezone_window_filler_and_profile(grid: Grid) -> None:
    failed = grid.programme("Hỏng", status="failed")
    bad = [
        {"slug": "Kênh Chính", "name": "x"},
        {"slug": "kenh_chinh", "name": "x"},
        {"slug": "kenh-", "name": "x"},
        {"slug": "ok-slug", "name": "x", "timezone": "Asia/Sai_Gon"},
        {"slug": "ok-slug", "name": "x", "timezone": "../../etc/passwd"},
        {"slug": "ok-slug", "name": "x", "window_seconds": 17.0},
        {"slug": "ok-slug", "name": "x", "window_seconds": 3601},
        {
            "slug": "ok-slug",
            "name": "x",
            "filler_policy": {"slate": True, "filler_programme_ids": [str(failed)]},
        },
        {"slug": "ok-slug", "name": "x", "filler_policy": {"slate": False, "filler_programme_ids": []}},
        {
            "slug": "ok-slug",
            "name": "x",
            "profile": {
                "ladder": [720],
                "fps": 25,
                "gop_seconds": 4,
                "segment_seconds": 6,
                "segment_format": "mpegts",
            },
        },
        {"slug": "ok-slug", "name": "x", "epoch": "2020-01-01T00:00:00Z"},
    ]
    for body in bad:
        response = grid.post("/api/channels", body)
        assert response.status_code == 422, (body, response.text)
        assert " / " in response.json()["error"]["message"]
    tz = grid.post("/api/channels", {"slug": "ok-slug", "name": "x", "timezone": "Asia/Sai_Gon"}).json()
    assert tz["error"]["code"] == "invalid_timezone"
    assert "Múi giờ không hợp lệ" in tz["error"]["message"]
    assert "ok-slug" not in [c["slug"] for c in grid.client.get("/api/channels").json()]


def test_custom_profile_filler_and_duplicate_slug(grid: Grid) -> None:
    filler = grid.programme("Giới thiệu kênh", duration=120.0)
    body = {
        "slug": "kenh-hd",
        "name": "Kênh HD",
        "timezone": "Europe/Paris",
        "window_seconds": 18,
        "filler_policy": {"slate": False, "filler_programme_ids": [str(filler)]},
        "profile": {
            "ladder": [720, 1080],
            "fps": 25,
            "gop_seconds": 2,
            "segment_seconds": 6,
            "segment_format": "mpegts",
        },
    }
    created = grid.post("/api/channels", body, role="admin")
    assert created.status_code == 201, created.text
    assert created.json()["profile"]["ladder"] == [1080, 720]
    assert created.json()["profile"]["subtitles"] == ["vi"]
    assert created.json()["filler_policy"]["filler_programme_ids"] == [str(filler)]
    again = grid.post("/api/channels", body)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "slug_taken"


def _profile(ladder: list[int], **changes: object) -> dict[str, object]:
    """A channel profile in the house format of the settings, with `ladder` and any other field changed."""
    return {
        "ladder": ladder,
        "fps": 25,
        "gop_seconds": 2,
        "segment_seconds": 6,
        "segment_format": "mpegts",
    } | (changes)


def test_a_profile_the_transcoder_does_not_produce_is_refused_naming_what_it_produces(grid: Grid) -> None:
    """Programmes are transcoded once, to the settings' format: a channel asking for more would air filler."""
    refused = grid.post("/api/channels", {"slug": "kenh-240", "name": "x", "profile": _profile([720, 240])})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "rung_not_produced"
    assert error["message"] == (
        "Bộ chuyển mã không tạo bậc 240p; kênh chỉ dùng được các bậc 1080p, 720p, 480p, 360p"
        " / The transcoder does not produce 240p; a channel may use 1080p, 720p, 480p, 360p"
    )
    assert error["details"] == ["1080p", "720p", "480p", "360p"]
    for changes in ({"segment_format": "fmp4"}, {"segment_seconds": 4}, {"fps": 50, "gop_seconds": 1}):
        other = grid.post(
            "/api/channels", {"slug": "kenh-khac", "name": "x", "profile": _profile([720], **changes)}
        )
        assert other.status_code == 422, (changes, other.text)
        assert other.json()["error"]["code"] == "format_not_produced"
        assert other.json()["error"]["message"].startswith(
            "Kênh phải dùng định dạng của bộ chuyển mã: 25 hình/giây, GOP 2 giây, phân đoạn 6 giây, mpegts / "
        )
    slugs = [c["slug"] for c in grid.client.get("/api/channels").json()]
    assert "kenh-240" not in slugs
    assert "kenh-khac" not in slugs


def test_a_channel_with_some_of_the_house_rungs_airs_ready_programmes(grid: Grid) -> None:
    """The other side of the refusal: a subset of the rungs finds every ready programme playable."""
    created = grid.post(
        "/api/channels", {"slug": "kenh-nhe", "name": "Kênh nhẹ", "profile": _profile([480, 360])}
    )
    assert created.status_code == 201, created.text
    assert created.json()["profile"]["ladder"] == [480, 360]
    law = grid.programme("Luật Cư trú", duration=60.0)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    grid.place("kenh-nhe", law, start.isoformat())
    published = grid.post("/api/channels/kenh-nhe/publish", None)
    assert published.status_code == 200, published.text
    assert [c["kind"] for c in published.json()["conflicts"]] == []
    with state_of(grid.app).sessionmaker() as session:
        compiled = session.scalar(
            select(CompiledPlayout).where(CompiledPlayout.channel_id == uuid.UUID(created.json()["id"]))
        )
        assert compiled is not None
        timeline = timeline_from_dict(compiled.timeline)
    assert [v.name for v in timeline.channel.variants] == ["480p", "360p"]
    assert [(i.kind, i.programme_id) for i in timeline.items if i.programme_id == str(law)] == [
        ("programme", str(law))
    ]


def test_patch_changes_editable_fields_and_refuses_profile_and_epoch(grid: Grid, slug: str) -> None:
    created = grid.channel(slug)
    headers = grid.users["scheduler"].headers
    patched = grid.client.patch(
        f"/api/channels/{slug}",
        json={
            "name": "Kênh Giáo dục Pháp luật",
            "description": "Phổ biến pháp luật cho mọi người",
            "window_seconds": 60,
        },
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Kênh Giáo dục Pháp luật"
    assert patched.json()["epoch"] == created["epoch"]
    staff = grid.get(f"/api/channels/{slug}/settings", role="producer")
    assert staff.json() == patched.json()
    assert grid.client.get(f"/api/channels/{slug}/settings").status_code == 401
    for body in ({"profile": {"fps": 30}}, {"epoch": "2030-01-01T00:00:00Z"}, {"slug": "moi"}):
        refused = grid.client.patch(f"/api/channels/{slug}", json=body, headers=headers)
        assert refused.status_code == 422
        assert "cannot change" in str(refused.json()["error"]["details"])
    assert (
        grid.client.patch(f"/api/channels/{slug}", json={"window_seconds": 6}, headers=headers).status_code
        == 422
    )
    assert grid.client.patch("/api/channels/khong-co", json={"name": "x"}, headers=headers).status_code == 404
    assert grid.client.get(f"/api/channels/{slug}").json()["name"] == "Kênh Giáo dục Pháp luật"

    events = grid.get("/api/audit", role="admin", entity_type="channel", entity_id=created["id"]).json()
    assert [e["action"] for e in events] == ["channel.update", "channel.create"]
    assert events[0]["changes"]["name"] == {"from": "Kênh Pháp luật Chính", "to": "Kênh Giáo dục Pháp luật"}
    assert events[0]["actor_id"] == str(grid.users["scheduler"].user.id)
    assert events[0]["request_id"]


def test_ensure_channel_is_idempotent(grid: Grid, slug: str) -> None:
    from channel.grid import ensure_channel

    settings = state_of(grid.app).settings
    with state_of(grid.app).sessionmaker() as session:
        first = ensure_channel(session, slug=slug, name="Kênh Chính", settings=settings)
        session.commit()
        second = ensure_channel(session, slug=slug, name="Tên khác", settings=settings)
        session.commit()
        assert first.id == second.id
        assert second.name == "Kênh Chính"
    assert [c["slug"] for c in grid.client.get("/api/channels").json()].count(slug) == 1


def test_renaming_a_channel_requests_its_new_slate(grid: Grid, slug: str) -> None:
    created = grid.channel(slug)

    def slate_requests() -> int:
        sent = sent_tasks(state_of(grid.app).settings)
        return sum(1 for t in sent if t.name == ENSURE_SLATE_TASK and t.args == [created["id"]])

    assert slate_requests() == 1  # at creation
    headers = grid.users["scheduler"].headers
    grid.client.patch(f"/api/channels/{slug}", json={"window_seconds": 60}, headers=headers)
    assert slate_requests() == 1  # the name stayed

    renamed = grid.client.patch(f"/api/channels/{slug}", json={"name": "Kênh mới"}, headers=headers)

    assert renamed.status_code == 200, renamed.text
    assert slate_requests() == 2
