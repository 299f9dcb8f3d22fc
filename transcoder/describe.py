"""`description.json` (version 2, docs/media-description.md) as frozen values and JSON.

Version 1 (without GOP facts) is still read: each segment is then one GOP with no offsets, which
means hard starts cut at segment boundaries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DESCRIPTION_NAME",
    "DESCRIPTION_VERSION",
    "AudioDescription",
    "Description",
    "RenditionDescription",
]

DESCRIPTION_VERSION = 2
DESCRIPTION_NAME = "description.json"


@dataclass(frozen=True, slots=True)
class RenditionDescription:
    """One rung of a transcoded programme; every key is relative to the programme's prefix."""

    name: str
    width: int
    height: int
    bandwidth: int
    average_bandwidth: int
    codecs: str
    frame_rate: float
    playlist: str
    init: str | None
    segments: tuple[str, ...]
    # per segment, byte offsets of GOP 2, 3, … inside the segment file (MPEG-TS); empty lists for fMP4
    gop_offsets: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "width": self.width,
            "height": self.height,
            "bandwidth": self.bandwidth,
            "average_bandwidth": self.average_bandwidth,
            "codecs": self.codecs,
            "frame_rate": self.frame_rate,
            "playlist": self.playlist,
            "init": self.init,
            "segments": list(self.segments),
            "gop_offsets": [list(offsets) for offsets in self.gop_offsets],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenditionDescription:
        segments = tuple(data["segments"])
        offsets = data.get("gop_offsets") or [[] for _ in segments]  # version 1: none known
        return cls(
            **{**data, "segments": segments, "gop_offsets": tuple(tuple(int(o) for o in s) for s in offsets)}
        )


@dataclass(frozen=True, slots=True)
class AudioDescription:
    """The programme's audio; loudness figures are None when the audio is generated silence."""

    codec: str
    sample_rate: int
    channels: int
    measured_input_i: float | None
    measured_input_tp: float | None
    output_i: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "codec": self.codec,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "measured_input_i": self.measured_input_i,
            "measured_input_tp": self.measured_input_tp,
            "output_i": self.output_i,
        }


@dataclass(frozen=True, slots=True)
class Description:
    """What a transcoded programme is, as the playout needs it."""

    duration: float
    segment_format: str
    target_duration: int
    segment_durations: tuple[float, ...]
    segment_gops: tuple[tuple[float, ...], ...]  # per segment, its GOPs' durations (sum: the segment's)
    renditions: tuple[RenditionDescription, ...]
    audio: AudioDescription
    poster: str | None
    thumbnails: tuple[str, ...]
    master: str = "master.m3u8"
    version: int = DESCRIPTION_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "duration": self.duration,
            "segment_format": self.segment_format,
            "target_duration": self.target_duration,
            "segment_durations": list(self.segment_durations),
            "segment_gops": [list(gops) for gops in self.segment_gops],
            "renditions": [r.to_dict() for r in self.renditions],
            "audio": self.audio.to_dict(),
            "poster": self.poster,
            "thumbnails": list(self.thumbnails),
            "master": self.master,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Description:
        """Version 2, or version 1 read as one GOP per segment."""
        durations = tuple(float(d) for d in data["segment_durations"])
        gops = data.get("segment_gops") or [[d] for d in durations]
        return cls(
            version=int(data["version"]),
            duration=float(data["duration"]),
            segment_format=str(data["segment_format"]),
            target_duration=int(data["target_duration"]),
            segment_durations=durations,
            segment_gops=tuple(tuple(float(d) for d in g) for g in gops),
            renditions=tuple(RenditionDescription.from_dict(r) for r in data["renditions"]),
            audio=AudioDescription(**data["audio"]),
            poster=data.get("poster"),
            thumbnails=tuple(data.get("thumbnails", ())),
            master=str(data["master"]),
        )
