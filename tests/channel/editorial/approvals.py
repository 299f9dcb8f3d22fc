"""Approve programmes and live events in tests the way an editor would: through
`channel.editorial.reviews`, as an editor who made none of them (four eyes hold in fixtures too)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.audit import Actor
from channel.editorial.facts import LIVE_EVENT, live_revision
from channel.editorial.reviews import approve, decide, revision_of
from channel.models import LiveEvent, Programme, ReviewDecision, Role, User
from channel.settings import Settings

__all__ = ["COSMETIC", "approve_live_event", "approve_programmes", "fixture_editor"]

COSMETIC = Settings(env="test").review_cosmetic_fields
EDITOR = "kiem-duyet-thu"


def fixture_editor(session: Session, username: str = EDITOR) -> User:
    """An editor account (no password anyone knows) that authored nothing."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username, display_name="Biên tập viên kiểm thử", password_hash="!", roles=[Role.EDITOR]
        )
        session.add(user)
        session.flush()
    return user


def _actor(editor: User) -> Actor:
    return Actor(user_id=editor.id, request_id="test", now=datetime.now(UTC), roles=frozenset({Role.EDITOR}))


def approve_programmes(
    session: Session, programme_ids: Iterable[uuid.UUID], *, editor: User | None = None
) -> None:
    """Approve the current revision of each programme (it must be ready); commits."""
    actor = _actor(editor or fixture_editor(session))
    for pid in programme_ids:
        programme = session.get(Programme, pid)
        assert programme is not None, pid
        revision = revision_of(session, programme, cosmetic=COSMETIC)
        approve(
            session,
            programme_id=pid,
            fingerprint=revision.fingerprint,
            note=None,
            actor=actor,
            cosmetic=COSMETIC,
        )


def approve_live_event(session: Session, event_id: uuid.UUID | str, *, editor: User | None = None) -> None:
    """Approve the live event's current revision; commits."""
    event = session.get(LiveEvent, uuid.UUID(str(event_id)))
    assert event is not None, event_id
    decide(
        session,
        subject_type=LIVE_EVENT,
        subject_id=event.id,
        fingerprint=live_revision(event).fingerprint,
        decision=ReviewDecision.APPROVED,
        note=None,
        actor=_actor(editor or fixture_editor(session)),
        cosmetic=COSMETIC,
    )
