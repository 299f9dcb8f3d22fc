"""After the encode: read the rung playlists, check alignment, measure bitrates, write the playlists.

Everything here reads the local output folder; nothing is uploaded (see `pipeline.upload`). Every
playlist the programme ships (the master, and each rung's in place of the one ffmpeg wrote) comes
from `playlist/`'s renderer, the project's one HLS writer and version rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import m3u8

from playlist import Variant, render_rendition_vod, render_variant_master
from transcoder.build import PLAYLIST_NAME
from transcoder.conformance import MeasuredRendition, check_conformance, measure_rendition
from transcoder.describe import DESCRIPTION_NAME, AudioDescription, Description, RenditionDescription
from transcoder.errors import TranscodeFailed
from transcoder.gops import GopLayout, segment_gops, shared_starts
from transcoder.house import HouseFormat, Rung

__all__ = [
    "MASTER_NAME",
    "RenditionOutput",
    "bandwidths",
    "common_durations",
    "describe_output",
    "master_playlist",
    "measure_rungs",
    "read_rendition",
    "rendition_playlist",
    "upload_order",
    "write_package",
]

MASTER_NAME = "master.m3u8"
_ALIGN_TOLERANCE = 0.002


@dataclass(frozen=True, slots=True)
class RenditionOutput:
    """One encoded rung on disk: segment names, durations and sizes, as its playlist says."""

    rung: Rung
    segments: tuple[str, ...]
    durations: tuple[float, ...]
    sizes: tuple[int, ...]
    init: str | None


def read_rendition(rung_dir: Path, rung: Rung) -> RenditionOutput:
    """Parse `<rung>/index.m3u8` with the m3u8 library and stat its segments."""
    playlist = m3u8.load(str(rung_dir / PLAYLIST_NAME))
    names = tuple(str(seg.uri) for seg in playlist.segments)
    init_uri = playlist.segment_map[0].uri if playlist.segment_map else None
    return RenditionOutput(
        rung=rung,
        segments=names,
        durations=tuple(float(seg.duration) for seg in playlist.segments),
        sizes=tuple((rung_dir / name).stat().st_size for name in names),
        init=str(init_uri) if init_uri else None,
    )


def common_durations(outputs: Sequence[RenditionOutput]) -> tuple[float, ...]:
    """The segment durations shared by every rung; different boundaries are a hard failure."""
    first = outputs[0].durations
    for other in outputs[1:]:
        if len(other.durations) != len(first) or any(
            abs(a - b) > _ALIGN_TOLERANCE for a, b in zip(first, other.durations, strict=True)
        ):
            raise TranscodeFailed(
                f"segment boundaries differ between {outputs[0].rung.name} and {other.rung.name}: "
                f"{len(first)} vs {len(other.durations)} segments"
            )
    if not first:
        raise TranscodeFailed("the encode produced no segments")
    return first


def measure_rungs(
    outdir: Path, *, profile: HouseFormat, outputs: Sequence[RenditionOutput], timeout: float
) -> tuple[list[MeasuredRendition], list[GopLayout]]:
    """Measure every rung (`conformance.measure_rendition`); `TranscodeFailed` if one breaks the house
    format. Each ffprobe may use up to `timeout` seconds."""
    common_durations(outputs)  # no segments, or different boundaries: nothing worth measuring
    measured, layouts = [], []
    for out in outputs:
        facts, layout = measure_rendition(
            outdir / out.rung.name,
            playlist=PLAYLIST_NAME,
            segments=out.segments,
            durations=out.durations,
            sizes=out.sizes,
            init=out.init,
            timeout=timeout,
        )
        measured.append(check_conformance(facts, rung=out.rung, profile=profile))
        layouts.append(layout)
    return measured, layouts


def bandwidths(sizes: Sequence[int], durations: Sequence[float]) -> tuple[int, int]:
    """(peak, average) bits per second; the peak ignores a short trailing segment when it can."""
    rates = [size * 8 / dur for size, dur in zip(sizes, durations, strict=True) if dur > 0]
    longest = max(durations)
    full = [
        size * 8 / dur for size, dur in zip(sizes, durations, strict=True) if dur >= 0.5 * longest
    ] or rates
    total = sum(durations)
    average = sum(sizes) * 8 / total if total > 0 else 0.0
    return math.ceil(max(full)), math.ceil(average)


def master_playlist(renditions: Sequence[RenditionDescription]) -> str:
    """The programme's master playlist, highest rung first, each rung's playlist by its relative key."""
    variants = [
        Variant(r.name, r.width, r.height, r.bandwidth, r.average_bandwidth, r.codecs, r.frame_rate)
        for r in renditions
    ]
    return render_variant_master(variants=list(zip(variants, [r.playlist for r in renditions], strict=True)))


def rendition_playlist(rendition: RenditionDescription, description: Description) -> str:
    """A rung's VOD media playlist, URIs relative to the playlist's own folder (as ffmpeg wrote them)."""
    return render_rendition_vod(
        rendition.playlist,
        list(zip(description.segment_durations, rendition.segments, strict=True)),
        target_duration=description.target_duration,
        init_key=rendition.init,
    )


def describe_output(
    outputs: Sequence[RenditionOutput],
    *,
    measured: Sequence[MeasuredRendition],
    gops: Sequence[GopLayout],
    profile: HouseFormat,
    audio: AudioDescription,
    poster: str | None,
    thumbnails: tuple[str, ...],
) -> Description:
    """Pure: the description of checked rung outputs; size, codecs, rate and GOPs as measured from them."""
    durations = common_durations(outputs)
    starts = shared_starts(gops)
    renditions = []
    for out, facts, layout in zip(outputs, measured, gops, strict=True):
        peak, average = bandwidths(out.sizes, out.durations)
        name = out.rung.name
        renditions.append(
            RenditionDescription(
                name=name,
                width=facts.width,
                height=facts.height,
                bandwidth=peak,
                average_bandwidth=average,
                codecs=facts.codecs,
                frame_rate=facts.frame_rate,
                playlist=f"{name}/{PLAYLIST_NAME}",
                init=f"{name}/{out.init}" if out.init else None,
                segments=tuple(f"{name}/{seg}" for seg in out.segments),
                gop_offsets=layout.offsets,
            )
        )
    return Description(
        duration=round(sum(durations), 6),
        segment_format=profile.segment_format,
        target_duration=math.ceil(max(durations) - 1e-6),
        segment_durations=durations,
        segment_gops=segment_gops(starts, durations),
        renditions=tuple(renditions),
        audio=audio,
        poster=poster,
        thumbnails=thumbnails,
        master=MASTER_NAME,
    )


def write_package(outdir: Path, description: Description) -> None:
    """Write each rung's playlist (over ffmpeg's), then description.json and master.m3u8 beside them."""
    for rendition in description.renditions:
        playlist = rendition_playlist(rendition, description)
        (outdir / rendition.playlist).write_text(playlist, encoding="utf-8")
    (outdir / DESCRIPTION_NAME).write_bytes(description.to_json())
    (outdir / MASTER_NAME).write_text(master_playlist(description.renditions), encoding="utf-8")


def upload_order(description: Description) -> list[str]:
    """Every key to upload, relative to the prefix: media first, description, master LAST."""
    keys: list[str] = []
    for r in description.renditions:
        if r.init:
            keys.append(r.init)
        keys.extend(r.segments)
        keys.append(r.playlist)
    if description.poster:
        keys.append(description.poster)
    keys.extend(description.thumbnails)
    keys += [DESCRIPTION_NAME, description.master]
    return keys
