"""ffprobe a source and turn its JSON into a frozen `SourceInfo` (parsing is pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from transcoder.errors import SourceRejected
from transcoder.inputs import source_input
from transcoder.run import FFPROBE_JSON, run_capture

__all__ = [
    "AudioStream",
    "SourceInfo",
    "VideoStream",
    "is_still_image",
    "parse_probe",
    "probe",
    "probe_command",
]

_IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "webp_pipe", "gif", "tiff_pipe")
_IMAGE_CODECS = ("png", "mjpeg", "bmp", "webp", "tiff", "gif")


@dataclass(frozen=True, slots=True)
class VideoStream:
    """The first video stream, as far as the transcoder cares."""

    index: int
    codec: str
    width: int
    height: int
    rotation: int  # clockwise degrees to turn the stored picture to show it upright: 0/90/180/270
    interlaced: bool
    frame_rate: float
    frame_count: int | None
    pix_fmt: str
    bit_depth: int
    duration: float | None
    sample_aspect: Fraction = Fraction(1)  # SAR: width of one stored pixel over its height
    start_time: float | None = None  # seconds, in the file's clock (see `SourceInfo.video_offset`)

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height in stored pixels as shown (after rotation)."""
        return (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)

    @property
    def display_aspect(self) -> Fraction:
        """Width over height of the picture as shown: non-square pixels and rotation applied."""
        aspect = Fraction(self.width) * self.sample_aspect / self.height
        return 1 / aspect if self.rotation in (90, 270) else aspect


@dataclass(frozen=True, slots=True)
class AudioStream:
    """One audio stream; `position` is its rank among audio streams (for `-map 0:a:N`)."""

    index: int
    position: int
    codec: str
    language: str | None
    default: bool
    channels: int
    layout: str | None
    sample_rate: int


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What ffprobe says about a source file."""

    format_name: str
    duration: float | None
    size: int | None
    video: VideoStream | None
    audio: tuple[AudioStream, ...]
    start_time: float | None = None  # the earliest stream's start: ffmpeg's zero for the file

    @property
    def video_duration(self) -> float | None:
        """The video stream's duration if known, else the container's."""
        if self.video is not None and self.video.duration is not None:
            return self.video.duration
        return self.duration

    @property
    def video_offset(self) -> float:
        """Seconds from ffmpeg's zero for this file to the first video frame: where the programme
        starts. Audio starting earlier is cut there, audio starting later is preceded by silence."""
        if self.video is None or self.video.start_time is None or self.start_time is None:
            return 0.0
        return round(max(0.0, self.video.start_time - self.start_time), 6)


def probe_command(path: Path) -> list[str]:
    """ffprobe arguments printing format and streams as JSON (the upload opened through `source_input`)."""
    return [*FFPROBE_JSON, "-show_format", "-show_streams", *source_input(path).args()]


def _float(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result and result >= 0 else None  # NaN guard


def _time(value: Any) -> float | None:
    """A timestamp in seconds (may be negative), or None."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result and abs(result) != float("inf") else None


def _sar(value: Any) -> Fraction:
    """`sample_aspect_ratio` ("16:15"); unknown ("0:1", "N/A", absent) means square pixels."""
    num, sep, den = str(value).partition(":")
    try:
        sar = Fraction(int(num), int(den)) if sep else Fraction(1)
    except (ValueError, ZeroDivisionError):
        return Fraction(1)
    return sar if sar > 0 else Fraction(1)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rate(value: Any) -> float:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(rate) if rate > 0 else 0.0


def _rotation(stream: dict[str, Any]) -> int:
    """Clockwise turn to display upright, as ffmpeg's autorotate computes it (theta = -matrix angle)."""
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return round(-float(side["rotation"])) % 360 // 90 * 90
    tag = _float(stream.get("tags", {}).get("rotate"))
    return round(tag) % 360 // 90 * 90 if tag is not None else 0


def _bit_depth(stream: dict[str, Any]) -> int:
    raw = _int(stream.get("bits_per_raw_sample"))
    if raw:
        return raw
    pix_fmt = str(stream.get("pix_fmt", ""))
    for depth in (16, 14, 12, 10, 9):
        if f"p{depth}" in pix_fmt:
            return depth
    return 8


def _video(stream: dict[str, Any]) -> VideoStream:
    field_order = str(stream.get("field_order", "progressive"))
    rate = _rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate"))
    return VideoStream(
        index=int(stream.get("index", 0)),
        codec=str(stream.get("codec_name", "")),
        width=_int(stream.get("width")) or 0,
        height=_int(stream.get("height")) or 0,
        rotation=_rotation(stream),
        interlaced=field_order in ("tt", "bb", "tb", "bt"),
        frame_rate=rate,
        frame_count=_int(stream.get("nb_frames")),
        pix_fmt=str(stream.get("pix_fmt", "")),
        bit_depth=_bit_depth(stream),
        duration=_float(stream.get("duration")),
        sample_aspect=_sar(stream.get("sample_aspect_ratio")),
        start_time=_time(stream.get("start_time")),
    )


def parse_probe(data: dict[str, Any]) -> SourceInfo:
    """Pure: ffprobe's JSON (`-show_format -show_streams`) to a `SourceInfo`."""
    fmt = data.get("format", {})
    streams = data.get("streams", [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    return SourceInfo(
        format_name=str(fmt.get("format_name", "")),
        duration=_float(fmt.get("duration")),
        size=_int(fmt.get("size")),
        start_time=_time(fmt.get("start_time")),
        video=_video(videos[0]) if videos else None,
        audio=tuple(
            AudioStream(
                index=int(s.get("index", 0)),
                position=pos,
                codec=str(s.get("codec_name", "")),
                language=(s.get("tags", {}).get("language") or None),
                default=bool(s.get("disposition", {}).get("default")),
                channels=_int(s.get("channels")) or 0,
                layout=s.get("channel_layout"),
                sample_rate=_int(s.get("sample_rate")) or 0,
            )
            for pos, s in enumerate(audios)
        ),
    )


def is_still_image(info: SourceInfo) -> bool:
    """A picture rather than a programme: image demuxer or codec with at most one frame."""
    if info.video is None:
        return False
    if any(name in _IMAGE_FORMATS for name in info.format_name.split(",")):
        return True
    return info.video.codec in _IMAGE_CODECS and (info.video.frame_count or 0) <= 1


def probe(path: Path, *, timeout: float = 120.0) -> SourceInfo:
    """Run ffprobe on `path`; a file ffprobe cannot read is rejected as not media."""
    result = run_capture(probe_command(path), timeout=timeout)
    if result.returncode != 0:
        raise SourceRejected(
            "not_media",
            "Tệp tải lên không phải là tệp video hoặc âm thanh hợp lệ.",
            "The uploaded file is not a valid video or audio file.",
        )
    try:
        data = json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise SourceRejected(
            "not_media",
            "Tệp tải lên không phải là tệp video hoặc âm thanh hợp lệ.",
            "The uploaded file is not a valid video or audio file.",
        ) from exc
    return parse_probe(data)
