"""Who made a revision, read from the audit chain: none of them may approve it (four eyes).

The authors of a programme's current revision are its owner, whoever uploaded its current source, and
whoever changed a reviewed fact of it (created it, replaced its subtitles, edited its title, legal
documents or another field that needs review) since its last approval. Holding several roles changes
nothing: a producer who is also an editor never approves their own work, nor does an admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.editorial.facts import ALWAYS_REVIEWED, OPTIONAL_FIELDS
from channel.models import AuditEvent, Programme

__all__ = ["revision_authors"]

#: the programme's audited actions that make content (`channel.library`)
_SOURCE = "programme.source"
_ALWAYS_AUTHORED = ("programme.create", _SOURCE, "programme.subtitle")
_UPDATE = "programme.update"


def _reviewed_fields(cosmetic: Collection[str]) -> frozenset[str]:
    return frozenset(ALWAYS_REVIEWED) | frozenset(f for f in OPTIONAL_FIELDS if f not in cosmetic)


def revision_authors(
    session: Session, *, programme: Programme, since: datetime | None, cosmetic: Collection[str]
) -> frozenset[uuid.UUID]:
    """The people who may not approve the programme's current revision (``since``: its last approval)."""
    reviewed = _reviewed_fields(cosmetic)
    authors: set[uuid.UUID] = set()
    if programme.owner_id is not None:
        authors.add(programme.owner_id)
    events = session.execute(
        select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.changes, AuditEvent.at)
        .where(AuditEvent.entity_type == "programme", AuditEvent.entity_id == str(programme.id))
        .where(AuditEvent.action.in_([*_ALWAYS_AUTHORED, _UPDATE]))
        .order_by(AuditEvent.at, AuditEvent.seq)
    ).all()
    uploader: uuid.UUID | None = None
    for actor_id, action, changes, at in events:
        if action == _SOURCE:
            uploader = actor_id
        if actor_id is None or (since is not None and at <= since):
            continue
        if action in _ALWAYS_AUTHORED or reviewed & set(changes or {}):
            authors.add(actor_id)
    if uploader is not None:
        authors.add(uploader)
    return frozenset(authors)
