"""Conflicts before publishing, and publishing / the as-run log as far as the playout exists."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from channel.models import AsRunEntry, CompiledPlayout
from channel.state import state_of
from playlist import from_us, timeline_from_dict
from tests.channel.grid.conftest import Grid


def test_conflicts_list_overlaps_delays_programme_problems_and_gaps(
    grid: Grid, slug: str, at: Callable[..., str]
) -> None:
    grid.channel(slug)
    hour = grid.programme("Luật Phòng, chống tham nhũng", duration=3600.0)
    short = grid.programme("Tin nhanh pháp luật", duration=600.0)
    pending = grid.programme("Luật Đất đai (đang xử lý)", status="processing", duration=None)
    failed = grid.programme("Luật Thuế (lỗi)", status="failed", duration=None)
    a = grid.place(slug, hour, at("20:00"))
    b = grid.place(slug, short, at("20:45"))  # hard: cuts 15 min of a
    c = grid.place(slug, short, at("20:50"), mode="soft")  # soft: waits until 20:55
    d = grid.place(slug, pending, at("23:00"))  # gap 21:05–23:00; not ready
    e = grid.place(slug, failed, at("23:30"))

    response = grid.get(f"/api/channels/{slug}/conflicts", role="producer", **{"from": at("00:00")[:10]})
    assert response.status_code == 200, response.text
    found = [(x["kind"], x["severity"], x["entry_ids"], x["seconds"]) for x in response.json()]
    assert found == [
        ("overlap", "error", [a["id"], b["id"]], 900.0),
        ("delay", "warning", [b["id"], c["id"]], 300.0),
        ("gap", "warning", [c["id"], d["id"]], 6900.0),
        ("not_ready", "warning", [d["id"]], 0.0),
        ("gap", "warning", [d["id"], e["id"]], 1800.0),
        ("failed", "error", [e["id"]], 0.0),
    ]
    messages = [x["message"] for x in response.json()]
    assert "cắt 900 giây cuối của «Luật Phòng, chống tham nhũng»" in messages[0]
    assert all(" / " in m for m in messages)

    before = grid.get(f"/api/channels/{slug}/conflicts", **{"from": at("20:46"), "to": at("20:52")})
    assert [x["kind"] for x in before.json()] == ["delay"]  # the entry before the range counts too
    assert grid.get("/api/channels/khong-co/conflicts").status_code == 404
    tolerant = grid.get(f"/api/channels/{slug}/conflicts", min_gap="7200", **{"from": at("00:00")[:10]})
    assert [x["kind"] for x in tolerant.json()] == ["overlap", "delay", "not_ready", "failed"]


def test_publish_compiles_the_grid_and_as_run_lists_what_aired(grid: Grid, slug: str) -> None:
    channel = grid.channel(slug)
    law = grid.programme("Luật Giao thông đường bộ", duration=60.0)
    pending = grid.programme("Luật Thủ đô (chưa xong)", status="queued", duration=None)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    entry = grid.place(slug, law, start.isoformat())
    later = grid.place(slug, pending, (start + timedelta(minutes=10)).isoformat())

    refused = grid.post(f"/api/channels/{slug}/publish", None)  # only approved programmes are published
    assert refused.status_code == 409, refused.text
    blocking = refused.json()["error"]["details"]
    assert [(b["entry_id"], b["why"]) for b in blocking] == [(later["id"], "not_ready")]
    assert (
        grid.client.delete(f"/api/entries/{later['id']}", headers=grid.users["scheduler"].headers).status_code
        == 204
    )
    grid.place(slug, law, (start + timedelta(minutes=10)).isoformat())

    first = grid.post(f"/api/channels/{slug}/publish", None)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["version"] == 1
    assert datetime.fromisoformat(body["published_until"]) > start + timedelta(minutes=10)
    assert [c["kind"] for c in body["conflicts"]] == ["gap"]
    with state_of(grid.app).sessionmaker() as session:
        compiled = session.scalar(
            select(CompiledPlayout).where(CompiledPlayout.channel_id == uuid.UUID(channel["id"]))
        )
        assert compiled is not None
        items = timeline_from_dict(compiled.timeline).items
        aired = [i for i in items if i.entry_id == entry["id"]]
        assert [(i.programme_id, from_us(i.start_us)) for i in aired] == [(str(law), start)]
    second = grid.post(f"/api/channels/{slug}/publish", None, role="admin")
    assert second.json()["version"] == 2
    events = grid.get("/api/audit", entity_type="channel", entity_id=channel["id"]).json()
    assert [e["action"] for e in events[:2]] == ["channel.publish", "channel.publish"]
    assert events[1]["changes"]["version"] == 1
    assert events[1]["changes"]["conflicts"] == 1
    assert grid.post("/api/channels/khong-co/publish", None).status_code == 404

    with state_of(grid.app).sessionmaker() as session:  # an earlier airing, as the playout records it
        session.add(
            AsRunEntry(
                channel_id=uuid.UUID(channel["id"]),
                programme_id=law,
                kind="programme",
                title="Luật Giao thông đường bộ",
                started_at=datetime(2026, 1, 5, 13, 0, tzinfo=UTC),
                ended_at=datetime(2026, 1, 5, 13, 1, tzinfo=UTC),
            )
        )
        session.commit()
    logged = grid.get(
        f"/api/channels/{slug}/as-run", role="producer", **{"from": "2026-01-05", "to": "2026-01-06"}
    )
    assert logged.status_code == 200, logged.text
    assert [(r["title"], r["started_at"][:19]) for r in logged.json()] == [
        ("Luật Giao thông đường bộ", "2026-01-05T13:00:00")
    ]
    assert grid.get(f"/api/channels/{slug}/as-run").status_code == 200
