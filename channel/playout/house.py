"""A channel row as the pure playout core sees it: its house format as a `playlist.ChannelProfile`.

The variants' CODECS and bandwidths are fixed per rung (docs/media-description.md), never read from a
programme, so the master playlist stays the same whatever is on air.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from playlist import ChannelProfile, SubtitleLanguage, Variant
from transcoder.profile import Profile, ladder

__all__ = [
    "AUDIO_CODEC",
    "AUDIO_KBPS",
    "SUBTITLES_VI",
    "channel_profile",
    "house_profile",
    "subtitle_languages",
    "variants_of",
]

AUDIO_CODEC = "mp4a.40.2"
AUDIO_KBPS = 128
SUBTITLES_VI = SubtitleLanguage(code="vi", name="Tiếng Việt", default=True)
#: what the player's subtitle menu shows for a language code (the code itself when unknown)
_LANGUAGE_NAMES: Mapping[str, str] = {"vi": "Tiếng Việt", "en": "English", "fr": "Français"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def house_profile(profile: Mapping[str, Any]) -> Profile:
    """The transcoder's `Profile` for a channel's stored profile JSON (ladder, fps, GOP, segments)."""
    return Profile.from_dict(
        {
            "heights": [int(h) for h in profile.get("ladder", (1080, 720, 480, 360))],
            "fps": int(profile.get("fps", 25)),
            "gop_seconds": float(profile.get("gop_seconds", 2.0)),
            "segment_seconds": float(profile.get("segment_seconds", 6.0)),
            "segment_format": str(profile.get("segment_format", "mpegts")),
        }
    )


def variants_of(profile: Mapping[str, Any]) -> tuple[Variant, ...]:
    """Nominal variants: peak = (video maxrate + audio) + 10 % mux overhead, average = bitrate + audio."""
    fps = float(profile.get("fps", 25))
    rungs = ladder(tuple(int(h) for h in profile.get("ladder", (1080, 720, 480, 360))))
    return tuple(
        Variant(
            name=r.name,
            width=r.width,
            height=r.height,
            bandwidth=(r.maxrate_k + AUDIO_KBPS) * 1100,
            average_bandwidth=(r.bitrate_k + AUDIO_KBPS) * 1000,
            codecs=f"{r.video_codec},{AUDIO_CODEC}",
            frame_rate=fps,
        )
        for r in rungs
    )


def subtitle_languages(codes: Sequence[str]) -> tuple[SubtitleLanguage, ...]:
    """The subtitle renditions a channel advertises (its profile's ``subtitles``); the first is the default.

    Codes that are not language tags (they would end up in playlist URIs) are left out.
    """
    valid = [code for code in dict.fromkeys(codes) if _LANGUAGE.match(code)]
    return tuple(
        SubtitleLanguage(code=code, name=_LANGUAGE_NAMES.get(code, code), default=i == 0)
        for i, code in enumerate(valid)
    )


def channel_profile(
    *,
    channel_id: str,
    name: str,
    profile: Mapping[str, Any],
    epoch: datetime,
    timezone: str,
    subtitles: Sequence[str],
) -> ChannelProfile:
    """The fixed playout profile; the target duration is the segment length rounded up.

    ``subtitles`` are the language codes of the channel's subtitle renditions, fixed like its ladder:
    programmes without a track in a language contribute empty segments to it.
    """
    return ChannelProfile(
        channel_id=channel_id,
        name=name,
        epoch=epoch,
        target_duration=max(1, math.ceil(float(profile.get("segment_seconds", 6.0)) - 1e-9)),
        variants=variants_of(profile),
        timezone=timezone,
        segment_format="fmp4" if profile.get("segment_format") == "fmp4" else "mpegts",
        subtitles=subtitle_languages(subtitles),
    )
