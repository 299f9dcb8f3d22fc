"""A channel row as the pure playout core sees it: its house format as a `playlist.ChannelProfile`.

The variants' CODECS and bandwidths are fixed per rung (docs/media-description.md), never read from a
programme, so the master playlist stays the same whatever is on air.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC

from channel.models import Channel
from playlist import ChannelProfile, SubtitleLanguage, Variant
from transcoder.house import AUDIO_CODEC, HouseFormat

__all__ = ["SUBTITLES_VI", "channel_profile", "subtitle_languages", "variants_of"]

SUBTITLES_VI = SubtitleLanguage(code="vi", name="Tiếng Việt", default=True)
#: what the player's subtitle menu shows for a language code (the code itself when unknown)
_LANGUAGE_NAMES: Mapping[str, str] = {"vi": "Tiếng Việt", "en": "English", "fr": "Français"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def variants_of(house: HouseFormat) -> tuple[Variant, ...]:
    """Nominal variants: peak = (video maxrate + audio) + 10 % mux overhead, average = bitrate + audio."""
    audio_k = house.audio_bitrate_k
    return tuple(
        Variant(
            name=r.name,
            width=r.width,
            height=r.height,
            bandwidth=(r.maxrate_k + audio_k) * 1100,
            average_bandwidth=(r.bitrate_k + audio_k) * 1000,
            codecs=f"{r.video_codec},{AUDIO_CODEC}",
            frame_rate=float(house.fps),
        )
        for r in house.rungs
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


def channel_profile(channel: Channel) -> ChannelProfile:
    """The channel's fixed playout profile; the target duration is the segment length rounded up.

    Its subtitle languages come from its stored profile, fixed like its ladder, never from what happens
    to be scheduled (programmes without a track in a language contribute empty segments to it), so the
    master playlist is the same at every publish.
    """
    house = channel.house_format
    return ChannelProfile(
        channel_id=channel.slug,
        name=channel.name,
        epoch=channel.epoch.astimezone(UTC),
        target_duration=max(1, math.ceil(house.segment_seconds - 1e-9)),
        variants=variants_of(house),
        timezone=channel.timezone,
        segment_format=house.segment_format,
        subtitles=subtitle_languages(channel.subtitle_languages),
    )
