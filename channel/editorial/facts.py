"""What an editor reviews: the exact facts of a programme's current revision, and the fingerprint of the
part of them that needs approval.

The facts are the source (its storage key and SHA-256), the transcoded output (its media prefix, length
and renditions), the title, description, language, audience, tags, legal topics, legal documents and the
subtitle tracks (each with the SHA-256 of its text). The source, the output, the subtitles, the title and
the legal documents always need approval; of the rest, the fields named in
`LEGALTV_REVIEW_COSMETIC_FIELDS` (default tags, audience, topics) may change without it. The fingerprint
is the SHA-256 of the canonical JSON of the fields that need approval, so an approval holds exactly as
long as none of them changes.

A live event's revision (`live_revision`) is its editorial facts: title, description, topics, legal
documents, start, end and channel, all reviewed (its stream key is not a fact: remaking it needs no
approval). There is nothing to transcode, so a scheduled event is always ready for review.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from channel.library.service import snapshot
from channel.models import LiveEvent, LiveStatus, Programme, ProgrammeStatus

__all__ = [
    "ALWAYS_REVIEWED",
    "LIVE_EVENT",
    "LIVE_FIELDS",
    "OPTIONAL_FIELDS",
    "PROGRAMME",
    "Revision",
    "fingerprint",
    "live_revision",
    "programme_revision",
]

#: the kinds of subject a review decides on (`Review.subject_type`)
PROGRAMME = "programme"
LIVE_EVENT = "live_event"

#: facts whose change always returns a programme to review
ALWAYS_REVIEWED = ("revision", "source", "output", "subtitles", "title", "legal_documents")
#: facts that need review unless configured as cosmetic
OPTIONAL_FIELDS = ("description", "language", "audience", "tags", "topics")
#: the programme's metadata among its facts, as the library audits them (`channel.library.service.snapshot`)
_METADATA = ("title", "description", "language", "audience", "tags", "topics", "legal_documents")
#: a live event's facts, all reviewed; the audited field names (`channel.live`) that change them
LIVE_FIELDS = ("title", "description", "topics", "legal_documents", "start_at", "end_at", "channel_id")


@dataclass(frozen=True, slots=True)
class Revision:
    """One exact revision of a subject as an editor reviews it."""

    subject_type: str
    subject_id: uuid.UUID
    number: int
    title: str
    #: a transcoded output of exactly this revision exists (there is something to watch and approve)
    ready: bool
    facts: Mapping[str, Any]
    fingerprint: str
    media: Mapping[str, Any] | None
    media_prefix: str | None
    owner_id: uuid.UUID | None


def fingerprint(facts: Mapping[str, Any], *, cosmetic: Collection[str]) -> str:
    """SHA-256 (hex) of the canonical JSON of the facts that need approval."""
    reviewed = {k: v for k, v in facts.items() if k in ALWAYS_REVIEWED or k not in cosmetic}
    text = json.dumps(reviewed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _subtitles(programme: Programme, media: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each track (language, label) with the SHA-256 of the text segmented for air, if it was."""
    segmented = {str(t.get("language")): t.get("sha256") for t in media.get("subtitles") or ()}
    return [
        {"language": t.language, "label": t.label, "sha256": segmented.get(t.language)}
        for t in sorted(programme.subtitles, key=lambda t: t.language)
    ]


def programme_revision(programme: Programme, *, cosmetic: Collection[str], settled: bool) -> Revision:
    """The programme's current revision: what its row, its tracks and its media say now.

    ``settled``: its latest transcode (if any) succeeded, so the media on the row is this revision's
    (while a replaced source transcodes, or after it failed, the row still holds the previous one).
    """
    media: Mapping[str, Any] = programme.media or {}
    prefix = programme.media_prefix
    ready = settled and programme.status == ProgrammeStatus.READY and bool(media) and prefix is not None
    facts: dict[str, Any] = {
        "revision": programme.revision,
        "source": {"key": programme.source_key, "sha256": media.get("source_sha256") if ready else None},
        "output": {
            "media_prefix": prefix if ready else None,
            "duration": sum(float(d) for d in media.get("segment_durations") or ()) if ready else None,
            "renditions": [str(r.get("name")) for r in media.get("renditions") or ()] if ready else [],
        },
        "subtitles": _subtitles(programme, media if ready else {}),
        **{k: v for k, v in snapshot(programme).items() if k in _METADATA},
    }
    return Revision(
        subject_type=PROGRAMME,
        subject_id=programme.id,
        number=programme.revision,
        title=programme.title,
        ready=ready,
        facts=facts,
        fingerprint=fingerprint(facts, cosmetic=cosmetic),
        media=dict(media) if ready else None,
        media_prefix=prefix if ready else None,
        owner_id=programme.owner_id,
    )


def live_revision(event: LiveEvent) -> Revision:
    """A live event's current revision: its editorial facts, every one reviewed (a cancelled event is
    not reviewable: it will not air)."""
    facts: dict[str, Any] = {
        "revision": event.revision,
        "title": event.title,
        "description": event.description,
        "topics": [str(t) for t in event.topics],
        "legal_documents": [str(d) for d in event.legal_documents],
        "start": event.start_at.astimezone(UTC).isoformat(),
        "end": event.end_at.astimezone(UTC).isoformat(),
        "channel": str(event.channel_id),
    }
    return Revision(
        subject_type=LIVE_EVENT,
        subject_id=event.id,
        number=event.revision,
        title=event.title,
        ready=event.status == LiveStatus.SCHEDULED,
        facts=facts,
        fingerprint=fingerprint(facts, cosmetic=()),
        media=None,
        media_prefix=None,
        owner_id=event.created_by_id,
    )
