"""Who made a revision, read from the audit chain: none of them may approve it (four eyes).

The authors of a programme's current revision are its owner, whoever uploaded its current source, and
whoever changed a reviewed fact of it (created it, replaced its subtitles, edited its title, legal
documents or another field that needs review) since its last approval. A live event's are whoever
created it and whoever changed one of its editorial facts since its last approval. Holding several
roles changes nothing: a producer who is also an editor never approves their own work, nor does an
admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.editorial.facts import ALWAYS_REVIEWED, LIVE_EVENT, LIVE_FIELDS, OPTIONAL_FIELDS, PROGRAMME
from channel.models import AuditEvent

__all__ = ["Authorship", "live_authorship", "programme_authorship", "revision_authors"]


@dataclass(frozen=True, slots=True)
class Authorship:
    """How a subject's audited actions make authors of its revision."""

    entity_type: str
    #: actions whose actor always authors the revision (made since its last approval)
    always: tuple[str, ...]
    #: the action that changes fields; it authors when it touches one of ``reviewed``
    update: str
    reviewed: frozenset[str]
    #: an action whose latest actor authors the revision whenever it happened (the current source's uploader)
    kept: str | None = None


def programme_authorship(cosmetic: Collection[str]) -> Authorship:
    """The programme's audited actions that make content (`channel.library`)."""
    return Authorship(
        entity_type=PROGRAMME,
        always=("programme.create", "programme.source", "programme.subtitle"),
        update="programme.update",
        reviewed=frozenset(ALWAYS_REVIEWED) | frozenset(f for f in OPTIONAL_FIELDS if f not in cosmetic),
        kept="programme.source",
    )


#: the live event's audited actions (`channel.live.service`)
live_authorship = Authorship(
    entity_type=LIVE_EVENT, always=("live.create",), update="live.update", reviewed=frozenset(LIVE_FIELDS)
)


def revision_authors(
    session: Session,
    *,
    authorship: Authorship,
    subject_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    since: datetime | None,
) -> frozenset[uuid.UUID]:
    """The people who may not approve the subject's current revision (``since``: its last approval)."""
    authors: set[uuid.UUID] = set() if owner_id is None else {owner_id}
    events = session.execute(
        select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.changes, AuditEvent.at)
        .where(AuditEvent.entity_type == authorship.entity_type, AuditEvent.entity_id == str(subject_id))
        .where(AuditEvent.action.in_([*authorship.always, authorship.update]))
        .order_by(AuditEvent.at, AuditEvent.seq)
    ).all()
    kept: uuid.UUID | None = None
    for actor_id, action, changes, at in events:
        if action == authorship.kept:
            kept = actor_id
        if actor_id is None or (since is not None and at <= since):
            continue
        if action in authorship.always or authorship.reviewed & set(changes or {}):
            authors.add(actor_id)
    if kept is not None:
        authors.add(kept)
    return frozenset(authors)
