"""A programme's own playlists: viewers get its approved revision; staff preview the current one.

The master lists the revision's subtitle languages (the transcoder's stored master cannot: tracks are
uploaded after the transcode); media URIs are signed when the edge checks tokens. The preview URL names
the SHA-256 of the revision's source file, shown only to staff (`channel.library.present`), so nobody
else can ask for a revision no editor approved.
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from channel.deps import SessionDep, SettingsDep
from channel.editorial.published import published_revision
from channel.library import playlists
from channel.library.errors import LibraryRoute, NotFound
from channel.library.read import ready_programme
from channel.mediauris import media_uris
from channel.models import Programme
from channel.settings import Settings

__all__ = ["router"]

router = APIRouter(prefix="/api/programmes", tags=["library"], route_class=LibraryRoute)

_HLS = "application/vnd.apple.mpegurl"
#: a programme's playlists change when a subtitle track is added or a revision approved: cached briefly
_PLAYLIST_CACHE = "public, max-age=60"
_PREVIEW_CACHE = "private, no-store"
_HLS_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {_HLS: {}}, "description": "HLS playlist"}}
Language = Annotated[str, Path(min_length=2, max_length=16, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


def _hls(body: str, settings: Settings, *, cache: str) -> Response:
    signed = media_uris(settings).sign(body.encode(), now=time.time())  # tokens, when the edge checks them
    return Response(signed, media_type=_HLS, headers={"Cache-Control": cache})


def _current(
    session: SessionDep, programme_id: uuid.UUID, sha256: str
) -> tuple[Programme, Mapping[str, Any], str]:
    """The current revision of a ready programme, if `sha256` is its source's; NotFound otherwise."""
    programme = ready_programme(session, programme_id)
    known = (programme.media or {}).get("source_sha256")
    if not isinstance(known, str) or not hmac.compare_digest(known, sha256) or programme.media_prefix is None:
        raise NotFound("programme_not_found", "Không tìm thấy chương trình / Programme not found")
    return programme, programme.media or {}, programme.media_prefix


@router.get("/{programme_id}/master.m3u8", responses=_HLS_RESPONSE, response_class=Response)
def programme_master(programme_id: uuid.UUID, session: SessionDep, settings: SettingsDep) -> Response:
    """The master playlist of a programme's approved revision: every rendition and subtitle language
    (public; 404 while no approval stands)."""
    published = published_revision(session, programme_id, cosmetic=settings.review_cosmetic_fields)
    body = playlists.programme_master(
        published.programme,
        media=published.media,
        prefix=published.prefix,
        media_base=settings.media_base_url,
    )
    return _hls(body, settings, cache=_PLAYLIST_CACHE)


@router.get("/{programme_id}/subs_{language}.m3u8", responses=_HLS_RESPONSE, response_class=Response)
def programme_subtitles(
    programme_id: uuid.UUID, language: Language, session: SessionDep, settings: SettingsDep
) -> Response:
    """The approved revision's subtitles in one language, as a VOD playlist of WebVTT segments (public)."""
    published = published_revision(session, programme_id, cosmetic=settings.review_cosmetic_fields)
    body = playlists.programme_subtitles(
        language, media=published.media, prefix=published.prefix, media_base=settings.media_base_url
    )
    return _hls(body, settings, cache=_PLAYLIST_CACHE)


@router.get("/{programme_id}/preview/{sha256}/master.m3u8", responses=_HLS_RESPONSE, response_class=Response)
def preview_master(
    programme_id: uuid.UUID, sha256: Sha256, session: SessionDep, settings: SettingsDep
) -> Response:
    """The master playlist of a programme's current revision, approved or not, for the staff reviewing it."""
    programme, media, prefix = _current(session, programme_id, sha256)
    body = playlists.programme_master(
        programme, media=media, prefix=prefix, media_base=settings.media_base_url
    )
    return _hls(body, settings, cache=_PREVIEW_CACHE)


@router.get(
    "/{programme_id}/preview/{sha256}/subs_{language}.m3u8", responses=_HLS_RESPONSE, response_class=Response
)
def preview_subtitles(
    programme_id: uuid.UUID, sha256: Sha256, language: Language, session: SessionDep, settings: SettingsDep
) -> Response:
    """The current revision's subtitles in one language, for the staff reviewing it."""
    _, media, prefix = _current(session, programme_id, sha256)
    body = playlists.programme_subtitles(
        language, media=media, prefix=prefix, media_base=settings.media_base_url
    )
    return _hls(body, settings, cache=_PREVIEW_CACHE)
