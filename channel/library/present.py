"""Programme rows as response schemas: staff see everything, viewers only what a programme page shows."""

from __future__ import annotations

import uuid
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

__all__ = ["Progress", "media_url", "programme_master_url", "public_view", "staff_view"]


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


def _master_url(programme: Programme) -> str | None:
    """The master playlist URL of the playable revision, if any."""
    if not programme.media or not programme.media_prefix:
        return None
    return programme_master_url(programme.id)


def _pictures(programme: Programme) -> tuple[str | None, list[str]]:
    """(poster, thumbnails) URLs of the playable revision, if any."""
    media: dict[str, Any] | None = programme.media
    prefix = programme.media_prefix
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


def _described(programme: Programme) -> dict[str, Any]:
    """What both views show of a programme: its metadata and its pictures and subtitles."""
    poster, thumbs = _pictures(programme)
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
        **_described(programme),
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
        preview_url=_master_url(programme),
        job=job_view,
    )


def public_view(programme: Programme) -> PublicProgramme:
    """A ready programme for its public page (the caller checked it is ready)."""
    return PublicProgramme(**_described(programme), playlist_url=_master_url(programme) or "")
