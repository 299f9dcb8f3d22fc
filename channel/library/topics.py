"""The managed list of legal topics: the default set, listing, and adding one (admins)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import audit
from channel.folding import slugify
from channel.library.errors import Conflict
from channel.models import Topic

__all__ = ["DEFAULT_TOPICS", "create_topic", "ensure_default_topics", "list_topics"]

#: (Vietnamese name, English name); slugs are derived, so the list stays one source of truth
DEFAULT_TOPICS: tuple[tuple[str, str], ...] = (
    ("Luật Giao thông đường bộ", "Road Traffic Law"),
    ("Phòng, chống tham nhũng", "Anti-corruption"),
    ("Luật Hôn nhân và gia đình", "Marriage and Family Law"),
    ("Luật Đất đai", "Land Law"),
    ("Bộ luật Lao động", "Labour Code"),
    ("Bảo vệ quyền lợi người tiêu dùng", "Consumer Protection"),
    ("Luật An ninh mạng", "Cybersecurity Law"),
    ("Phổ biến, giáo dục pháp luật", "Legal Dissemination and Education"),
)


def ensure_default_topics(session: Session) -> int:
    """Add the default topics that are missing (matched by slug); returns how many were added.

    Idempotent; migration 0002 runs it, so `legaltv migrate` (and `serve`) seeds the list.
    """
    existing = set(session.scalars(select(Topic.slug)))
    added = 0
    for name, name_en in DEFAULT_TOPICS:
        slug = slugify(name)
        if slug not in existing:
            session.add(Topic(name=name, name_en=name_en, slug=slug))
            existing.add(slug)
            added += 1
    session.flush()
    return added


def list_topics(session: Session) -> list[Topic]:
    """Every topic, by Vietnamese name."""
    return list(session.scalars(select(Topic).order_by(Topic.name)))


def create_topic(
    session: Session, *, name: str, name_en: str, slug: str | None, actor_id: object, request_id: str
) -> Topic:
    """Add a topic; its slug (given or derived) must be new."""
    final_slug = slugify(slug or name)
    if not final_slug:
        raise Conflict("topic_slug_invalid", "Không tạo được mã chủ đề / Cannot derive a topic slug")
    if session.scalar(select(Topic.id).where(Topic.slug == final_slug)) is not None:
        raise Conflict("topic_exists", "Chủ đề đã tồn tại / The topic already exists")
    topic = Topic(name=name, name_en=name_en, slug=final_slug)
    session.add(topic)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,  # type: ignore[arg-type]
        action="topic.create",
        entity_type="topic",
        entity_id=topic.id,
        changes=audit.diff({}, {"name": name, "name_en": name_en, "slug": final_slug}),
        request_id=request_id,
    )
    session.commit()
    return topic
