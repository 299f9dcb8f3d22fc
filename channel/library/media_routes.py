"""HTTP routes acting on a programme's media: plain source upload, retry, cancel, subtitles, and the
programme's own playlists (public for a ready programme: its master lists its subtitles)."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from channel.auth import ProducerUser
from channel.deps import CeleryDep, RequestIdDep, SessionDep, SettingsDep, StateDep, StoreDep
from channel.library import playlists, subtitles, transcode, uploads
from channel.library.deps import OwnedProgramme
from channel.library.errors import LibraryRoute
from channel.library.read import details_of
from channel.library.schemas import ProgrammePublic, SubtitlePublic
from channel.mediauris import media_uris
from channel.text import CleanQuery

__all__ = ["router"]

router = APIRouter(prefix="/api/programmes", tags=["library"], route_class=LibraryRoute)

_SOURCE_DOC = (
    "Raw body (`Content-Type: application/octet-stream`), streamed to disk with the size limit enforced while "
    f"reading; the file name goes in `{uploads.FILENAME_HEADER}` (percent-encoded UTF-8). Use tus for big files."
)


@router.post(
    "/{programme_id}/source",
    status_code=202,
    description=_SOURCE_DOC,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_source(
    request: Request,
    state: StateDep,
    programme: OwnedProgramme,
    user: ProducerUser,
    session: SessionDep,
    request_id: RequestIdDep,
) -> ProgrammePublic:
    """Upload (or replace) the programme's source; the transcode is queued once it is stored."""
    return await uploads.upload_source(
        request,
        state=state,
        session=session,
        programme=programme,
        user=user,
        request_id=request_id,
    )


@router.post("/{programme_id}/retry", status_code=202)
def retry(
    programme: OwnedProgramme,
    user: ProducerUser,
    session: SessionDep,
    settings: SettingsDep,
    celery: CeleryDep,
    request_id: RequestIdDep,
) -> ProgrammePublic:
    """Queue the transcode again after it failed."""
    transcode.retry_transcode(
        session,
        celery=celery,
        programme=programme,
        settings=settings,
        actor_id=user.id,
        request_id=request_id,
    )
    return details_of(session, programme=programme)


@router.post("/{programme_id}/cancel")
def cancel(
    programme: OwnedProgramme,
    user: ProducerUser,
    session: SessionDep,
    celery: CeleryDep,
    request_id: RequestIdDep,
) -> ProgrammePublic:
    """Stop the running transcode; the programme fails with the code "cancelled"."""
    transcode.cancel_transcode(
        session, celery=celery, programme=programme, actor_id=user.id, request_id=request_id
    )
    return details_of(session, programme=programme)


@router.post(
    "/{programme_id}/subtitles",
    status_code=201,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/vtt": {"schema": {"type": "string"}}}}
    },
)
async def add_subtitles(
    request: Request,
    programme: OwnedProgramme,
    user: ProducerUser,
    session: SessionDep,
    store: StoreDep,
    request_id: RequestIdDep,
    language: Annotated[CleanQuery, Query(min_length=2, max_length=16)] = "vi",
    label: Annotated[CleanQuery, Query(min_length=1, max_length=100)] = "Tiếng Việt",
) -> SubtitlePublic:
    """Add a WebVTT track (UTF-8, "WEBVTT" header, ≤ 2 MB, valid cue timings); one track per language."""
    return await subtitles.upload_subtitle(
        request,
        session=session,
        store=store,
        programme=programme,
        language=language,
        label=label,
        actor_id=user.id,
        request_id=request_id,
    )


_HLS = "application/vnd.apple.mpegurl"
#: a programme's playlists change when a subtitle track is added, so they are cached briefly
_PLAYLIST_CACHE = "public, max-age=60"
_HLS_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {_HLS: {}}, "description": "HLS playlist"}}


@router.get("/{programme_id}/master.m3u8", responses=_HLS_RESPONSE, response_class=Response)
def programme_master(programme_id: uuid.UUID, session: SessionDep, settings: SettingsDep) -> Response:
    """A ready programme's master playlist: every rendition and every subtitle language (public)."""
    body = playlists.programme_master(session, programme_id, media_base=settings.media_base_url)
    signed = media_uris(settings).sign(body.encode(), now=time.time())  # tokens, when the edge checks them
    return Response(signed, media_type=_HLS, headers={"Cache-Control": _PLAYLIST_CACHE})


@router.get("/{programme_id}/subs_{language}.m3u8", responses=_HLS_RESPONSE, response_class=Response)
def programme_subtitles(
    programme_id: uuid.UUID,
    language: Annotated[str, Path(min_length=2, max_length=16, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A ready programme's subtitles in one language, as a VOD playlist of WebVTT segments (public)."""
    body = playlists.programme_subtitles(session, programme_id, language, media_base=settings.media_base_url)
    signed = media_uris(settings).sign(body.encode(), now=time.time())
    return Response(signed, media_type=_HLS, headers={"Cache-Control": _PLAYLIST_CACHE})
