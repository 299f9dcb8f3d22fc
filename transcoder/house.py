"""The house format as one frozen value: built and checked once, passed down, sent as a typed payload.

Every programme is transcoded to it, so programmes are interchangeable on air. The service builds it
from its settings (`channel.settings.Settings.house_format`) and a channel stores its own copy (a
subset of the rungs at most); a Celery job carries it as a `HouseFormatPayload` and the worker reads
it back with `HouseFormat.from_payload`, which refuses a partial or unknown payload instead of filling
in defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, TypedDict, cast

__all__ = [
    "AUDIO_CODEC",
    "DEFAULT_HEIGHTS",
    "HouseFormat",
    "HouseFormatPayload",
    "Rung",
    "RungPayload",
    "SegmentFormat",
    "ladder",
    "rung_for_height",
]

SegmentFormat = Literal["mpegts", "fmp4"]

DEFAULT_HEIGHTS: tuple[int, ...] = (1080, 720, 480, 360)
#: RFC 6381 string of the house audio, AAC-LC
AUDIO_CODEC = "mp4a.40.2"

_LEVEL_CODECS = {"4.0": "avc1.640028", "3.1": "avc1.64001f", "3.0": "avc1.64001e"}

# height -> (bitrate k, maxrate k, level), from docs/media-description.md; bufsize is 2 x maxrate.
_KNOWN: dict[int, tuple[int, int, str]] = {
    1080: (4500, 5000, "4.0"),
    720: (2500, 2800, "3.1"),
    480: (1250, 1400, "3.0"),
    360: (700, 800, "3.0"),
    240: (350, 400, "3.0"),
}


class RungPayload(TypedDict):
    """One rung as JSON primitives (the fields of `Rung`)."""

    height: int
    width: int
    bitrate_k: int
    maxrate_k: int
    bufsize_k: int
    level: str


class HouseFormatPayload(TypedDict):
    """The house format as JSON primitives, as a Celery job carries it (the fields of `HouseFormat`)."""

    rungs: list[RungPayload]
    fps: int
    gop_seconds: float
    segment_seconds: float
    segment_format: SegmentFormat
    preset: str
    audio_sample_rate: int
    audio_channels: int
    audio_bitrate_k: int
    loudness_i: float
    loudness_tp: float
    min_duration: float
    max_duration: float


@dataclass(frozen=True, slots=True)
class Rung:
    """One variant of the ladder: exact frame size, rate control and H.264 level."""

    height: int
    width: int
    bitrate_k: int
    maxrate_k: int
    bufsize_k: int
    level: str

    @property
    def name(self) -> str:
        return f"{self.height}p"

    @property
    def video_codec(self) -> str:
        """RFC 6381 string of H.264 High at this rung's level."""
        return _LEVEL_CODECS[self.level]


def rung_for_height(height: int) -> Rung:
    """A 16:9 rung of `height`; unknown heights (small test ladders) get bitrates by pixel count."""
    width = round(height * 16 / 9 / 2) * 2
    if height in _KNOWN:
        bitrate, maxrate, level = _KNOWN[height]
    else:
        maxrate = max(100, round(800 * (width * height) / (640 * 360)))
        bitrate = maxrate * 9 // 10
        level = "4.0" if height > 720 else "3.1" if height > 480 else "3.0"
    return Rung(
        height=height, width=width, bitrate_k=bitrate, maxrate_k=maxrate, bufsize_k=2 * maxrate, level=level
    )


def ladder(heights: tuple[int, ...]) -> tuple[Rung, ...]:
    """Rungs for `heights`, highest first."""
    return tuple(rung_for_height(h) for h in sorted(heights, reverse=True))


@dataclass(frozen=True, slots=True)
class HouseFormat:
    """Everything that makes programmes interchangeable on air; fixed per channel."""

    rungs: tuple[Rung, ...] = field(default_factory=lambda: ladder(DEFAULT_HEIGHTS))
    fps: int = 25
    gop_seconds: float = 2.0
    segment_seconds: float = 6.0
    segment_format: SegmentFormat = "mpegts"
    preset: str = "veryfast"
    audio_sample_rate: int = 48000
    audio_channels: int = 2
    audio_bitrate_k: int = 128
    loudness_i: float = -23.0
    loudness_tp: float = -1.0
    min_duration: float = 1.0
    max_duration: float = 4 * 3600.0

    def __post_init__(self) -> None:
        if not self.rungs:
            raise ValueError("a house format needs at least one rung")
        if len(set(self.heights)) != len(self.rungs):
            raise ValueError("the rungs' heights must differ")
        if self.segment_format not in ("mpegts", "fmp4"):
            raise ValueError(f"unknown segment format {self.segment_format!r}")
        gop = self.gop_seconds * self.fps
        if abs(gop - round(gop)) > 1e-9 or gop < 1:
            raise ValueError("gop_seconds * fps must be a whole number of frames")
        ratio = self.segment_seconds / self.gop_seconds
        if abs(ratio - round(ratio)) > 1e-9 or ratio < 1:
            raise ValueError("segment_seconds must be a whole number of GOPs")

    @classmethod
    def with_heights(cls, heights: tuple[int, ...], **changes: Any) -> HouseFormat:
        """A house format with the ladder of `heights` and any other field changed."""
        return replace(cls(), rungs=ladder(heights), **changes)

    @property
    def heights(self) -> tuple[int, ...]:
        """The rungs' heights, in ladder order (highest first)."""
        return tuple(r.height for r in self.rungs)

    @property
    def gop_frames(self) -> int:
        return round(self.gop_seconds * self.fps)

    @property
    def segment_extension(self) -> str:
        return "ts" if self.segment_format == "mpegts" else "m4s"

    def to_payload(self) -> HouseFormatPayload:
        """JSON primitives for a job payload (rungs as a list of dicts)."""
        data = asdict(self)
        data["rungs"] = [asdict(r) for r in self.rungs]
        return cast(HouseFormatPayload, data)

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> HouseFormat:
        """Inverse of `to_payload`. Every field is required and nothing else is taken: a payload that
        is not a whole house format raises ValueError naming what is wrong, never a guessed default."""
        names = {f.name for f in fields(cls)}
        missing, unknown = sorted(names - data.keys()), sorted(data.keys() - names)
        if missing or unknown:
            raise ValueError(f"not a house format payload: missing {missing}, unknown {unknown}")
        try:
            rungs = tuple(Rung(**r) for r in data["rungs"])
        except TypeError as exc:
            raise ValueError(f"not a house format payload: a rung is malformed ({exc})") from None
        return cls(**{**{name: data[name] for name in names}, "rungs": rungs})
