"""A programme's own playlists (catch-up, the programme page): its master with every rendition and
every subtitle language, like the live master, and one VOD subtitle playlist per language.

The transcoder's stored master.m3u8 is written before any subtitle exists (tracks are uploaded
later), so these are rendered from description.json whenever they are asked for. Keys in the
description are relative to the programme's prefix; ``uri_prefix`` makes them URIs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from playlist import tags
from playlist.media import MediaDescriptionError
from playlist.profile import SubtitleLanguage, Variant
from playlist.render import render_variant_master, subtitle_playlist_name

__all__ = ["programme_languages", "render_programme_master", "render_programme_subtitles"]


def _variants(description: Mapping[str, Any], uri_prefix: str) -> list[tuple[Variant, str]]:
    try:
        return [
            (
                Variant(
                    name=str(r["name"]),
                    width=int(r["width"]),
                    height=int(r["height"]),
                    bandwidth=int(r["bandwidth"]),
                    average_bandwidth=int(r["average_bandwidth"]),
                    codecs=str(r["codecs"]),
                    frame_rate=float(r["frame_rate"]),
                ),
                uri_prefix + str(r["playlist"]),
            )
            for r in description["renditions"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise MediaDescriptionError(f"a rendition cannot be advertised: {exc!r}") from exc


def programme_languages(description: Mapping[str, Any]) -> tuple[str, ...]:
    """The languages whose cues are cut into segments (``subtitles`` of description.json)."""
    return tuple(str(t["language"]) for t in description.get("subtitles") or ())


def render_programme_master(
    description: Mapping[str, Any], *, uri_prefix: str, subtitles: Sequence[SubtitleLanguage] = ()
) -> str:
    """The master of one programme, highest rung first; ``subtitles`` are advertised in the order
    given (the first is the default) and point at ``subs_<code>.m3u8`` next to the master."""
    return render_variant_master(
        variants=_variants(description, uri_prefix),
        subtitles=[(lang, subtitle_playlist_name(lang.code)) for lang in subtitles],
    )


def render_programme_subtitles(description: Mapping[str, Any], *, language: str, uri_prefix: str) -> str:
    """The VOD playlist of one subtitle language: one WebVTT file per video segment, same durations.

    Raises KeyError when the programme has no cues in ``language``.
    """
    track = next((t for t in description.get("subtitles") or () if t["language"] == language), None)
    if track is None:
        raise KeyError(language)
    durations = [round(float(d) * 1_000_000) for d in description["segment_durations"]]
    longest = math.floor(max(durations) / 1_000_000 + 0.5)  # EXTINF rounded to the nearest second
    target = max(int(description.get("target_duration", 0)), longest)
    lines = [
        tags.EXTM3U,
        f"{tags.VERSION}3",
        f"{tags.TARGETDURATION}{target}",
        f"{tags.PLAYLIST_TYPE}VOD",
        f"{tags.MEDIA_SEQUENCE}0",
    ]
    for duration, key in zip(durations, track["segments"], strict=True):
        lines.append(tags.extinf(duration))
        lines.append(uri_prefix + str(key))
    lines.append(tags.ENDLIST)
    return "\n".join(lines) + "\n"
