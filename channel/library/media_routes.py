"""HTTP routes acting on a programme's media: plain source upload, retry, cancel, subtitles (a programme's
own playlists are served by `channel.web.catchup`: viewers get the approved revision)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from channel.auth import ProducerUser
from channel.deps import CeleryDep, RequestIdDep, SessionDep, SettingsDep, StateDep, StoreDep
from channel.library import subtitles, transcode, uploads
from channel.library.deps import OwnedProgramme
from channel.library.errors import LibraryRoute
from channel.library.read import details_of
from channel.library.schemas import ProgrammePublic, SubtitlePublic
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
