"""The managed list of legal topics: seeded by the migration, idempotent, extended by admins."""

from __future__ import annotations

from channel.library.topics import DEFAULT_TOPICS, ensure_default_topics
from channel.state import state_of
from tests.channel.library.conftest import Library


def test_default_topics_are_seeded_once(lib: Library) -> None:
    topics = lib.call("GET", "/api/topics", user=None).json()
    assert len(topics) == len(DEFAULT_TOPICS)
    by_slug = {topic["slug"]: topic for topic in topics}
    assert by_slug["phong-chong-tham-nhung"]["name"] == "Phòng, chống tham nhũng"
    assert by_slug["luat-giao-thong-duong-bo"]["name_en"] == "Road Traffic Law"
    assert all(slug.isascii() for slug in by_slug)
    with state_of(lib.app).sessionmaker() as session:
        assert ensure_default_topics(session) == 0


def test_admin_adds_a_topic_once(lib: Library) -> None:
    created = lib.call(
        "POST", "/api/topics", user="admin", json={"name": "Luật Thuế thu nhập cá nhân", "name_en": "PIT"}
    )
    assert created.status_code == 201
    assert created.json()["slug"] == "luat-thue-thu-nhap-ca-nhan"
    again = lib.call("POST", "/api/topics", user="admin", json={"name": "Luật thuế thu nhập cá nhân"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "topic_exists"
    assert lib.create(topics=["luat-thue-thu-nhap-ca-nhan"])["topics"][0]["name_en"] == "PIT"
