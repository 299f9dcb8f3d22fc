from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.transcoder.test_inputs import fenced
from transcoder.loudness import LoudnessMeasurement, loudnorm_filter, measure, measure_command, parse_loudnorm
from transcoder.profile import Profile

STDERR = """[Parsed_loudnorm_2 @ 0x55]
{
	"input_i" : "-31.20",
	"input_tp" : "-9.00",
	"input_lra" : "2.10",
	"input_thresh" : "-41.50",
	"output_i" : "-22.99",
	"output_tp" : "-1.00",
	"output_lra" : "1.90",
	"output_thresh" : "-33.20",
	"normalization_type" : "dynamic",
	"target_offset" : "-0.01"
}
"""


def test_parse_loudnorm_json() -> None:
    assert parse_loudnorm("size=N/A time=00:00:10.00\n" + STDERR) == LoudnessMeasurement(
        input_i=-31.2, input_tp=-9.0, input_lra=2.1, input_thresh=-41.5, target_offset=-0.01
    )


def test_silence_is_clamped() -> None:
    silent = STDERR.replace('"-31.20"', '"-inf"').replace('"-9.00"', '"-inf"')
    assert parse_loudnorm(silent).input_i == -99.0


def test_no_json_is_an_error() -> None:
    with pytest.raises(ValueError):
        parse_loudnorm("Error opening input")


def test_measure_command_is_audio_only() -> None:
    assert measure_command(Path("/w/s.mkv"), audio_position=1, profile=Profile()) == [
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
        "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,"
        "loudnorm=I=-23:TP=-1:LRA=11:print_format=json",
        "-f",
        "null",
        "-",
    ]
    assert loudnorm_filter(Profile(loudness_i=-16.0), None).startswith("loudnorm=I=-16:")


def test_measure_real_loud_and_quiet(media: Callable[[str], Path]) -> None:
    loud = measure(media("loud"), audio_position=0, profile=Profile(), timeout=60)
    quiet = measure(media("quiet"), audio_position=0, profile=Profile(), timeout=60)
    assert loud.input_i > -10 > -40 > quiet.input_i
    assert loud.input_tp > quiet.input_tp
