"""Small builders of channels and media descriptions shared by the playlist tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from playlist.media import ProgrammeMedia, Slate
from playlist.profile import ChannelProfile, SegmentFormat, SubtitleLanguage, Variant

__all__ = ["EPOCH", "VARIANTS", "channel", "description", "media", "slate"]

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


def description(
    durations: Sequence[float], *, fmt: SegmentFormat = "mpegts", languages: Sequence[str] = ()
) -> dict[str, Any]:
    ext = "ts" if fmt == "mpegts" else "m4s"
    return {
        "version": 1,
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
            }
            for v in VARIANTS
        ],
        "subtitles": [
            {"language": lang, "segments": [f"subs_{lang}/seg_{i:05d}.vtt" for i in range(len(durations))]}
            for lang in languages
        ],
        "master": "master.m3u8",
    }


def media(
    programme_id: str,
    durations: Sequence[float],
    *,
    fmt: SegmentFormat = "mpegts",
    languages: Sequence[str] = (),
    title: str = "",
) -> ProgrammeMedia:
    return ProgrammeMedia.from_description(
        description(durations, fmt=fmt, languages=languages),
        programme_id=programme_id,
        prefix=f"programmes/{programme_id}/r1",
        title=title or f"Chương trình {programme_id}",
        summary=f'Giới thiệu {programme_id} <luật> & "quy định"',
    )


def slate(*, fmt: SegmentFormat = "mpegts", count: int = 60) -> Slate:
    return Slate(media=media("slate", [1.0] * count, fmt=fmt, title="Chương trình sẽ tiếp tục"))
