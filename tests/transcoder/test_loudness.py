from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from tests.transcoder.checks import loudness
from tests.transcoder.conftest import transcoded
from tests.transcoder.test_inputs import fenced
from transcoder.house import HouseFormat
from transcoder.loudness import (
    LoudnessMeasurement,
    limiter_ceiling,
    loudness_gain,
    makeup_gain,
    measure,
    measure_command,
    parse_ebur128,
)

STDERR = """size=N/A time=00:00:10.00 bitrate=N/A speed= 927x
[Parsed_ebur128_2 @ 0x55d0] Summary:

  Integrated loudness:
    I:         -31.2 LUFS
    Threshold: -41.5 LUFS

  Loudness range:
    LRA:         2.1 LU
    Threshold: -51.9 LUFS
    LRA low:   -32.4 LUFS
    LRA high:  -30.3 LUFS

  True peak:
    Peak:       -9.0 dBFS
"""


def test_parse_ebur128_summary() -> None:
    assert parse_ebur128(STDERR) == LoudnessMeasurement(
        input_i=-31.2, input_tp=-9.0, input_lra=2.1, input_thresh=-41.5
    )


def test_silence_is_clamped_and_gets_no_gain() -> None:
    silent = parse_ebur128(STDERR.replace("-31.2 LUFS", "-70.0 LUFS").replace("-9.0 dBFS", "-inf dBFS"))
    assert (silent.input_i, silent.input_tp) == (-70.0, -99.0)
    assert loudness_gain(silent, HouseFormat()) is None


def test_a_summary_is_required() -> None:
    with pytest.raises(ValueError, match="no ebur128 summary"):
        parse_ebur128("Error opening input")
    with pytest.raises(ValueError, match="without input_tp"):
        parse_ebur128(STDERR.split("  True peak:")[0])


def test_gain_reaches_the_target_but_never_boosts_hiss_beyond_30_db() -> None:
    figures = LoudnessMeasurement(input_i=-31.2, input_tp=-9.0, input_lra=2.1, input_thresh=-41.5)
    assert loudness_gain(figures, HouseFormat()) == 8.2
    assert loudness_gain(figures, HouseFormat(loudness_i=-16.0)) == 15.2
    assert loudness_gain(LoudnessMeasurement(-8.0, 0.0, 1.0, -18.0), HouseFormat()) == -15.0
    assert loudness_gain(LoudnessMeasurement(-65.0, -50.0, 1.0, -75.0), HouseFormat()) == 30.0
    assert limiter_ceiling(HouseFormat()) == 0.7943  # -2 dBFS: 1 dB below the -1 dBTP target
    assert limiter_ceiling(HouseFormat(loudness_tp=-2.0)) == 0.7079


def test_makeup_only_when_the_limiter_took_loudness_away() -> None:
    figures = LoudnessMeasurement(input_i=-30.0, input_tp=-1.0, input_lra=2.0, input_thresh=-40.0)
    assert makeup_gain(figures, HouseFormat()) is None
    assert makeup_gain(replace(figures, limited_i=-24.6), HouseFormat()) == 1.6
    assert makeup_gain(replace(figures, limited_i=-23.05), HouseFormat()) is None
    assert makeup_gain(replace(figures, limited_i=-22.0), HouseFormat()) is None


def test_payloads_round_trip_and_old_ones_still_read() -> None:
    old = {"input_i": -30.0, "input_tp": -9.0, "input_lra": 2.0, "input_thresh": -40.0, "target_offset": 0.1}
    assert LoudnessMeasurement.from_dict(old) == LoudnessMeasurement(-30.0, -9.0, 2.0, -40.0)
    figures = LoudnessMeasurement(-30.0, -1.0, 2.0, -40.0, limited_i=-24.6)
    assert LoudnessMeasurement.from_dict(asdict(figures)) == figures


def test_measure_command_is_audio_only() -> None:
    assert measure_command(Path("/w/s.mkv"), audio_position=1, profile=HouseFormat()) == [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-nostats",
        *fenced("file:/w/s.mkv"),
        "-map",
        "0:a:1",
        "-vn",
        "-sn",
        "-dn",
        "-af",
        "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
    ]
    second = measure_command(Path("/w/s.mkv"), audio_position=0, profile=HouseFormat(), gain=6.9)
    assert second[second.index("-af") + 1] == (
        "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,"
        "volume=volume=6.9dB,alimiter=limit=0.7943:level=false:latency=true,ebur128=peak=true:framelog=verbose"
    )


def test_measure_real_loud_and_quiet(media: Callable[[str], Path]) -> None:
    loud = measure(media("loud"), audio_position=0, profile=HouseFormat(), timeout=60)
    quiet = measure(media("quiet"), audio_position=0, profile=HouseFormat(), timeout=60)
    assert loud.input_i > -10 > -40 > quiet.input_i
    assert loud.input_tp > quiet.input_tp


_PEAKY = "0.02*sin(2*PI*440*t)+0.9*lt(mod(t,3),0.0003)*sin(2*PI*3000*t)"


def _peaky(out: Path) -> None:
    """10 s of a quiet tone with a 0.3 ms burst near full scale every 3 s (-33 LUFS, -0.8 dBTP): the
    gain to -23 LUFS would push the bursts 9 dB over full scale, and limiting them takes 1.6 LU away."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=10",
         "-f", "lavfi", "-i",
         f"aevalsrc='{_PEAKY}|{_PEAKY}':s=48000:d=10", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac", str(out)],
        check=True, timeout=60,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", ["loud", "quiet", "peaky"])
def test_output_meets_r128_loudness_and_true_peak(
    name: str, media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    if name == "peaky":
        source = tmp_path / "peaky.mkv"
        _peaky(source)
    else:
        source = media(name)
    before = measure(source, audio_position=0, profile=small_profile, timeout=60)
    root, _ = transcoded(tmp_path, source, small_profile)
    for rung in small_profile.rungs:
        integrated, true_peak = loudness(root / rung.name / "index.m3u8")
        assert abs(integrated + 23.0) <= 1.0, (rung.name, integrated)
        assert true_peak <= -1.0, (rung.name, true_peak)
    if name == "peaky":
        assert before.input_tp + (-23.0 - before.input_i) > 3.0, "the gain alone would clip"
        assert before.limited_i is not None
        assert before.limited_i < -24.0, "the limiter alone would leave it too quiet"
