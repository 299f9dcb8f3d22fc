"""Loudness (EBU R128): measure a programme's audio once, then apply one linear gain and a limiter.

Why not loudnorm: its measuring pass runs the whole dynamic normaliser at 192 kHz only to print
figures, and its second pass works at 192 kHz too (the transcode benchmark's (a)/(b) was 1.10, most
of the difference there). The `ebur128` filter measures the same integrated loudness at the source
rate at a fifth of the cost; the encode then applies `volume` (target − measured, a pure gain: the
programme keeps its own dynamics, as loudnorm's linear mode does) and `alimiter` at 48 kHz, whose
ceiling sits `TRUE_PEAK_MARGIN` below the true-peak target to leave room for inter-sample peaks and
the AAC encoder's overshoot (measured on decoded output in tests/transcoder/test_loudness.py).

When the gain would push peaks over that ceiling, the limiter takes loudness away with them, so
`measure` runs a second, audio-only pass through the gain and the limiter and records what is left
(`limited_i`); the encode then adds the difference after the limiter and limits once more. Only such
programmes (a high crest factor: quiet speech with loud plosives, music) pay for the second pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from transcoder.errors import TranscodeFailed
from transcoder.house import HouseFormat
from transcoder.inputs import source_input
from transcoder.run import run_ffmpeg, scrub_paths

__all__ = [
    "MAX_BOOST_DB",
    "SILENCE_LUFS",
    "TRUE_PEAK_MARGIN",
    "LoudnessMeasurement",
    "audio_prechain",
    "limiter_ceiling",
    "limiter_options",
    "loudness_gain",
    "makeup_gain",
    "measure",
    "measure_command",
    "parse_ebur128",
]

#: ebur128's floor: nothing above the absolute gate (-70 LUFS), i.e. silence or nearly so
SILENCE_LUFS = -70.0
#: the most a programme is amplified: a -53 LUFS recording still reaches -23, hiss is not made loud
MAX_BOOST_DB = 30.0
#: dB between the limiter's sample-peak ceiling and the true-peak target
TRUE_PEAK_MARGIN = 1.0

_SUMMARY = "Summary:"
_FIELDS = {
    "input_i": re.compile(r"^\s*I:\s+(\S+) LUFS", re.MULTILINE),
    "input_thresh": re.compile(r"^\s*Threshold:\s+(\S+) LUFS", re.MULTILINE),  # the first: I's gate
    "input_lra": re.compile(r"^\s*LRA:\s+(\S+) LU\b", re.MULTILINE),
    "input_tp": re.compile(r"^\s*Peak:\s+(\S+) dBFS", re.MULTILINE),
}


@dataclass(frozen=True, slots=True)
class LoudnessMeasurement:
    """The source audio's EBU R128 figures: integrated loudness, true peak, range, gating threshold."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    limited_i: float | None = None  # after the gain and the limiter, when the limiter has work to do

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoudnessMeasurement:
        """From a job payload; keys of the former loudnorm figures (`target_offset`) are ignored."""
        limited = data.get("limited_i")
        return cls(
            input_i=float(data["input_i"]),
            input_tp=float(data["input_tp"]),
            input_lra=float(data["input_lra"]),
            input_thresh=float(data["input_thresh"]),
            limited_i=None if limited is None else float(limited),
        )


def audio_prechain(profile: HouseFormat) -> str:
    """Resample and down/up-mix to the house layout, as the encode does, before measuring."""
    return f"aresample={profile.audio_sample_rate},aformat=sample_fmts=fltp:channel_layouts=stereo"


def limiter_options(profile: HouseFormat) -> tuple[tuple[str, str], ...]:
    """`alimiter` as the house uses it: a fixed ceiling, no auto level, its lookahead delay undone."""
    return (("limit", f"{limiter_ceiling(profile):g}"), ("level", "false"), ("latency", "true"))


