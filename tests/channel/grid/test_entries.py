"""Grid entries through the API: slots, recurring slots, series, moves, deletes, copies, the freeze."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from channel.models import ScheduleEntry, ScheduleMode
from channel.state import state_of
from tests.channel.grid.conftest import HCM, Grid

WEEKDAYS_20H = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=20;BYMINUTE=0"


def test_one_slot_in_local_time_or_with_an_offset(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    law = grid.programme("Luật Giao thông đường bộ 2024")
    local = grid.place(slug, law, at("20:00"))
    assert local["start_at"].endswith("T13:00:00Z") or local["start_at"].endswith("T13:00:00+00:00")
    assert local["start_local"].endswith("T20:00:00+07:00")
    assert local["programme_title"] == "Luật Giao thông đường bộ 2024"
    assert local["mode"] == "hard"
    assert local["series_id"] is None
    assert local["rrule"] is None
    assert datetime.fromisoformat(local["end_at"]) - datetime.fromisoformat(local["start_at"]) == timedelta(
        minutes=30
    )
    utc = grid.place(slug, law, at("14:00Z"), mode="soft")
    assert utc["start_local"].endswith("T21:00:00+07:00")
    assert utc["mode"] == "soft"

    listed = grid.get(
        f"/api/channels/{slug}/entries", role="producer", **{"from": at("00:00"), "to": at("23:59")}
    )
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [local["id"], utc["id"]]
    day = grid.get(f"/api/channels/{slug}/entries", **{"from": at("00:00")[:10], "to": at("20:30")})
    assert [e["id"] for e in day.json()] == [local["id"]]


def test_weekday_rrule_is_20h_local_13h_utc_on_weekdays_only(
    grid: Grid, slug: str, future_day: date, at: Callable[..., str]
) -> None:
    grid.channel(slug)
    news = grid.programme("Bản tin Pháp luật 20 giờ")
    response = grid.post(
        f"/api/channels/{slug}/entries",
        {"programme_id": str(news), "start": at("00:00"), "rrule": WEEKDAYS_20H},
    )
    assert response.status_code == 201, response.text
    entries = response.json()
    assert len(entries) == 40  # 8 weeks of weekdays (the default horizon)
    assert len({e["series_id"] for e in entries}) == 1
    assert entries[0]["series_id"]
    assert {e["rrule"] for e in entries} == {WEEKDAYS_20H}
    for entry in entries:
        start = datetime.fromisoformat(entry["start_at"])
        assert (start.hour, start.minute) == (13, 0)
        assert start.astimezone(HCM).weekday() < 5
    first = datetime.fromisoformat(entries[0]["start_at"]).astimezone(HCM)
    assert first.date() == future_day
    assert first.hour == 20
    listed = grid.get(
        f"/api/channels/{slug}/entries", **{"from": at("00:00")[:10], "to": at("00:00", days=7)[:10]}
    )
    assert len(listed.json()) == 5


def test_series_episode_by_episode_on_saturdays(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    episodes = [grid.programme(f"Hỏi đáp Luật Đất đai — tập {n}") for n in (1, 2, 3)]
    body = {
        "programme_ids": [str(e) for e in episodes],
        "start": at("00:00"),
        "rrule": "FREQ=WEEKLY;BYDAY=SA;BYHOUR=9;BYMINUTE=0",
        "mode": "soft",
    }
    created = grid.post(f"/api/channels/{slug}/entries", body)
    assert created.status_code == 201, created.text
    entries = created.json()
    assert [e["programme_id"] for e in entries] == [str(e) for e in episodes]
    locals_ = [datetime.fromisoformat(e["start_local"]) for e in entries]
    assert [d.weekday() for d in locals_] == [5, 5, 5]
    assert {d.hour for d in locals_} == {9}
    assert [(b - a).days for a, b in itertools.pairwise(locals_)] == [7, 7]

    short = grid.post(f"/api/channels/{slug}/entries", {**body, "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=2"})
    assert short.status_code == 422
    assert short.json()["error"]["code"] == "too_few_occurrences"
    assert "chỉ có 2 lần phát cho 3 tập" in short.json()["error"]["message"]


def test_bad_requests(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    ok = grid.programme("Luật Hôn nhân và Gia đình")
    gone = grid.programme("Đã xóa", status="deleted")
    url = f"/api/channels/{slug}/entries"
    cases = [
        (
            {"programme_id": str(ok), "start": at("20:00"), "rrule": "FREQ=EVERY;BYDAY=MO"},
            422,
            "invalid_rrule",
        ),
        ({"programme_id": str(ok), "start": "tối thứ hai"}, 422, "invalid_datetime"),
        ({"programme_id": str(ok), "start": "2026-12-01"}, 422, "invalid_datetime"),
        ({"programme_id": str(ok), "start": "9999-12-31T23:59:59-12:00"}, 422, "invalid_datetime"),
        ({"programme_id": str(ok), "start": "0001-01-01T00:00"}, 422, "invalid_datetime"),
        ({"programme_id": str(uuid.uuid4()), "start": at("20:00")}, 422, "unknown_programme"),
        ({"programme_id": str(gone), "start": at("20:00")}, 422, "unknown_programme"),
        ({"programme_id": str(ok)}, 422, "validation_error"),
        ({"programme_ids": [str(ok)], "start": at("20:00")}, 422, "validation_error"),
        ({"programme_id": str(ok), "start": at("20:00"), "mode": "loose"}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = grid.post(url, body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), (
            body,
            response.text,
        )
        assert " / " in response.json()["error"]["message"]
    rule = grid.post(url, cases[0][0]).json()["error"]["message"]
    assert rule.startswith("Quy tắc lặp (RRULE) không hợp lệ")
    assert (
        grid.post(
            "/api/channels/khong-co/entries", {"programme_id": str(ok), "start": at("20:00")}
        ).status_code
        == 404
    )
    assert (
        grid.get(f"/api/channels/{slug}/entries", **{"from": at("20:00"), "to": at("19:00")}).status_code
        == 422
    )
    assert grid.get(f"/api/channels/{slug}/entries", **{"from": "hôm qua"}).status_code == 422


def test_move_change_programme_and_delete(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    first = grid.programme("Luật Cư trú")
    second = grid.programme("Luật Căn cước")
    entry = grid.place(slug, first, at("08:00"))
    headers = grid.users["scheduler"].headers
    moved = grid.client.patch(
        f"/api/entries/{entry['id']}",
        json={"start": at("09:30"), "mode": "soft", "programme_id": str(second)},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start_local"].endswith("T09:30:00+07:00")
    assert (moved.json()["mode"], moved.json()["programme_title"]) == ("soft", "Luật Căn cước")
    assert (
        grid.client.patch(f"/api/entries/{uuid.uuid4()}", json={"mode": "hard"}, headers=headers).status_code
        == 404
    )
    assert grid.client.delete(f"/api/entries/{entry['id']}", headers=headers).status_code == 204
    assert grid.client.delete(f"/api/entries/{entry['id']}", headers=headers).status_code == 404

    events = grid.get("/api/audit", entity_type="schedule_entry", entity_id=entry["id"]).json()
    assert [e["action"] for e in events] == ["entry.delete", "entry.update", "entry.create"]
    update = events[1]["changes"]
    assert update["mode"] == {"from": "hard", "to": "soft"}
    assert update["programme_id"] == {"from": str(first), "to": str(second)}
    assert set(update) == {"mode", "programme_id", "start_at"}


def test_delete_the_rest_of_a_series(grid: Grid, slug: str, at: Callable[..., str]) -> None:
    grid.channel(slug)
    show = grid.programme("Pháp luật và Cuộc sống")
    entries = grid.post(
        f"/api/channels/{slug}/entries",
        {"programme_id": str(show), "start": at("19:00"), "rrule": "FREQ=DAILY;COUNT=10"},
    ).json()
    series = entries[0]["series_id"]
    headers = grid.users["scheduler"].headers
    removed = grid.client.delete(
        f"/api/series/{series}", params={"from": at("00:00", days=4)[:10]}, headers=headers
    )
    assert removed.status_code == 200, removed.text
    assert removed.json() == {"series_id": series, "deleted": 6, "kept_frozen": 0}
    left = grid.get(
        f"/api/channels/{slug}/entries", **{"from": at("00:00")[:10], "to": at("00:00", days=20)[:10]}
    )
    assert len(left.json()) == 4
    assert grid.client.delete(f"/api/series/{uuid.uuid4()}", headers=headers).status_code == 404
    event = grid.get("/api/audit", entity_type="schedule_series", entity_id=series).json()
    assert [e["action"] for e in event] == ["series.delete", "series.create"]
    assert len(event[0]["changes"]["deleted"]) == 6
    assert len(event[1]["changes"]["entries"]) == 10


def test_copy_a_day_and_a_week_keeping_local_times(
    grid: Grid, slug: str, future_day: date, at: Callable[..., str]
) -> None:
    channel = grid.channel(slug)
    morning, evening = grid.programme("Luật Lao động"), grid.programme("Luật Bảo hiểm xã hội")
    grid.place(slug, morning, at("07:00"))
    grid.place(slug, evening, at("20:00"), mode="soft")
    grid.place(slug, morning, at("07:00", days=2))
    url = f"/api/channels/{slug}/copy"
    day = grid.post(url, {"source": at("00:00")[:10], "target": at("00:00", days=1)[:10], "span": "day"})
    assert day.status_code == 201, day.text
    copies = day.json()["created"]
    assert [(c["start_local"][11:19], c["mode"]) for c in copies] == [
        ("07:00:00", "hard"),
        ("20:00:00", "soft"),
    ]
    assert {c["start_local"][:10] for c in copies} == {(future_day + timedelta(days=1)).isoformat()}
    assert all(c["series_id"] is None for c in copies)

    week = grid.post(url, {"source": at("00:00")[:10], "target": at("00:00", days=7)[:10], "span": "week"})
    assert week.status_code == 201
    assert len(week.json()["created"]) == 5
    again = grid.post(
        url, {"source": at("00:00")[:10], "target": at("00:00", days=7)[:10], "span": "week", "replace": True}
    )
    assert again.json()["removed"] == 5
    assert len(again.json()["created"]) == 5
    listed = grid.get(
        f"/api/channels/{slug}/entries", **{"from": at("00:00", days=7)[:10], "to": at("00:00", days=14)[:10]}
    )
    assert len(listed.json()) == 5
    same = grid.post(url, {"source": at("00:00")[:10], "target": at("00:00")[:10]})
    assert same.status_code == 422
    far = grid.post(url, {"source": at("00:00")[:10], "target": "9999-12-31"})
    assert far.json()["error"]["code"] == "invalid_date"
    past = grid.post(url, {"source": at("00:00")[:10], "target": "2020-01-01"})
    assert past.status_code == 409
    logged = grid.get("/api/audit", entity_type="channel", entity_id=channel["id"]).json()
    assert [e["action"] for e in logged] == ["grid.copy"] * 3 + ["channel.create"]
    latest = logged[0]["changes"]
    assert (len(latest["created"]), len(latest["removed"]), latest["span"]) == (5, 5, "week")


def test_the_published_part_is_frozen(grid: Grid, slug: str) -> None:
    channel = grid.channel(slug)
    law = grid.programme("Thông báo khẩn")
    now = datetime.now(UTC)
    soon = (now + timedelta(seconds=2)).isoformat()
    refused = grid.post(f"/api/channels/{slug}/entries", {"programme_id": str(law), "start": soon})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "frozen"
    assert "đã bị khóa" in refused.json()["error"]["message"]
    assert "frozen" in refused.json()["error"]["message"]

    later = grid.place(slug, law, (now + timedelta(hours=1)).isoformat())
    headers = grid.users["scheduler"].headers
    into_past = grid.client.patch(f"/api/entries/{later['id']}", json={"start": soon}, headers=headers)
    assert into_past.status_code == 409

    with state_of(grid.app).sessionmaker() as session:  # an entry already on air
        on_air = ScheduleEntry(
            channel_id=uuid.UUID(channel["id"]),
            programme_id=law,
            start_at=now - timedelta(minutes=5),
            mode=ScheduleMode.HARD,
            series_id=uuid.uuid4(),
            rrule="FREQ=DAILY;COUNT=1",
        )
        session.add(on_air)
        session.commit()
        on_air_id, series = on_air.id, on_air.series_id
    assert grid.client.delete(f"/api/entries/{on_air_id}", headers=headers).status_code == 409
    moved = grid.client.patch(
        f"/api/entries/{on_air_id}", json={"start": (now + timedelta(hours=2)).isoformat()}, headers=headers
    )
    assert moved.status_code == 409
    kept = grid.client.delete(f"/api/series/{series}", params={"from": "2000-01-01"}, headers=headers).json()
    assert kept == {"series_id": str(series), "deleted": 0, "kept_frozen": 1}


def test_an_urgent_insert_now_lands_just_after_the_frozen_part(grid: Grid, slug: str) -> None:
    grid.channel(slug)
    notice = grid.programme("Thông báo khẩn: lịch tiếp công dân", duration=30.0)
    before = datetime.now(UTC)
    entry = grid.place(slug, notice, "now")
    start = datetime.fromisoformat(entry["start_at"])
    assert before + timedelta(seconds=6) <= start <= datetime.now(UTC) + timedelta(seconds=7)
    assert start.microsecond == 0


def test_a_rule_without_start_or_with_a_past_start_only_places_future_slots(grid: Grid, slug: str) -> None:
    grid.channel(slug)
    show = grid.programme("Góc tư vấn pháp luật")
    now = datetime.now(UTC)
    url = f"/api/channels/{slug}/entries"
    fresh = grid.post(url, {"programme_id": str(show), "rrule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=30;COUNT=3"})
    assert fresh.status_code == 201, fresh.text
    starts = [datetime.fromisoformat(e["start_local"]) for e in fresh.json()]
    assert len(starts) == 3
    assert all(s > now and (s.hour, s.minute, s.second) == (6, 30, 0) for s in starts)
    past = (now - timedelta(days=3)).astimezone(HCM).replace(tzinfo=None).isoformat(timespec="minutes")
    late = grid.post(url, {"programme_id": str(show), "start": past, "rrule": "FREQ=DAILY"})
    assert late.status_code == 201
    assert all(datetime.fromisoformat(e["start_at"]) > now for e in late.json())
    assert len(late.json()) in (56, 57)  # 8 weeks from now
