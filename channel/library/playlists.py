"""A programme revision's own playlists (catch-up, programme page, staff preview), from its description.

The master lists every subtitle language the programme has, like the live master; the transcoder's
stored master.m3u8 cannot, since tracks are uploaded after the transcode. Pure rendering is in
`playlist.programme`; this module loads the programme and names its tracks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channel.library.errors import NotFound
from channel.library.present import media_url
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


def _languages(programme: Programme, media: Mapping[str, Any]) -> list[SubtitleLanguage]:
    """The revision's segmented tracks, Vietnamese first (the default), named by the programme's labels."""
    labels = {track.language: track.label for track in programme.subtitles}
    codes = sorted(programme_languages(media), key=lambda code: (code != "vi", code))
    return [SubtitleLanguage(code, labels.get(code, code), default=i == 0) for i, code in enumerate(codes)]


def programme_master(
    programme: Programme, *, media: Mapping[str, Any], prefix: str, media_base: str = ""
) -> str:
    """The master playlist of one revision of a programme: every rendition, every subtitle language.

    Renditions are named under the public media base when there is one, so their segments (relative
    URIs in the stored playlists) come from there too, never through the API."""
    try:
        return render_programme_master(
            media,
            uri_prefix=media_url(prefix, base=media_base),
            subtitles=_languages(programme, media),
        )
    except MediaDescriptionError:
        raise NotFound("programme_not_playable", _NO_MEDIA) from None


def programme_subtitles(language: str, *, media: Mapping[str, Any], prefix: str, media_base: str = "") -> str:
    """The VOD subtitle playlist of one language of a revision (NotFound without it)."""
    try:
        return render_programme_subtitles(
            media, language=language, uri_prefix=media_url(prefix, base=media_base)
        )
    except (KeyError, TypeError, ValueError):
        raise NotFound(
            "subtitles_not_found", "Chương trình không có phụ đề này / The programme has no such subtitles"
        ) from None
