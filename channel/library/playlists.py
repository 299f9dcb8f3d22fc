"""A ready programme's own playlists (catch-up, programme page, staff preview), from its description.

The master lists every subtitle language the programme has, like the live master; the transcoder's
stored master.m3u8 cannot, since tracks are uploaded after the transcode. Pure rendering is in
`playlist.programme`; this module loads the programme and names its tracks.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from channel.library.errors import NotFound
from channel.library.present import media_url
from channel.library.read import ready_programme
from channel.models import Programme
from playlist import (
    MediaDescriptionError,
    SubtitleLanguage,
    programme_languages,
    render_programme_master,
    render_programme_subtitles,
)

__all__ = ["programme_master", "programme_subtitles"]

_NO_MEDIA = "Không phát được chương trình này / This programme cannot be played"


def _languages(programme: Programme) -> list[SubtitleLanguage]:
    """The programme's segmented tracks, Vietnamese first (the default), named by their labels."""
    labels = {track.language: track.label for track in programme.subtitles}
    codes = sorted(programme_languages(programme.media or {}), key=lambda code: (code != "vi", code))
    return [SubtitleLanguage(code, labels.get(code, code), default=i == 0) for i, code in enumerate(codes)]


def programme_master(session: Session, programme_id: uuid.UUID, *, media_base: str = "") -> str:
    """The master playlist of a ready programme: every rendition, every subtitle language.

    Renditions are named under the public media base when there is one, so their segments (relative
    URIs in the stored playlists) come from there too, never through the API."""
    programme = ready_programme(session, programme_id)
    try:
        return render_programme_master(
            programme.media or {},
            uri_prefix=media_url(programme.media_prefix or "", base=media_base),
            subtitles=_languages(programme),
        )
    except MediaDescriptionError:
        raise NotFound("programme_not_playable", _NO_MEDIA) from None


def programme_subtitles(
    session: Session, programme_id: uuid.UUID, language: str, *, media_base: str = ""
) -> str:
    """The VOD subtitle playlist of one language of a ready programme (NotFound without it)."""
    programme = ready_programme(session, programme_id)
    try:
        return render_programme_subtitles(
            programme.media or {},
            language=language,
            uri_prefix=media_url(programme.media_prefix or "", base=media_base),
        )
    except (KeyError, TypeError, ValueError):
        raise NotFound(
            "subtitles_not_found", "Chương trình không có phụ đề này / The programme has no such subtitles"
        ) from None
