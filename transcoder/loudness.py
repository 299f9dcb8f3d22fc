"""First loudnorm pass: measure a programme's loudness (EBU R128) on its audio only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from transcoder.errors import TranscodeFailed
from transcoder.inputs import source_input
from transcoder.profile import Profile
from transcoder.run import run_ffmpeg, scrub_paths

__all__ = [
    "LoudnessMeasurement",
    "audio_prechain",
    "loudnorm_filter",
    "loudnorm_options",
    "measure",
    "measure_command",
    "parse_loudnorm",
]

_JSON_RE = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class LoudnessMeasurement:
    """loudnorm's first-pass figures, fed back into the second pass."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float


def audio_prechain(profile: Profile) -> str:
    """Resample and down/up-mix to the house layout; shared by measurement and encode."""
    return f"aresample={profile.audio_sample_rate},aformat=sample_fmts=fltp:channel_layouts=stereo"


def loudnorm_options(profile: Profile, measured: LoudnessMeasurement | None) -> tuple[tuple[str, str], ...]:
    """loudnorm's options: a measuring pass (None) or the linear second pass with measured values."""
    base = (
        ("I", f"{profile.loudness_i:g}"),
        ("TP", f"{profile.loudness_tp:g}"),
        ("LRA", f"{profile.loudness_lra:g}"),
    )
    if measured is None:
        return (*base, ("print_format", "json"))
    return (
        *base,
        ("measured_I", f"{measured.input_i:.2f}"),
        ("measured_TP", f"{measured.input_tp:.2f}"),
        ("measured_LRA", f"{measured.input_lra:.2f}"),
        ("measured_thresh", f"{measured.input_thresh:.2f}"),
        ("offset", f"{measured.target_offset:.2f}"),
        ("linear", "true"),
        ("print_format", "summary"),
    )


def loudnorm_filter(profile: Profile, measured: LoudnessMeasurement | None) -> str:
    """The loudnorm filter as text, for a simple `-af` chain."""
    return "loudnorm=" + ":".join(f"{k}={v}" for k, v in loudnorm_options(profile, measured))


def measure_command(path: Path, *, audio_position: int, profile: Profile) -> list[str]:
    """ffmpeg arguments for the first pass on audio stream `audio_position`, video ignored."""
    return [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-nostats",
        *source_input(path).args(),
        "-map",
        f"0:a:{audio_position}",
        "-vn",
        "-sn",
        "-dn",
        "-af",
        f"{audio_prechain(profile)},{loudnorm_filter(profile, None)}",
        "-f",
        "null",
        "-",
    ]


def _num(value: str) -> float:
    number = float(value)
    # Silence measures as -inf: clamp to loudnorm's accepted range so the second pass stays valid.
    return max(-99.0, min(99.0, number)) if number == number else -99.0


def parse_loudnorm(stderr: str) -> LoudnessMeasurement:
    """Pure: the JSON block loudnorm prints at the end of the first pass."""
    found = _JSON_RE.findall(stderr)
    if not found:
        raise ValueError("no loudnorm JSON in ffmpeg output")
    data = json.loads(found[-1])
    return LoudnessMeasurement(
        input_i=_num(data["input_i"]),
        input_tp=_num(data["input_tp"]),
        input_lra=max(0.0, _num(data["input_lra"])),
        input_thresh=_num(data["input_thresh"]),
        target_offset=_num(data["target_offset"]),
    )


def measure(
    path: Path,
    *,
    audio_position: int,
    profile: Profile,
    timeout: float,
    should_cancel: Callable[[], bool] | None = None,
) -> LoudnessMeasurement:
    """Run the first pass and parse it."""
    result = run_ffmpeg(
        measure_command(path, audio_position=audio_position, profile=profile),
        timeout=timeout,
        should_cancel=should_cancel,
    )
    try:
        if result.returncode != 0:
            raise ValueError(f"exit {result.returncode}")
        return parse_loudnorm(result.stderr_tail)
    except (ValueError, KeyError) as exc:
        raise TranscodeFailed(
            "loudness measurement failed", stderr_tail=scrub_paths(result.stderr_tail[-2000:])
        ) from exc
