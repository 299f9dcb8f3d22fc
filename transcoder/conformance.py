"""What the output really is: ffprobe each rung, check it against the house format, find its GOPs.

Turning ffprobe's output into values and comparing them with the profile is pure; `measure_rendition`
is the one place the output is measured (through `run.run_capture`): per rung, the streams of the
first segment and the video packets of the whole rendition (`gops`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from transcoder.errors import TranscodeFailed
from transcoder.gops import GopLayout, gop_layout, packets_command, parse_packets
from transcoder.house import HouseFormat, Rung
from transcoder.run import FFPROBE_JSON, check, run_capture

__all__ = [
    "MeasuredRendition",
    "aac_codec",
    "avc1_codec",
    "check_conformance",
    "expected_rendition",
    "measure_command",
    "measure_rendition",
    "parse_measured",
]

# H.264 profile name (as ffprobe prints it) -> (profile_idc, constraint flags byte)
_H264_PROFILES: dict[str, tuple[int, int]] = {
    "High": (0x64, 0x00),
    "Main": (0x4D, 0x40),
    "Baseline": (0x42, 0x00),
    "Constrained Baseline": (0x42, 0xE0),
}
# AAC profile name -> MPEG-4 audio object type
_AAC_OBJECT_TYPES: dict[str, int] = {"LC": 2, "HE-AAC": 5, "HE-AACv2": 29}
_FPS_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class MeasuredRendition:
    """The facts a master playlist states about a rung, as found in its media."""

    width: int
    height: int
    frame_rate: float
    video_codec: str
    audio_codec: str

    @property
    def codecs(self) -> str:
        """The CODECS attribute value (RFC 6381), video first."""
        return f"{self.video_codec},{self.audio_codec}"


def avc1_codec(profile: str, level: int) -> str:
    """`avc1.PPCCLL` of an H.264 stream: e.g. ("High", 40) -> "avc1.640028"."""
    if profile not in _H264_PROFILES or not 0 < level < 256:
        raise TranscodeFailed(
            f"the output's H.264 profile {profile!r} level {level} has no known codec string"
        )
    idc, constraints = _H264_PROFILES[profile]
    return f"avc1.{idc:02x}{constraints:02x}{level:02x}"


def aac_codec(profile: str) -> str:
    """`mp4a.40.N` of an AAC stream: "LC" -> "mp4a.40.2"."""
    if profile not in _AAC_OBJECT_TYPES:
        raise TranscodeFailed(f"the output's AAC profile {profile!r} has no known codec string")
    return f"mp4a.40.{_AAC_OBJECT_TYPES[profile]}"


def _rate(value: Any) -> float:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(rate)


def parse_measured(data: dict[str, Any]) -> MeasuredRendition:
    """Pure: ffprobe's `-show_streams` JSON of a segment to the rung's measured facts."""
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None or video.get("codec_name") != "h264":
        raise TranscodeFailed("the output segment has no H.264 video stream")
    if audio is None or audio.get("codec_name") != "aac":
        raise TranscodeFailed("the output segment has no AAC audio stream")
    return MeasuredRendition(
        width=int(video.get("width", 0)),
        height=int(video.get("height", 0)),
        frame_rate=_rate(video.get("avg_frame_rate")),
        video_codec=avc1_codec(str(video.get("profile", "")), int(video.get("level", 0))),
        audio_codec=aac_codec(str(audio.get("profile", ""))),
    )


def expected_rendition(rung: Rung, profile: HouseFormat) -> MeasuredRendition:
    """What the house format promises for `rung`."""
    return MeasuredRendition(
        width=rung.width,
        height=rung.height,
        frame_rate=float(profile.fps),
        video_codec=rung.video_codec,
        audio_codec=aac_codec("LC"),
    )


def check_conformance(measured: MeasuredRendition, *, rung: Rung, profile: HouseFormat) -> MeasuredRendition:
    """`measured`, or `TranscodeFailed` naming every way it breaks the house format."""
    expected = expected_rendition(rung, profile)
    problems = [
        f"{name} {got} (expected {want})"
        for name, got, want in (
            ("size", f"{measured.width}x{measured.height}", f"{expected.width}x{expected.height}"),
            ("video codec", measured.video_codec, expected.video_codec),
            ("audio codec", measured.audio_codec, expected.audio_codec),
        )
        if got != want
    ]
    if abs(measured.frame_rate - expected.frame_rate) > _FPS_TOLERANCE:
        problems.append(f"frame rate {measured.frame_rate:g} (expected {expected.frame_rate:g})")
    if problems:
        raise TranscodeFailed(f"rung {rung.name} breaks the house format: {'; '.join(problems)}")
    return measured


def measure_command(first_segment: Path, *, init: Path | None = None) -> list[str]:
    """ffprobe arguments printing the streams of a rung's first segment (with its init section)."""
    target = f"concat:{init}|{first_segment}" if init is not None else str(first_segment)
    return [
        *FFPROBE_JSON,
        "-show_entries",
        "stream=codec_type,codec_name,profile,level,width,height,avg_frame_rate",
        target,
    ]


def measure_rendition(
    rung_dir: Path,
    *,
    playlist: str,
    segments: Sequence[str],
    durations: Sequence[float],
    sizes: Sequence[int],
    init: str | None,
    timeout: float,
) -> tuple[MeasuredRendition, GopLayout]:
    """ffprobe a rung (two subprocesses): the streams of its first segment, and every video packet
    of the rendition, from which its GOP layout (offsets for MPEG-TS only, see `gops`)."""
    first = rung_dir / segments[0]
    command = measure_command(first, init=rung_dir / init if init else None)
    result = check(run_capture(command, timeout=timeout), "ffprobe output")
    try:
        data = json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise TranscodeFailed("ffprobe printed no JSON for an output segment") from exc
    listed = check(run_capture(packets_command(rung_dir / playlist), timeout=timeout), "ffprobe packets")
    layout = gop_layout(parse_packets(listed.stdout), durations=durations, sizes=None if init else sizes)
    return parse_measured(data), layout
