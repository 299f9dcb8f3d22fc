"""Small builders of channels and media descriptions shared by the playlist tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from playlist.media import ProgrammeMedia, Slate
from playlist.profile import ChannelProfile, SegmentFormat, SubtitleLanguage, Variant

__all__ = [
    "EPOCH",
    "GOP_S",
    "TS_PACKETS_PER_GOP",
    "VARIANTS",
    "channel",
    "description",
    "gops_of",
    "media",
    "slate",
]

EPOCH = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
VARIANTS = (
    Variant("720p", 1280, 720, 3_000_000, 2_600_000, "avc1.64001f,mp4a.40.2", 25.0),
    Variant("360p", 640, 360, 950_000, 800_000, "avc1.64001e,mp4a.40.2", 25.0),
)


def channel(*, fmt: SegmentFormat = "mpegts", subtitles: bool = False) -> ChannelProfile:
    return ChannelProfile(
        channel_id="legaltv",
        name="Kênh Pháp luật & Đời sống",
        epoch=EPOCH,
        target_duration=6,
        variants=VARIANTS,
        segment_format=fmt,
        subtitles=(SubtitleLanguage("vi", "Tiếng Việt", default=True),) if subtitles else (),
        logo_url="https://example.vn/logo.png",
    )


#: the house GOP, and how many 188-byte TS packets one GOP of each variant takes in these fixtures
GOP_S = 2.0
TS_PACKETS_PER_GOP = {"720p": 1000, "360p": 300}


def gops_of(duration: float) -> list[float]:
    """A segment's GOPs as the transcoder cuts them: whole 2 s GOPs, then the rest."""
    whole = int(duration // GOP_S)
    rest = round(duration - whole * GOP_S, 6)
    return [GOP_S] * whole + ([rest] if rest > 0 else [])


def description(
    durations: Sequence[float],
    *,
    fmt: SegmentFormat = "mpegts",
    languages: Sequence[str] = (),
    gops: bool = False,
    discontinuities: Sequence[int] = (),
) -> dict[str, Any]:
    """description.json of a programme; with ``gops``, version 2 with where its GOPs start; with
    ``discontinuities``, a recorded live event's changes of encoder."""
    ext = "ts" if fmt == "mpegts" else "m4s"
    segment_gops = [gops_of(d) for d in durations] if gops else []
    return {
        "version": 2 if gops else 1,
        "segment_gops": segment_gops,
        "duration": sum(durations),
        "segment_format": fmt,
        "target_duration": 6,
        "segment_durations": list(durations),
        "renditions": [
            {
                "name": v.name,
                "width": v.width,
                "height": v.height,
                "bandwidth": v.bandwidth,
                "average_bandwidth": v.average_bandwidth,
                "codecs": v.codecs,
                "frame_rate": v.frame_rate,
                "playlist": f"{v.name}/index.m3u8",
                "init": f"{v.name}/init.mp4" if fmt == "fmp4" else None,
                "segments": [f"{v.name}/seg_{i:05d}.{ext}" for i in range(len(durations))],
                "gop_offsets": [
                    [188 * TS_PACKETS_PER_GOP[v.name] * g for g in range(1, len(row))] for row in segment_gops
                ],
            }
            for v in VARIANTS
        ],
        "subtitles": [
            {"language": lang, "segments": [f"subs_{lang}/seg_{i:05d}.vtt" for i in range(len(durations))]}
            for lang in languages
        ],
        "master": "master.m3u8",
        **({"discontinuities": list(discontinuities)} if discontinuities else {}),
    }


def media(
    programme_id: str,
    durations: Sequence[float],
    *,
    fmt: SegmentFormat = "mpegts",
    languages: Sequence[str] = (),
    title: str = "",
    gops: bool = False,
    discontinuities: Sequence[int] = (),
) -> ProgrammeMedia:
    return ProgrammeMedia.from_description(
        description(durations, fmt=fmt, languages=languages, gops=gops, discontinuities=discontinuities),
        programme_id=programme_id,
        prefix=f"programmes/{programme_id}/r1",
        title=title or f"Chương trình {programme_id}",
        summary=f'Giới thiệu {programme_id} <luật> & "quy định"',
    )


def slate(*, fmt: SegmentFormat = "mpegts", count: int = 60) -> Slate:
    return Slate(media=media("slate", [1.0] * count, fmt=fmt, title="Chương trình sẽ tiếp tục"))
