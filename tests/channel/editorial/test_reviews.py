"""Four-eyes review through the API: approve or reject the exact revision, re-approval on replacement,
publishing refused with the blocking list, and what airs is always the approved revision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from httpx2 import Response

from channel.editorial.facts import fingerprint
from channel.state import state_of
from tests.channel.editorial.conftest import Desk, description, sha256

SLUG = "kenh-duyet"


def _channel(desk: Desk) -> None:
    made = desk.call("POST", "/api/channels", user="scheduler", json={"slug": SLUG, "name": "Kênh Pháp luật"})
    assert made.status_code == 201, made.text


def _place(desk: Desk, pid: str, start: datetime) -> str:
    placed = desk.call(
        "POST",
        f"/api/channels/{SLUG}/entries",
        user="scheduler",
        json={"programme_id": pid, "start": start.isoformat(), "mode": "hard"},
    )
    assert placed.status_code == 201, placed.text
    return str(placed.json()[0]["id"])


def _publish(desk: Desk) -> Response:
    response: Response = desk.call("POST", f"/api/channels/{SLUG}/publish", user="scheduler")
    return response


def _prefixes(desk: Desk, pid: str) -> set[str]:
    """The media prefixes the live timeline airs for a programme (one per revision)."""
    return {
        i.source.segment_key("720p", 0).rsplit("/", 2)[0]
        for i in desk.timeline(SLUG).items
        if i.programme_id == pid and i.kind == "programme"
    }


def test_an_editor_approves_the_exact_revision_and_only_then_it_can_be_published(desk: Desk) -> None:
    pid = desk.upload(title="Luật Giao thông đường bộ 2024", source=b"camera file one")
    assert desk.review(pid)["state"] == "not_ready"  # still transcoding: nothing to watch yet
    desk.transcoded(pid)

    queue = desk.call("GET", "/api/reviews", user="editor").json()
    (item,) = [q for q in queue if q["programme_id"] == pid]
    assert item["state"] == "pending"
    assert item["revision"] == 1
    assert item["facts"]["source"]["sha256"] == sha256(b"camera file one")  # the exact file uploaded
    assert item["facts"]["output"]["renditions"] == ["1080p", "720p", "480p", "360p"]
    assert item["facts"]["output"]["duration"] == 60.0
    assert item["preview_url"] == f"/api/programmes/{pid}/preview/{sha256(b'camera file one')}/master.m3u8"
    assert item["you_may_review"] is True
    assert item["owner"] == "producer"
    assert desk.call("GET", "/api/reviews", user="producer").status_code == 403

    _channel(desk)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    entry = _place(desk, pid, start)  # the draft grid may name it; publishing may not
    refused = _publish(desk)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "unapproved_items"
    assert " / " in error["message"]
    assert [(d["entry_id"], d["programme_id"], d["why"]) for d in error["details"]] == [
        (entry, pid, "awaiting_review")
    ]
    assert "Luật Giao thông đường bộ 2024" in error["details"][0]["message"]

    approved = desk.approve(pid, note="Đúng văn bản luật hiện hành")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["state"] == "approved"
    assert body["airing"]["decided_by"] == "editor"
    assert body["airing"]["reason"] == "Đúng văn bản luật hiện hành"
    assert pid not in {q["programme_id"] for q in desk.call("GET", "/api/reviews", user="editor").json()}
    again = desk.approve(pid, user="editor2")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_approved"

    published = _publish(desk)
    assert published.status_code == 200, published.text
    assert _prefixes(desk, pid) == {f"programmes/{pid}/r1"}
    (event,) = [e for e in desk.audit("programme.approve") if e["entity_id"] == pid]
    assert event["changes"]["source_sha256"] == sha256(b"camera file one")
    assert event["changes"]["fingerprint"] == body["fingerprint"]


def test_nobody_approves_their_own_revision_whatever_roles_they_hold(desk: Desk) -> None:
    own = desk.ready(title="Hỏi đáp pháp luật đất đai", user="producer_editor")
    mine = desk.review(own, user="producer_editor")
    assert mine["you_may_review"] is False
    refused = desk.approve(own, user="producer_editor")  # producer and editor in one person
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four_eyes"
    assert " / " in refused.json()["error"]["message"]

    by_admin = desk.ready(title="Thông tin pháp luật tuần", user="admin")
    assert desk.approve(by_admin, user="admin").json()["error"]["code"] == "four_eyes"  # admins too
    desk.approved(by_admin, user="producer_editor")  # another person's work: fine

    # someone who edits a reviewed field becomes an author of the revision
    other = desk.ready(title="Luật Hôn nhân và gia đình", user="producer")
    desk.approved(other, user="editor")
    edited = desk.call(
        "PATCH", f"/api/programmes/{other}", user="admin", json={"title": "Luật Hôn nhân & Gia đình"}
    )
    assert edited.status_code == 200, edited.text
    assert desk.review(other)["state"] == "pending"
    assert desk.approve(other, user="admin").json()["error"]["code"] == "four_eyes"
    desk.approved(other, user="editor2")

    # approving needs the revision the editor saw: a change in between is refused
    stale = desk.review(other)["fingerprint"]
    desk.call("PATCH", f"/api/programmes/{other}", json={"title": "Luật HN&GĐ (sửa)"})
    changed = desk.call(
        "POST", f"/api/programmes/{other}/review/approve", user="editor", json={"fingerprint": stale}
    )
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "revision_changed"


def test_a_rejection_carries_a_reason_the_producer_reads(desk: Desk) -> None:
    pid = desk.ready(title="Luật Thuế thu nhập cá nhân")
    fp = desk.review(pid)["fingerprint"]
    blank = desk.call(
        "POST",
        f"/api/programmes/{pid}/review/reject",
        user="editor",
        json={"fingerprint": fp, "reason": "  "},
    )
    assert blank.status_code == 422
    assert blank.json()["error"]["code"] == "reason_required"
    rejected = desk.call(
        "POST",
        f"/api/programmes/{pid}/review/reject",
        user="editor",
        json={"fingerprint": fp, "reason": "Phút 12: trích sai Điều 7 Luật Thuế TNCN"},
    )
    assert rejected.status_code == 200, rejected.text
    seen = desk.review(pid, user="producer")  # the producer reads it
    assert seen["state"] == "rejected"
    assert seen["decision"]["reason"] == "Phút 12: trích sai Điều 7 Luật Thuế TNCN"
    assert seen["decision"]["decided_by"] == "editor"
    assert seen["you_may_review"] is False
    assert pid not in {q["programme_id"] for q in desk.call("GET", "/api/reviews", user="editor").json()}
    # the producer fixes it: a new source is a new revision, back in the queue
    desk.replace_source(pid, source=b"fixed cut")
    desk.transcoded(pid)
    assert desk.review(pid)["state"] == "pending"
    assert [h["decision"] for h in desk.review(pid)["history"]] == ["rejected"]


def test_a_replaced_source_returns_to_review_and_the_approved_revision_airs_until_then(desk: Desk) -> None:
    pid = desk.ready(title="Bộ luật Dân sự - tập 1")
    desk.approved(pid)
    _channel(desk)
    now = datetime.now(UTC).replace(microsecond=0)
    for k in range(3):
        _place(desk, pid, now + timedelta(minutes=10 + 5 * k))
    assert _publish(desk).status_code == 200
    assert _prefixes(desk, pid) == {f"programmes/{pid}/r1"}

    desk.replace_source(pid, source=b"re-edited master")
    state = desk.review(pid)
    assert state["state"] == "not_ready"
    assert state["airing"]["revision"] == 1
    assert _publish(desk).status_code == 200  # the approved revision still stands
    assert _prefixes(desk, pid) == {f"programmes/{pid}/r1"}

    desk.transcoded(pid, media=description(segments=8))
    state = desk.review(pid)
    assert (state["state"], state["revision"]) == ("pending", 2)
    assert state["facts"]["source"]["sha256"] == sha256(b"re-edited master")
    assert state["airing"]["revision"] == 1
    assert _publish(desk).status_code == 200
    assert _prefixes(desk, pid) == {f"programmes/{pid}/r1"}  # the new one waits for review

    desk.approved(pid, user="editor2")
    assert _publish(desk).status_code == 200
    assert _prefixes(desk, pid) == {f"programmes/{pid}/r2"}
    assert [(h["revision"], h["decision"]) for h in desk.review(pid)["history"]] == [
        (2, "approved"),
        (1, "approved"),
    ]


def test_subtitles_title_and_laws_need_a_new_approval_cosmetic_fields_do_not(desk: Desk) -> None:
    pid = desk.ready(
        title="Luật Đất đai 2024", legal_documents=[{"number": "31/2024/QH15", "title": "Luật Đất đai"}]
    )
    desk.approved(pid)
    for change in ({"tags": ["đất đai", "sổ đỏ"]}, {"audience": "Người dân nông thôn"}):
        assert desk.call("PATCH", f"/api/programmes/{pid}", json=change).status_code == 200
        assert desk.review(pid)["state"] == "approved", change
    significant: list[dict[str, object]] = [
        {"description": "Những điểm mới về bồi thường khi thu hồi đất"},
        {"title": "Luật Đất đai năm 2024"},
        {"legal_documents": [{"number": "102/2024/NĐ-CP", "title": "Nghị định hướng dẫn"}]},
    ]
    for edit in significant:
        assert desk.call("PATCH", f"/api/programmes/{pid}", json=edit).status_code == 200
        assert desk.review(pid)["state"] == "pending", edit
        desk.approved(pid, user="editor2")
    vtt = "WEBVTT\n\n00:00.000 --> 00:04.000\nĐiều 1. Phạm vi điều chỉnh\n"
    uploaded = desk.call(
        "POST",
        f"/api/programmes/{pid}/subtitles",
        params={"language": "vi", "label": "Tiếng Việt"},
        content=vtt.encode(),
    )
    assert uploaded.status_code == 201, uploaded.text
    state = desk.review(pid)
    assert state["state"] == "pending"
    assert state["facts"]["subtitles"] == [
        {"language": "vi", "label": "Tiếng Việt", "sha256": sha256(vtt.encode())}
    ]
    assert state["airing"]["revision"] == 1  # the approval before the subtitles still airs


def test_the_fingerprint_covers_exactly_the_fields_that_need_review() -> None:
    facts = {
        "revision": 1,
        "source": {"key": "sources/x/r1", "sha256": "ab"},
        "output": {"media_prefix": "programmes/x/r1/"},
        "subtitles": [],
        "title": "Luật Đất đai",
        "description": "Mô tả",
        "language": "vi",
        "audience": "",
        "tags": [],
        "topics": ["dat-dai"],
        "legal_documents": ["31/2024/QH15"],
    }
    base = fingerprint(facts, cosmetic=["tags", "audience", "topics"])
    assert (
        fingerprint({**facts, "tags": ["x"], "topics": []}, cosmetic=["tags", "audience", "topics"]) == base
    )
    for key, value in [
        ("title", "Khác"),
        ("legal_documents", []),
        ("description", "Khác"),
        ("subtitles", [1]),
    ]:
        assert fingerprint({**facts, key: value}, cosmetic=["tags", "audience", "topics"]) != base, key
    relaxed = ["description", "tags"]
    assert fingerprint({**facts, "description": "Sửa lỗi chính tả"}, cosmetic=relaxed) == fingerprint(
        facts, cosmetic=relaxed
    )
    assert fingerprint({**facts, "title": "x"}, cosmetic=["title"]) != fingerprint(facts, cosmetic=["title"])


def test_publishing_lists_every_blocking_entry_and_filler_with_why(desk: Desk) -> None:
    _channel(desk)
    approved = desk.ready(title="A - đã duyệt")
    desk.approved(approved)
    waiting = desk.ready(title="B - chờ duyệt")
    rejected = desk.ready(title="C - bị từ chối")
    fp = desk.review(rejected)["fingerprint"]
    desk.call(
        "POST",
        f"/api/programmes/{rejected}/review/reject",
        user="editor",
        json={"fingerprint": fp, "reason": "Sai luật"},
    )
    unready = desk.upload(title="D - đang chuyển mã")
    filler = desk.ready(title="F - chương trình chờ")
    with state_of(desk.app).sessionmaker() as session:  # the channel's filler programme, not approved
        from channel.models import Channel

        channel = session.query(Channel).filter_by(slug=SLUG).one()
        channel.filler_policy = {"slate": True, "filler_programme_ids": [filler]}
        session.commit()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    entries = [
        _place(desk, pid, start + timedelta(minutes=5 * k))
        for k, pid in enumerate([approved, waiting, rejected, unready])
    ]
    before = desk.versions(SLUG)
    refused = _publish(desk)
    assert refused.status_code == 409
    details = refused.json()["error"]["details"]
    assert [(d["entry_id"], d["title"], d["why"]) for d in details] == [
        (entries[1], "B - chờ duyệt", "awaiting_review"),
        (entries[2], "C - bị từ chối", "rejected"),
        (entries[3], "D - đang chuyển mã", "not_ready"),
        (None, "F - chương trình chờ", "awaiting_review"),
    ]
    assert all(" / " in d["message"] for d in details)
    assert desk.versions(SLUG) == before  # nothing published
