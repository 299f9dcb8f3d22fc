"""What viewers may watch of a programme outside the channel (its page, its JSON, its own playlists):
the revision an editor approved, exactly as approved, and nothing while no approval stands.

The live channel already airs approved revisions only (`channel.editorial.airable`); a programme's
catch-up surfaces follow the same rule. While a new revision waits for review, viewers keep the
approved one: its media, and its reviewed metadata as approved (fields configured as cosmetic show
their current values). Staff watch the current revision through a preview URL (`channel.library.present`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from channel.editorial.reviews import airing_approval, revision_of
from channel.library.errors import NotFound
from channel.library.present import public_view
from channel.library.read import ready_programme
from channel.library.schemas import LegalDocumentPublic, PublicProgramme, TopicPublic
from channel.models import Programme

__all__ = ["Published", "published_revision", "published_view"]

#: reviewed metadata shown as approved while a newer revision waits (the media always is)
_SHOWN_AS_APPROVED = ("title", "description", "language", "audience", "tags")


@dataclass(frozen=True, slots=True)
class Published:
    """A programme and the approved revision viewers get."""

    programme: Programme
    media: Mapping[str, Any]
    prefix: str
    facts: Mapping[str, Any]
    #: the programme's current revision is the approved one (its row shows exactly what was approved)
    current: bool


def published_revision(session: Session, programme_id: uuid.UUID, *, cosmetic: Collection[str]) -> Published:
    """The approved revision of a ready programme, or NotFound: without a standing approval a programme
    does not exist for viewers."""
    programme = ready_programme(session, programme_id)
    approval = airing_approval(session, programme_id)
    if approval is None or not approval.media or approval.media_prefix is None:
        raise NotFound("programme_not_found", "Không tìm thấy chương trình / Programme not found")
    current = revision_of(session, programme, cosmetic=cosmetic).fingerprint == approval.fingerprint
    return Published(programme, approval.media, approval.media_prefix, approval.facts, current)


def published_view(
    session: Session, programme_id: uuid.UUID, *, cosmetic: Collection[str]
) -> PublicProgramme:
    """The public view of a programme's approved revision (NotFound without one)."""
    published = published_revision(session, programme_id, cosmetic=cosmetic)
    programme, facts = published.programme, published.facts
    if published.current:
        return public_view(programme, media=published.media, prefix=published.prefix)
    shown: dict[str, Any] = {
        field: facts[field] for field in _SHOWN_AS_APPROVED if field not in cosmetic and field in facts
    }
    approved_documents = set(facts.get("legal_documents") or ())
    shown["legal_documents"] = [
        LegalDocumentPublic.model_validate(d)
        for d in programme.legal_documents
        if d.number in approved_documents
    ]
    if "topics" not in cosmetic:
        approved_topics = set(facts.get("topics") or ())
        shown["topics"] = [
            TopicPublic.model_validate(t) for t in programme.topics if t.slug in approved_topics
        ]
    shown["duration"] = (facts.get("output") or {}).get("duration") or programme.duration
    shown[
        "subtitles"
    ] = []  # the uploaded files may be newer than the approval; the playlists carry the approved cues
    return public_view(programme, media=published.media, prefix=published.prefix, **shown)