def _gain_and_limit(gain: float, profile: HouseFormat) -> str:
    limiter = ":".join(f"{k}={v}" for k, v in limiter_options(profile))
    return f"volume=volume={gain:g}dB,alimiter={limiter}"


def measure_command(
    path: Path, *, audio_position: int, profile: HouseFormat, gain: float | None = None
) -> list[str]:
    """ffmpeg arguments measuring audio stream `audio_position` (true peak included), video ignored;
    with `gain`, what is left after that gain and the limiter.

    Per-frame lines go to the `verbose` log level, so only the summary reaches stderr."""
    applied = "" if gain is None else f"{_gain_and_limit(gain, profile)},"
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
        f"{audio_prechain(profile)},{applied}ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
    ]


def _number(text: str) -> float:
    """A figure of the summary; silence prints `-inf` (clamped to the floor), never NaN."""
    value = float(text)
    if value != value:
        raise ValueError("NaN in the ebur128 summary")
    return max(-99.0, min(99.0, value))


def parse_ebur128(stderr: str) -> LoudnessMeasurement:
    """Pure: the summary ebur128 prints when the measuring pass ends."""
    at = stderr.rfind(_SUMMARY)
    if at < 0:
        raise ValueError("no ebur128 summary in ffmpeg output")
    summary = stderr[at:]
    found = {name: pattern.search(summary) for name, pattern in _FIELDS.items()}
    missing = [name for name, match in found.items() if match is None]
    if missing:
        raise ValueError(f"ebur128 summary without {', '.join(missing)}")
    return LoudnessMeasurement(**{name: _number(match.group(1)) for name, match in found.items() if match})


def loudness_gain(measured: LoudnessMeasurement, profile: HouseFormat) -> float | None:
    """dB to add to reach the target, at most `MAX_BOOST_DB`; None for audio too quiet to measure."""
    if measured.input_i <= SILENCE_LUFS:
        return None
    return round(min(MAX_BOOST_DB, profile.loudness_i - measured.input_i), 2)


def makeup_gain(measured: LoudnessMeasurement, profile: HouseFormat) -> float | None:
    """dB to add after the limiter for the loudness it took away; None when it takes none away."""
    if measured.limited_i is None or measured.limited_i <= SILENCE_LUFS:
        return None
    makeup = round(min(MAX_BOOST_DB, profile.loudness_i - measured.limited_i), 2)
    return makeup if makeup >= 0.1 else None


def _limits(measured: LoudnessMeasurement, profile: HouseFormat) -> bool:
    """Whether the gain puts peaks over the limiter's ceiling (so the limiter changes the loudness)."""
    gain = loudness_gain(measured, profile)
    return gain is not None and measured.input_tp + gain > profile.loudness_tp - TRUE_PEAK_MARGIN


def limiter_ceiling(profile: HouseFormat) -> float:
    """`alimiter`'s limit (linear sample peak) for the profile's true-peak target."""
    return round(10 ** ((profile.loudness_tp - TRUE_PEAK_MARGIN) / 20), 4)


def measure(
    path: Path,
    *,
    audio_position: int,
    profile: HouseFormat,
    timeout: float,
    should_cancel: Callable[[], bool] | None = None,
) -> LoudnessMeasurement:
    """Run the measuring pass and parse it; then, if the limiter will have work to do, the second pass."""

    def run(gain: float | None) -> LoudnessMeasurement:
        command = measure_command(path, audio_position=audio_position, profile=profile, gain=gain)
        result = run_ffmpeg(command, timeout=timeout, should_cancel=should_cancel)
        try:
            if result.returncode != 0:
                raise ValueError(f"exit {result.returncode}")
            return parse_ebur128(result.stderr_tail)
        except ValueError as exc:
            raise TranscodeFailed(
                "loudness measurement failed", stderr_tail=scrub_paths(result.stderr_tail[-2000:])
            ) from exc

    measured = run(None)
    gain = loudness_gain(measured, profile)
    if gain is None or not _limits(measured, profile):
        return measured
    return replace(measured, limited_i=run(gain).input_i)
