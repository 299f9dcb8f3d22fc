"""Programme rows as response schemas: staff see everything, viewers only what a programme page shows."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from channel.library.schemas import (
    JobPublic,
    LegalDocumentPublic,
    ProgrammePublic,
    PublicProgramme,
    SubtitlePublic,
    TopicPublic,
)
from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState
from channel.stores import MEDIA_ROUTE

__all__ = [
    "Progress",
    "described",
    "media_url",
    "programme_master_url",
    "programme_preview_url",
    "public_view",
    "staff_view",
]


_WORKING = (ProgrammeStatus.QUEUED, ProgrammeStatus.PROCESSING)


@dataclass(frozen=True)
class Progress:
    """How far a programme's transcode is, as its heartbeats left it on the job row (every replica reads it).

    Only ever rises while a job runs: the row keeps the highest percent any attempt reported, a re-queued
    attempt starts from its predecessor's, and the programme's own `progress` follows the row.
    """

    percent: float
    stage: str

    @classmethod
    def of(cls, programme: Programme, job: TranscodeJob | None) -> Progress:
        """What staff see: 100 once ready, the job's figures while it works, the last figures after a failure."""
        if programme.status == ProgrammeStatus.READY:
            return cls(percent=100.0, stage="ready")
        if job is None:
            return cls(percent=programme.progress, stage="")
        percent = max(programme.progress, job.percent)
        if programme.status in _WORKING:
            return cls(
                percent=percent, stage=job.stage or ("queued" if job.state == TranscodeState.QUEUED else "")
            )
        return cls(percent=percent, stage=job.stage)


def media_url(key: str, *, base: str = "") -> str:
    """Where a player fetches an object of the store: under the public media base URL if there is one
    (`LEGALTV_MEDIA_BASE_URL`), else the API's own route."""
    return f"{base or MEDIA_ROUTE}/{key}"


def programme_master_url(programme_id: uuid.UUID) -> str:
    """A programme's own master playlist, with its subtitles (`channel.library.playlists`)."""
    return f"/api/programmes/{programme_id}/master.m3u8"


def programme_preview_url(programme_id: uuid.UUID, source_sha256: str) -> str:
    """The master playlist of a programme's current revision, approved or not, for staff who review it.

    Viewers' URL (`programme_master_url`) plays the approved revision only. This one is a capability:
    it names the SHA-256 of the revision's source file, which only staff are shown."""
    return f"/api/programmes/{programme_id}/preview/{source_sha256}/master.m3u8"


def _preview_url(programme: Programme) -> str | None:
    """Where staff watch the current revision, if it is transcoded (and its source could be hashed)."""
    media: Mapping[str, Any] = programme.media or {}
    sha256 = media.get("source_sha256")
    if not media or not programme.media_prefix or not isinstance(sha256, str):
        return None
    return programme_preview_url(programme.id, sha256)


def _pictures(media: Mapping[str, Any] | None, prefix: str | None) -> tuple[str | None, list[str]]:
    """(poster, thumbnails) URLs of a transcoded revision, if any."""
    if not media or not prefix:
        return None, []
    poster = media.get("poster")
    thumbs = [media_url(f"{prefix}{thumb}") for thumb in media.get("thumbnails", [])]
    return (media_url(f"{prefix}{poster}") if poster else None), thumbs


def _subtitles(programme: Programme) -> list[SubtitlePublic]:
    return [
        SubtitlePublic(language=track.language, label=track.label, url=media_url(track.storage_key))
        for track in sorted(programme.subtitles, key=lambda t: (t.language != "vi", t.language))
    ]


def described(
    programme: Programme, *, media: Mapping[str, Any] | None = None, prefix: str | None = None
) -> dict[str, Any]:
    """What both views show of a programme: its metadata and the pictures and subtitles of a revision
    (the row's own unless ``media`` and ``prefix`` name another, such as the approved one)."""
    poster, thumbs = _pictures(media or programme.media, prefix or programme.media_prefix)
    return {
        "id": programme.id,
        "title": programme.title,
        "description": programme.description,
        "language": programme.language,
        "audience": programme.audience,
        "tags": list(programme.tags),
        "topics": [TopicPublic.model_validate(topic) for topic in programme.topics],
        "legal_documents": [LegalDocumentPublic.model_validate(doc) for doc in programme.legal_documents],
        "duration": programme.duration,
        "poster_url": poster,
        "thumbnail_urls": thumbs,
        "subtitles": _subtitles(programme),
    }


def staff_view(programme: Programme, *, job: TranscodeJob | None = None) -> ProgrammePublic:
    """Everything about a programme, with its latest job when given (lists leave it out)."""
    job_view = None
    if job is not None:
        job_view = JobPublic(
            state=job.state.value,
            percent=job.percent,
            stage=job.stage,
            attempt=job.attempt,
            created_at=job.created_at,
            heartbeat_at=job.heartbeat_at,
            finished_at=job.finished_at,
        )
    progress = Progress.of(programme, job)
    return ProgrammePublic(
        **described(programme),
        status=programme.status,
        progress=progress.percent,
        stage=progress.stage,
        error_code=programme.error_code,
        error_message=programme.error_message,
        original_filename=programme.original_filename,
        revision=programme.revision,
        owner_id=programme.owner_id,
        created_at=programme.created_at,
        updated_at=programme.updated_at,
        preview_url=_preview_url(programme),
        job=job_view,
    )


def public_view(
    programme: Programme, *, media: Mapping[str, Any], prefix: str, **shown: Any
) -> PublicProgramme:
    """A programme for its public page, showing the revision of ``media``/``prefix`` (the approved one,
    `channel.editorial.published`); ``shown`` replaces fields with what was approved."""
    return PublicProgramme(
        **{**described(programme, media=media, prefix=prefix), **shown},
        playlist_url=programme_master_url(programme.id),
    )
