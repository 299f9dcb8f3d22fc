"""The channel's house format as one frozen value that travels as primitives in a job payload."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

__all__ = ["DEFAULT_HEIGHTS", "Profile", "Rung", "SegmentFormat", "ladder", "rung_for_height"]

SegmentFormat = Literal["mpegts", "fmp4"]

DEFAULT_HEIGHTS: tuple[int, ...] = (1080, 720, 480, 360)

_LEVEL_CODECS = {"4.0": "avc1.640028", "3.1": "avc1.64001f", "3.0": "avc1.64001e"}

# height -> (bitrate k, maxrate k, level), from docs/media-description.md; bufsize is 2 x maxrate.
_KNOWN: dict[int, tuple[int, int, str]] = {
    1080: (4500, 5000, "4.0"),
    720: (2500, 2800, "3.1"),
    480: (1250, 1400, "3.0"),
    360: (700, 800, "3.0"),
    240: (350, 400, "3.0"),
}


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
class Profile:
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
            raise ValueError("a profile needs at least one rung")
        if self.segment_format not in ("mpegts", "fmp4"):
            raise ValueError(f"unknown segment format {self.segment_format!r}")
        gop = self.gop_seconds * self.fps
        if abs(gop - round(gop)) > 1e-9 or gop < 1:
            raise ValueError("gop_seconds * fps must be a whole number of frames")
        ratio = self.segment_seconds / self.gop_seconds
        if abs(ratio - round(ratio)) > 1e-9 or ratio < 1:
            raise ValueError("segment_seconds must be a whole number of GOPs")

    @classmethod
    def with_heights(cls, heights: tuple[int, ...], **changes: Any) -> Profile:
        """A profile with the ladder of `heights` and any other field changed."""
        return replace(cls(), rungs=ladder(heights), **changes)

    @property
    def gop_frames(self) -> int:
        return round(self.gop_seconds * self.fps)

    @property
    def segment_extension(self) -> str:
        return "ts" if self.segment_format == "mpegts" else "m4s"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe primitives (rungs as a list of dicts)."""
        data = asdict(self)
        data["rungs"] = [asdict(r) for r in self.rungs]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        """Inverse of `to_dict`; missing keys take the defaults, `heights` is accepted as a shortcut."""
        values = dict(data)
        values.pop("loudness_lra", None)  # payloads from before the linear loudness path carry it
        heights = values.pop("heights", None)
        if "rungs" in values:
            values["rungs"] = tuple(Rung(**r) for r in values["rungs"])
        elif heights is not None:
            values["rungs"] = ladder(tuple(int(h) for h in heights))
        return cls(**values)
