"""Programme metadata through the API: Vietnamese text, topics, legal documents, ownership, delete, audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from channel.models import AuditEvent, LegalDocument, Programme, ProgrammeStatus
from channel.state import state_of
from tests.channel.api_fixtures import swap_settings
from tests.channel.library.conftest import Library
from tests.channel.playout.helpers import seed_channel

TITLE = "Hỏi đáp Luật Giao thông đường bộ: nồng độ cồn và mức phạt"
DESCRIPTION = "Luật sư Nguyễn Thị Hằng giải đáp thắc mắc của khán giả về Nghị định 100/2019/NĐ-CP."
DOCUMENT = {
    "number": "100/2019/NĐ-CP",
    "title": "Nghị định quy định xử phạt vi phạm hành chính trong lĩnh vực giao thông đường bộ",
    "issuing_body": "Chính phủ",
    "issued_date": "2019-12-30",
}


def test_create_read_update_with_vietnamese_text(lib: Library) -> None:
    created = lib.create(
        title=TITLE,
        description=DESCRIPTION,
        topics=["luat-giao-thong-duong-bo"],
        legal_documents=[DOCUMENT],
        tags=["giao thông", "nồng độ cồn"],
        audience="Người tham gia giao thông",
    )
    assert created["status"] == "uploading"
    assert created["owner_id"] == str(lib.users["producer"].user.id)
    assert created["title"] == TITLE
    assert [t["name"] for t in created["topics"]] == ["Luật Giao thông đường bộ"]
    assert created["legal_documents"][0]["number"] == "100/2019/NĐ-CP"

    read = lib.call("GET", f"/api/programmes/{created['id']}", user="scheduler")
    assert read.status_code == 200
    assert read.json()["description"] == DESCRIPTION

    changed = lib.call(
        "PATCH",
        f"/api/programmes/{created['id']}",
        json={"title": "Nồng độ cồn: những điều cần biết", "topics": ["luat-dat-dai", "bo-luat-lao-dong"]},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["title"] == "Nồng độ cồn: những điều cần biết"
    assert body["description"] == DESCRIPTION  # untouched fields stay
    assert sorted(t["slug"] for t in body["topics"]) == ["bo-luat-lao-dong", "luat-dat-dai"]


def test_title_is_required_and_bounded(lib: Library) -> None:
    assert lib.call("POST", "/api/programmes", json={"title": ""}).status_code == 422
    assert lib.call("POST", "/api/programmes", json={"title": "đ" * 301}).status_code == 422
    assert lib.call("POST", "/api/programmes", json={"title": "đ" * 300}).status_code == 201


def test_unknown_topic_and_bad_document_number_are_refused(lib: Library) -> None:
    unknown = lib.call("POST", "/api/programmes", json={"title": "A", "topics": ["khong-co"]})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_topic"
    bad = lib.call(
        "POST", "/api/programmes", json={"title": "A", "legal_documents": [{"number": "<script>"}]}
    )
    assert bad.status_code == 422


def test_legal_documents_are_deduplicated_by_number(lib: Library) -> None:
    lib.create(title="Một", legal_documents=[DOCUMENT, {"number": DOCUMENT["number"]}])
    lib.create(title="Hai", legal_documents=[{"number": "100/2019/NĐ-CP"}, {"number": "471/QĐ-TTg"}])
    with state_of(lib.app).sessionmaker() as session:
        numbers = sorted(session.scalars(select(LegalDocument.number)))
    assert numbers == ["100/2019/NĐ-CP", "471/QĐ-TTg"]


def test_a_producer_cannot_edit_or_delete_another_producers_programme(lib: Library) -> None:
    theirs = lib.create(user="producer2", title="Của người khác")
    patch = lib.call("PATCH", f"/api/programmes/{theirs['id']}", json={"title": "Chiếm"})
    assert patch.status_code == 403
    assert patch.json()["error"]["code"] == "not_owner"
    assert lib.call("DELETE", f"/api/programmes/{theirs['id']}").status_code == 403
    assert (
        lib.call("PATCH", f"/api/programmes/{theirs['id']}", user="admin", json={"title": "Sửa"}).status_code
        == 200
    )


def test_unknown_programme_is_404_with_the_envelope(lib: Library) -> None:
    response = lib.call("GET", f"/api/programmes/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Không tìm thấy chương trình / Programme not found"


def test_delete_is_refused_while_the_programme_is_scheduled_in_the_future(lib: Library) -> None:
    created = lib.create(title="Sắp phát sóng")
    now = datetime.now(UTC)
    lib.schedule(created["id"], start_at=now - timedelta(days=1))  # the past does not block
    soon = lib.schedule(created["id"], start_at=now + timedelta(hours=2))
    later = lib.schedule(created["id"], start_at=now + timedelta(days=3), slug="kenh-dat-dai")

    response = lib.call("DELETE", f"/api/programmes/{created['id']}")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "programme_scheduled"
    assert [slot["entry_id"] for slot in error["details"]] == [str(soon), str(later)]
    assert [slot["channel_slug"] for slot in error["details"]] == ["vtv-phap-luat", "kenh-dat-dai"]
    assert lib.call("GET", f"/api/programmes/{created['id']}").status_code == 200


def test_delete_is_refused_while_on_air_or_in_the_catch_up(lib: Library) -> None:
    settings = state_of(lib.app).settings
    air = seed_channel(state_of(lib.app).sessionmaker, settings)  # 1-minute programmes from 3 min ago
    aired, on_air = air.programmes[0], air.programmes[1]  # ended 2 min ago; airing now

    for pid in (aired, on_air):
        response = lib.call("DELETE", f"/api/programmes/{pid}", user="admin")
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["code"] == "programme_on_air"
        assert {airing["channel_slug"] for airing in error["details"]} == {air.slug}
        assert all(
            datetime.fromisoformat(a["end_at"]) > datetime.now(UTC) - timedelta(hours=1)
            for a in error["details"]
        )

    swap_settings(lib.app, timeshift_retention_hours=0.01)  # 36 s
    assert lib.call("DELETE", f"/api/programmes/{aired}", user="admin").status_code == 204  # out of catch-up
    assert lib.call("DELETE", f"/api/programmes/{on_air}", user="admin").status_code == 409


def test_delete_is_soft_and_removes_the_media(lib: Library) -> None:
    created = lib.create(title="Bỏ đi")
    store = state_of(lib.app).store
    store.put_bytes(f"programmes/{created['id']}/r1/master.m3u8", b"#EXTM3U\n")
    store.put_bytes(f"sources/{created['id']}/r1", b"source")

    assert lib.call("DELETE", f"/api/programmes/{created['id']}").status_code == 204

    assert lib.call("GET", f"/api/programmes/{created['id']}").status_code == 404
    assert not store.exists(f"programmes/{created['id']}/r1/master.m3u8")
    assert not store.exists(f"sources/{created['id']}/r1")
    with state_of(lib.app).sessionmaker() as session:
        row = session.get(Programme, uuid.UUID(created["id"]))
        assert row is not None
        assert row.status == ProgrammeStatus.DELETED


def test_every_change_writes_an_audit_event(lib: Library) -> None:
    created = lib.create(title="Kiểm toán")
    lib.call("PATCH", f"/api/programmes/{created['id']}", json={"title": "Kiểm toán (sửa)"})
    lib.call("PATCH", f"/api/programmes/{created['id']}", json={"title": "Kiểm toán (sửa)"})  # no change
    lib.call("DELETE", f"/api/programmes/{created['id']}", user="admin")

    with state_of(lib.app).sessionmaker() as session:
        events = list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == created["id"]).order_by(AuditEvent.at)
            )
        )
    assert [e.action for e in events] == ["programme.create", "programme.update", "programme.delete"]
    assert events[0].actor_id == lib.users["producer"].user.id
    assert events[1].changes == {"title": {"from": "Kiểm toán", "to": "Kiểm toán (sửa)"}}
    assert events[2].actor_id == lib.users["admin"].user.id
    assert events[2].changes["status"] == {"from": "uploading", "to": "deleted"}
    assert all(e.request_id for e in events)


def test_public_view_shows_only_ready_programmes_without_owner(lib: Library) -> None:
    created = lib.create(title="Công khai", topics=["luat-dat-dai"], legal_documents=[DOCUMENT])
    url = f"/api/public/programmes/{created['id']}"
    assert lib.call("GET", url, user=None).status_code == 404

    with state_of(lib.app).sessionmaker() as session:
        row = session.get(Programme, uuid.UUID(created["id"]))
        assert row is not None
        row.status, row.media_prefix, row.duration = ProgrammeStatus.READY, f"programmes/{row.id}/r1/", 3.0
        row.media = {"master": "master.m3u8", "poster": "poster.jpg", "thumbnails": ["thumbs/thumb_00.jpg"]}
        row.source_key = f"sources/{row.id}/r1"
        session.commit()
    assert lib.call("GET", url, user=None).status_code == 404  # ready, but no editor approved it yet
    lib.approve(created["id"])

    response = lib.call("GET", url, user=None)
    assert response.status_code == 200
    body = response.json()
    prefix = f"/media/programmes/{created['id']}/r1/"
    assert body["playlist_url"] == f"/api/programmes/{created['id']}/master.m3u8"  # lists its subtitles
    assert body["poster_url"] == f"{prefix}poster.jpg"
    assert body["thumbnail_urls"] == [f"{prefix}thumbs/thumb_00.jpg"]
    assert body["topics"][0]["slug"] == "luat-dat-dai"
    assert body["legal_documents"][0]["issuing_body"] == "Chính phủ"
    assert not {"owner_id", "source_key", "original_filename", "error_message"} & set(body)
    assert "sources/" not in response.text


def test_viewers_keep_the_approved_revision_while_a_new_one_waits_for_review(lib: Library) -> None:
    created = lib.create(title="Luật Đất đai 2024", description="Bản đã duyệt", legal_documents=[DOCUMENT])
    pid = uuid.UUID(created["id"])
    url = f"/api/public/programmes/{pid}"
    with state_of(lib.app).sessionmaker() as session:
        row = session.get_one(Programme, pid)
        row.status, row.media_prefix, row.duration = ProgrammeStatus.READY, f"programmes/{pid}/r1/", 3.0
        row.media = {"master": "master.m3u8", "poster": "poster.jpg", "segment_durations": [3.0]}
        session.commit()
    lib.approve(pid)
    edited = lib.call(
        "PATCH",
        f"/api/programmes/{pid}",
        json={"title": "Tiêu đề chưa duyệt", "description": "Mô tả chưa duyệt", "legal_documents": []},
    )
    assert edited.status_code == 200, edited.text
    with state_of(lib.app).sessionmaker() as session:  # a replaced source, transcoded into revision 2
        row = session.get_one(Programme, pid)
        row.media_prefix, row.media = f"programmes/{pid}/r2/", {"master": "master.m3u8", "poster": "new.jpg"}
        session.commit()

    body = lib.call("GET", url, user=None).json()
    assert (body["title"], body["description"]) == ("Luật Đất đai 2024", "Bản đã duyệt")
    assert body["poster_url"] == f"/media/programmes/{pid}/r1/poster.jpg"
    assert body["legal_documents"] == []  # removed since: only approved documents that the row still names
    page = lib.call("GET", f"/chuong-trinh/{pid}", user=None)
    assert page.status_code == 200
    assert "Luật Đất đai 2024" in page.text
    assert "chưa duyệt" not in page.text
