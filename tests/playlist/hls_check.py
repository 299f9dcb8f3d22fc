"""A tiny strict reader of the media playlists we render: tag order and values, then cross-checked by m3u8."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import m3u8

__all__ = ["Listed", "MediaPlaylist", "read_media"]

_EXTINF = re.compile(r"^#EXTINF:(\d+)\.(\d{3}),$")
_PDT = re.compile(r"^#EXT-X-PROGRAM-DATE-TIME:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$")
_MAP = re.compile(r'^#EXT-X-MAP:URI="([^"]+)"$')
_BYTERANGE = re.compile(r"^#EXT-X-BYTERANGE:(\d+)@0$")


@dataclass(frozen=True)
class Listed:
    msn: int
    uri: str
    duration_ms: int
    discontinuity: int
    pdt: datetime
    map_uri: str | None
    tagged: bool  # preceded by EXT-X-DISCONTINUITY
    length: int | None = None  # EXT-X-BYTERANGE: bytes [0, length) of the URI


@dataclass(frozen=True)
class MediaPlaylist:
    version: int
    target_duration: int
    media_sequence: int
    discontinuity_sequence: int
    vod: bool
    segments: tuple[Listed, ...]


def _header(lines: list[str], pos: int, name: str) -> tuple[int, int]:
    prefix = f"#EXT-X-{name}:"
    assert lines[pos].startswith(prefix), (pos, lines[pos], name)
    return int(lines[pos][len(prefix) :]), pos + 1


def read_media(text: str) -> MediaPlaylist:
    """Parse strictly; any deviation from the shape we promise is an AssertionError."""
    assert text.endswith("\n")
    assert "\r" not in text
    lines = text[:-1].split("\n")
    assert lines[0] == "#EXTM3U"
    version, pos = _header(lines, 1, "VERSION")
    target, pos = _header(lines, pos, "TARGETDURATION")
    vod = lines[pos] == "#EXT-X-PLAYLIST-TYPE:VOD"
    pos += vod
    msn, pos = _header(lines, pos, "MEDIA-SEQUENCE")
    dseq, pos = _header(lines, pos, "DISCONTINUITY-SEQUENCE")
    if vod:
        assert lines[-1] == "#EXT-X-ENDLIST"
        lines = lines[:-1]
    segments: list[Listed] = []
    disc = dseq
    current_map: str | None = None
    while pos < len(lines):
        tagged = lines[pos] == "#EXT-X-DISCONTINUITY"
        if tagged:
            assert segments, "no EXT-X-DISCONTINUITY before the first listed segment"
            disc += 1
            pos += 1
        m = _MAP.match(lines[pos])
        if m:
            current_map = m[1]
            pos += 1
        else:
            assert not (tagged and version == 6), "EXT-X-MAP must follow every discontinuity in fMP4"
        pdt = _PDT.match(lines[pos])
        assert pdt, lines[pos]
        inf = _EXTINF.match(lines[pos + 1])
        assert inf, lines[pos + 1]
        byterange = _BYTERANGE.match(lines[pos + 2])
        length = None if byterange is None else int(byterange[1])
        assert length is None or (length > 0 and version >= 4)
        pos += byterange is not None
        uri = lines[pos + 2]
        assert uri
        assert not uri.startswith("#")
        duration_ms = int(inf[1]) * 1000 + int(inf[2])
        assert round(duration_ms / 1000) <= target
        when = datetime.fromisoformat(pdt[1].replace("Z", "+00:00"))
        segments.append(
            Listed(msn + len(segments), uri, duration_ms, disc, when, current_map, tagged, length)
        )
        pos += 3
    assert segments
    # fMP4 video: 6 (EXT-X-MAP); MPEG-TS video: 4 (EXT-X-BYTERANGE may come); subtitles: 3
    expected = 6 if current_map is not None else 3 if segments[0].uri.endswith(".vtt") else 4
    assert version == expected, (version, expected)
    _cross_check(text, version, target, msn, dseq, segments)
    return MediaPlaylist(version, target, msn, dseq, vod, tuple(segments))


def _cross_check(text: str, version: int, target: int, msn: int, dseq: int, segments: list[Listed]) -> None:
    parsed = m3u8.M3U8(text, strict=True)
    assert parsed.version == version
    assert parsed.target_duration == target
    assert parsed.media_sequence == msn
    assert parsed.discontinuity_sequence == dseq
    assert [s.uri for s in parsed.segments] == [s.uri for s in segments]
    assert [round(s.duration * 1000) for s in parsed.segments] == [s.duration_ms for s in segments]
    assert [bool(s.discontinuity) for s in parsed.segments] == [s.tagged for s in segments]
    assert [s.program_date_time for s in parsed.segments] == [s.pdt for s in segments]
    assert [s.byterange for s in parsed.segments] == [
        None if s.length is None else f"{s.length}@0" for s in segments
    ]
