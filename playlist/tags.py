"""HLS tag names and fixed strings, defined once (RFC 8216 §4.3), and the one writer of EXTINF."""

from __future__ import annotations

from typing import Final

__all__ = [
    "BYTERANGE",
    "DISCONTINUITY",
    "DISCONTINUITY_SEQUENCE",
    "ENDLIST",
    "EXTINF",
    "EXTM3U",
    "INDEPENDENT_SEGMENTS",
    "MAP",
    "MEDIA",
    "MEDIA_SEQUENCE",
    "PLAYLIST_TYPE",
    "PROGRAM_DATE_TIME",
    "STREAM_INF",
    "TARGETDURATION",
    "VERSION",
    "extinf",
]

EXTM3U: Final = "#EXTM3U"
VERSION: Final = "#EXT-X-VERSION:"
TARGETDURATION: Final = "#EXT-X-TARGETDURATION:"
MEDIA_SEQUENCE: Final = "#EXT-X-MEDIA-SEQUENCE:"
DISCONTINUITY_SEQUENCE: Final = "#EXT-X-DISCONTINUITY-SEQUENCE:"
DISCONTINUITY: Final = "#EXT-X-DISCONTINUITY"
PROGRAM_DATE_TIME: Final = "#EXT-X-PROGRAM-DATE-TIME:"
EXTINF: Final = "#EXTINF:"
MAP: Final = "#EXT-X-MAP:"
BYTERANGE: Final = "#EXT-X-BYTERANGE:"
ENDLIST: Final = "#EXT-X-ENDLIST"
PLAYLIST_TYPE: Final = "#EXT-X-PLAYLIST-TYPE:"
INDEPENDENT_SEGMENTS: Final = "#EXT-X-INDEPENDENT-SEGMENTS"
STREAM_INF: Final = "#EXT-X-STREAM-INF:"
MEDIA: Final = "#EXT-X-MEDIA:"


def extinf(duration_us: int) -> str:
    """``#EXTINF:<seconds>,`` with milliseconds, rounded half up (the same on every track)."""
    ms = (duration_us + 500) // 1000
    return f"{EXTINF}{ms // 1000}.{ms % 1000:03d},"
